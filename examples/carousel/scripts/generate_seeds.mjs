#!/usr/bin/env node
// Generates the seed data of the `carousel` example: the clothing-box retailer of examples/shop
// recommends garments in two places, and hindsight monitors both.
//
//   seeds/raw/carousel_impressions.csv   "customers also kept": one row per item of a carousel shown
//                                         on a product page (item-to-item, next to the viewed item)
//   seeds/raw/stylist_shortlists.csv      the stylists' shortlist: one row per item suggested for a
//                                         customer's next box (user-to-item)
//   seeds/oltp/item_events.csv            what customers did with items: favorited, added_to_box, kept
//   seeds/oltp/items.csv                  the item catalog, with each item's status
//
// Plain Node, no dependencies. Everything random comes from one seeded PRNG, so the output is
// byte-identical on every run: `node examples/carousel/scripts/generate_seeds.mjs`.
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const SEED = 20261121;
const FIRST_DAY = Date.UTC(2026, 8, 25); // 2026-09-25, a Friday
const LAST_DAY = Date.UTC(2026, 10, 20); // 2026-11-20, a Friday: the last day in the extract
const EXTRACT_AT = LAST_DAY + 86_400_000; // the extract: 2026-11-21 00:00:00, nothing after it
const V1_TRAINED_AT = Date.UTC(2026, 8, 1); // v1 knows the items (and the co-purchases) up to then
const V2_SHARE_FROM = Date.UTC(2026, 9, 19); // Monday 2026-10-19: v2 gets 50% of customers
const V2_FULL_FROM = Date.UTC(2026, 10, 2); // Monday 2026-11-02: v2 gets everyone
const V2_BUG_FROM = Date.UTC(2026, 10, 5); // 2026-11-05 and 11-06: v2's carousel lists some items twice
const V2_BUG_TO = Date.UTC(2026, 10, 7);

const SECOND = 1000;
const MINUTE = 60 * SECOND;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;

// ---------------------------------------------------------------------------------------------
// Randomness

function mulberry32(seed) {
  let a = seed >>> 0;
  return function next() {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const random = mulberry32(SEED);
const uniform = (lo, hi) => lo + (hi - lo) * random();
const chance = (p) => random() < p;
const randInt = (lo, hi) => Math.floor(uniform(lo, hi + 1)); // inclusive
function normal(mean = 0, sd = 1) {
  const u = 1 - random(); // (0, 1]
  const v = random();
  return mean + sd * Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * v);
}
function pickWeighted(items, weights) {
  const total = weights.reduce((a, b) => a + b, 0);
  let r = random() * total;
  for (let i = 0; i < items.length; i++) {
    r -= weights[i];
    if (r < 0) return items[i];
  }
  return items[items.length - 1];
}
const sigmoid = (x) => 1 / (1 + Math.exp(-x));
const dot = (a, b) => a.reduce((s, x, i) => s + x * b[i], 0);
/** The n items with the highest score, highest first. */
function topBy(items, score, n) {
  return items.map((item) => ({ item, score: score(item) })).sort((a, b) => b.score - a.score).slice(0, n);
}

// ---------------------------------------------------------------------------------------------
// The world

const CATEGORIES = ['shirt', 'pants', 'dress', 'knitwear', 'outerwear'];
// Seasonal taste, as a function of s = 0 (late September) .. 1 (late November): as it gets colder,
// knitwear and outerwear win over shirts and dresses.
function season(s) {
  return [0.45 - 0.9 * s, 0.2, 0.2 - 0.8 * s, -0.35 + 1.0 * s, -0.9 + 1.8 * s];
}
const seasonAt = (t) => (t - FIRST_DAY) / (EXTRACT_AT - FIRST_DAY);

// 240 garments. Most were in the catalog before v1 was trained; the new arrivals of October and
// November are mostly knitwear and outerwear. 20 items were retired (sold out for good) in October.
const items = [];
for (let i = 1; i <= 240; i++) {
  const isNew = i > 200;
  const category = isNew ? pickWeighted(CATEGORIES, [0.1, 0.1, 0.1, 0.35, 0.35]) : CATEGORIES[randInt(0, 4)];
  items.push({
    id: `it_${String(i).padStart(4, '0')}`,
    category,
    k: CATEGORIES.indexOf(category),
    style: [normal(), normal()],
    popularity: normal(0, 0.8) + (chance(0.06) ? 1.6 : 0), // a few bestsellers
    addedAt: isNew ? Date.UTC(2026, 9, 1) + randInt(0, 40) * DAY : Date.UTC(2026, 4, 1) + randInt(0, 110) * DAY,
    retiredAt: !isNew && chance(0.09) ? Date.UTC(2026, 9, 1) + randInt(0, 30) * DAY : null,
  });
}
const available = (item, t) => item.addedAt <= t && (item.retiredAt === null || item.retiredAt > t);
const knownToV1 = (item) => item.addedAt < V1_TRAINED_AT;

const CUSTOMER_TYPES = ['new', 'returning', 'vip'];
const customers = [];
for (let i = 1; i <= 900; i++) {
  customers.push({
    id: `cu_${String(i).padStart(4, '0')}`,
    type: pickWeighted(CUSTOMER_TYPES, [0.3, 0.55, 0.15]),
    taste: CATEGORIES.map(() => normal(0, 0.9)),
    style: [normal(), normal()],
    app: chance(0.6), // mostly on the app, else the website
    v2Bucket: chance(0.5), // rollout bucket during the 50/50 weeks
  });
}

/** How much a customer likes an item at time t: the truth that interactions follow. */
function utility(c, item, t) {
  return c.taste[item.k] + season(seasonAt(t))[item.k] + 0.8 * dot(c.style, item.style) + 0.45 * item.popularity;
}
/** How related two items are: what customers who kept one also keep. */
const relatedness = (a, b) => (a.k === b.k ? 1.1 : 0) + 0.9 * dot(a.style, b.style);

const versionFor = (c, t) => (t >= V2_FULL_FROM ? 'v2' : t >= V2_SHARE_FROM && c.v2Bucket ? 'v2' : 'v1');

const fmt = (ms) => new Date(ms).toISOString().slice(0, 19).replace('T', ' ');
const score3 = (x) => Math.round(x * 1000) / 1000;

const carouselRows = [];
const shortlistRows = [];
const itemEvents = [];
const stats = { carousels: 0, relogged: 0, anchorListed: 0, listedTwice: 0, shortlists: 0, refreshed: 0, reopened: 0, retiredListed: 0, organic: 0 };

// ---------------------------------------------------------------------------------------------
// The "customers also kept" carousel: shown on a product page, next to the item being viewed.
//   v1: co-occurrence counts from the summer: bestsellers of the same category, season-blind, no
//       item newer than its training; it lists the viewed item itself in 8% of carousels.
//   v2: item embeddings plus the session: related items the customer likes, new arrivals included.

let carouselNo = 0;
for (let day = FIRST_DAY; day <= LAST_DAY; day += DAY) {
  const n = randInt(17, 23);
  for (let j = 0; j < n; j++) {
    const t = day + Math.floor(uniform(12, 35) * HOUR) % DAY + randInt(0, 59) * SECOND;
    const c = customers[randInt(0, customers.length - 1)];
    const version = versionFor(c, t);
    const shelf = items.filter((it) => available(it, t));
    const anchor = pickWeighted(shelf, shelf.map((it) => Math.exp(utility(c, it, t))));
    const candidates = shelf.filter((it) => it !== anchor && (version === 'v2' || knownToV1(it)));
    const summer = season(0);
    const scored =
      version === 'v1'
        ? topBy(candidates, (it) => (it.k === anchor.k ? 0.8 : 0) + 0.3 * dot(it.style, anchor.style) + 2.0 * it.popularity + summer[it.k] + normal(0, 0.5), 10)
        : topBy(candidates, (it) => relatedness(anchor, it) + 0.6 * utility(c, it, t) + normal(0, 0.5), 10);
    const list = scored.map((s, i) => ({ item: s.item, rank: i + 1, score: score3(sigmoid(s.score - 1)) }));
    if (version === 'v1' && chance(0.08)) {
      // self co-occurrence: the viewed item heads its own carousel
      list.unshift({ item: anchor, rank: 1, score: 0.999 });
      list.pop();
      list.forEach((x, i) => (x.rank = i + 1));
      stats.anchorListed++;
    }
    if (version === 'v2' && t >= V2_BUG_FROM && t < V2_BUG_TO && chance(0.4)) {
      // a merge of two candidate sources lists an item again further down
      const again = list[randInt(0, 3)];
      list.push({ item: again.item, rank: 11, score: again.score });
      stats.listedTwice++;
    }
    const id = `ci_${String(++carouselNo).padStart(6, '0')}`;
    stats.carousels++;
    const rowsOf = (shownAt) =>
      list.map((x) => ({
        impression_id: id, shown_at: shownAt, customer_id: c.id, viewed_item_id: anchor.id, viewed_category: anchor.category,
        item_id: x.item.id, position: x.rank, score: x.score, model_version: version, device: c.app ? 'app' : 'web',
      }));
    carouselRows.push(...rowsOf(t));
    if (chance(0.03)) {
      carouselRows.push(...rowsOf(t + randInt(1, 40) * SECOND)); // the tracker re-logs the impression
      stats.relogged++;
    }

    // What the customer does next, over the following days: favorites and adds to the next box,
    // mostly related items they like, more often what the carousel showed them (higher up, more).
    if (chance(0.25)) itemEvents.push({ customer_id: c.id, event_at: t + randInt(1, 600) * SECOND, item_id: anchor.id, event_type: 'added_to_box' });
    const actions = chance(0.4) ? 0 : randInt(1, 3);
    for (let a = 0; a < actions; a++) {
      const pool = candidates.map((it) => {
        const shown = list.findIndex((x) => x.item === it);
        const exposure = shown >= 0 ? 6 / Math.log2(shown + 2) : 0.25;
        return exposure * Math.exp(1.2 * relatedness(anchor, it) + 0.9 * utility(c, it, t));
      });
      const it = pickWeighted(candidates, pool);
      const after = Math.min(-Math.log(1 - random()) * 1.6 * DAY, 12 * DAY);
      itemEvents.push({ customer_id: c.id, event_at: t + Math.floor(after), item_id: it.id, event_type: chance(0.45) ? 'added_to_box' : 'favorited' });
    }
  }
}

// ---------------------------------------------------------------------------------------------
// The stylists' shortlist: 12 items for a customer's next box; the stylist ships 5, mostly from
// the top of the list, and the customer keeps what they like.
//   v1: trained in the summer on the catalog of then: season-blind, still suggests retired items,
//       and logs rank as the dense rank of its score rounded to one decimal (ties).
//   v2: retrained in October with the season, on the live catalog; ranks 1..12.

let shortlistNo = 0;
for (let day = FIRST_DAY; day <= LAST_DAY; day += DAY) {
  const n = randInt(9, 14);
  for (let j = 0; j < n; j++) {
    const t = day + Math.floor(uniform(13, 23) * HOUR) + randInt(0, 59) * MINUTE;
    const c = customers[randInt(0, customers.length - 1)];
    const version = versionFor(c, t);
    const pool = items.filter((it) => (version === 'v1' ? knownToV1(it) : available(it, t)));
    const scored =
      version === 'v1'
        ? topBy(pool, (it) => c.taste[it.k] + season(0)[it.k] + 0.8 * dot(c.style, it.style) + 0.45 * it.popularity + normal(0, 0.9), 12)
        : topBy(pool, (it) => utility(c, it, t) + normal(0, 0.55), 12);
    const logged = scored.map((s) => ({ item: s.item, score: Math.round(sigmoid(s.score - 1.5) * 1000) / 1000 }));
    let rank = 0;
    let previous = null;
    const list = logged.map((x, i) => {
      if (version === 'v2') rank = i + 1;
      else if (previous === null || Math.round(x.score * 10) !== Math.round(previous * 10)) rank += 1; // dense rank of round(score, 1)
      previous = x.score;
      return { ...x, rank };
    });
    stats.retiredListed += list.filter((x) => !available(x.item, t)).length;
    const id = `sl_${String(++shortlistNo).padStart(6, '0')}`;
    stats.shortlists++;
    const customerType = chance(0.02) ? '' : c.type; // the profile service timed out: no customer type
    const rowsOf = (generatedAt, rows) =>
      rows.map((x) => ({
        shortlist_id: id, generated_at: generatedAt, customer_id: c.id, item_id: x.item.id, rank: x.rank, score: x.score,
        model_version: version, customer_type: customerType,
      }));
    let final = list;
    const first = rowsOf(t, list);
    shortlistRows.push(...first);
    if (chance(0.05)) {
      // the stylist reopened the shortlist: the tool logs it again, unchanged
      const reopenedAt = t + randInt(2, 30) * MINUTE;
      shortlistRows.push(...first.map((r) => ({ ...r, generated_at: reopenedAt })));
      stats.reopened++;
    } else if (chance(0.04)) {
      // the stylist pressed "refresh": a new list under the same id, which is the one they used
      final = [...list.slice(6), ...list.slice(0, 6)].map((x, i) => ({ ...x, rank: i + 1, score: Math.round((1 - i / 20) * 1000) / 1000 }));
      shortlistRows.push(...rowsOf(t + randInt(2, 30) * MINUTE, final));
      stats.refreshed++;
    }

    // The box: 5 items, mostly from the top of the shortlist (retired items cannot ship).
    const shippable = final.filter((x) => available(x.item, t));
    const box = new Set();
    while (box.size < 5) {
      if (chance(0.82) && shippable.length > box.size) {
        box.add(pickWeighted(shippable, shippable.map((_, i) => 1 / (i + 1))).item);
      } else {
        const shelf = items.filter((it) => available(it, t));
        box.add(pickWeighted(shelf, shelf.map((it) => Math.exp(0.8 * utility(c, it, t)))));
      }
    }
    // Checked in 6-13 days later (a few much later); kept items become `kept` events.
    let back = t + Math.floor(uniform(6, 13) * DAY);
    if (chance(0.04)) back += Math.floor(uniform(3, 10) * DAY);
    for (const it of box) {
      if (chance(sigmoid(2.2 * utility(c, it, t) - 1.2))) itemEvents.push({ customer_id: c.id, event_at: back + randInt(0, 300) * SECOND, item_id: it.id, event_type: 'kept' });
    }
  }
}

// Browsing that follows no recommendation at all.
for (let day = FIRST_DAY; day <= LAST_DAY; day += DAY) {
  for (let j = randInt(25, 35); j > 0; j--) {
    const c = customers[randInt(0, customers.length - 1)];
    const t = day + randInt(0, DAY / SECOND - 1) * SECOND;
    const shelf = items.filter((it) => available(it, t));
    const it = pickWeighted(shelf, shelf.map((x) => Math.exp(utility(c, x, t))));
    itemEvents.push({ customer_id: c.id, event_at: t, item_id: it.id, event_type: chance(0.6) ? 'favorited' : 'added_to_box' });
    stats.organic++;
  }
}

// ---------------------------------------------------------------------------------------------
// Output: nothing after the extract.

function csvField(v) {
  if (v === null || v === undefined) return '';
  const s = String(v);
  return /[",\r\n]/.test(s) ? `"${s.replaceAll('"', '""')}"` : s;
}
function toCsv(columns, rows) {
  const lines = [columns.join(',')];
  for (const row of rows) lines.push(columns.map((c) => csvField(row[c])).join(','));
  return lines.join('\n') + '\n';
}
function write(relPath, content) {
  const path = join(dirname(fileURLToPath(import.meta.url)), '..', 'seeds', relPath);
  mkdirSync(dirname(path), { recursive: true });
  writeFileSync(path, content);
}

const cmp = (a, b) => (a < b ? -1 : a > b ? 1 : 0);
const carousel = carouselRows.filter((r) => r.shown_at < EXTRACT_AT).sort((a, b) => a.shown_at - b.shown_at || cmp(a.impression_id, b.impression_id) || a.position - b.position);
const shortlists = shortlistRows.filter((r) => r.generated_at < EXTRACT_AT).sort((a, b) => a.generated_at - b.generated_at || cmp(a.shortlist_id, b.shortlist_id) || a.rank - b.rank || cmp(a.item_id, b.item_id));
const events = itemEvents.filter((e) => e.event_at < EXTRACT_AT).sort((a, b) => a.event_at - b.event_at || cmp(a.customer_id, b.customer_id) || cmp(a.item_id, b.item_id));

write('raw/carousel_impressions.csv', toCsv(
  ['impression_id', 'shown_at', 'customer_id', 'viewed_item_id', 'viewed_category', 'item_id', 'position', 'score', 'model_version', 'device'],
  carousel.map((r) => ({ ...r, shown_at: fmt(r.shown_at) })),
));
write('raw/stylist_shortlists.csv', toCsv(
  ['shortlist_id', 'generated_at', 'customer_id', 'item_id', 'rank', 'score', 'model_version', 'customer_type'],
  shortlists.map((r) => ({ ...r, generated_at: fmt(r.generated_at) })),
));
write('oltp/item_events.csv', toCsv(['customer_id', 'event_at', 'item_id', 'event_type'], events.map((e) => ({ ...e, event_at: fmt(e.event_at) }))));
write('oltp/items.csv', toCsv(
  ['item_id', 'category', 'status', 'added_at'],
  items.map((it) => ({ item_id: it.id, category: it.category, status: it.retiredAt !== null && it.retiredAt <= EXTRACT_AT ? 'retired' : 'active', added_at: fmt(it.addedAt) })),
));

console.log(
  `carousel seeds: ${carousel.length} carousel rows (${stats.carousels} impressions, ${stats.relogged} re-logged, ` +
    `${stats.anchorListed} listing the viewed item, ${stats.listedTwice} listing an item twice)\n` +
    `  ${shortlists.length} shortlist rows (${stats.shortlists} shortlists, ${stats.reopened} reopened, ${stats.refreshed} refreshed, ` +
    `${stats.retiredListed} retired items suggested)\n` +
    `  ${events.length} item events (${stats.organic} from browsing alone), ${items.length} items`,
);
