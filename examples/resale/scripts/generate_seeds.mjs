#!/usr/bin/env node
// Generates the seed data of the `resale` example: the clothing-box retailer of examples/shop sells
// returned garments it cannot restock on its resale outlet. A model predicts each item's resale
// price and how many days it will take to sell, and hindsight monitors both outputs.
//
//   seeds/raw/resale_predictions.csv   what the grading station logged when the model priced an item
//   seeds/oltp/resales.csv              the outlet's ledger: listings, markdowns, sales, giveaways
//
// Plain Node, no dependencies. Everything random comes from one seeded PRNG, so the output is
// byte-identical on every run: `node examples/resale/scripts/generate_seeds.mjs`.
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const SEED = 20261122;
const FIRST_DAY = Date.UTC(2026, 8, 25); // 2026-09-25, a Friday
const LAST_DAY = Date.UTC(2026, 10, 20); // 2026-11-20, a Friday: the last day with predictions
const EXTRACT_AT = LAST_DAY + 86_400_000; // the OLTP extract: 2026-11-21 00:00:00, nothing after it
const V2_SHARE_FROM = Date.UTC(2026, 9, 12); // Monday 2026-10-12: v2 prices half of the items
const V2_FULL_FROM = Date.UTC(2026, 9, 26); // Monday 2026-10-26: v2 prices everything
const OUTAGE_FROM = Date.UTC(2026, 9, 7, 14); // 2026-10-07 14:00: the pricing service is down ...
const OUTAGE_TO = Date.UTC(2026, 9, 7, 16, 30); // ... until 16:30; items are priced by hand

const SECOND = 1000;
const MINUTE = 60 * SECOND;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;

const MARKDOWN_AFTER_DAYS = 21; // an item unsold after three weeks may get its final markdown
const WITHDRAW_AFTER_DAYS = 50; // and one unsold after seven weeks is donated (no sale price)

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

// ---------------------------------------------------------------------------------------------
// The world

const CATEGORIES = ['shirt', 'pants', 'dress', 'knitwear', 'outerwear', 'accessories'];
const CATEGORY_WEIGHTS = [0.26, 0.2, 0.16, 0.15, 0.13, 0.1];
// Typical resale price in like-new condition, and typical days from listing to sale, in late September.
const BASE_PRICE = { shirt: 16, pants: 22, dress: 30, knitwear: 26, outerwear: 52, accessories: 9 };
const BASE_DAYS = { shirt: 9, pants: 11, dress: 13, knitwear: 12, outerwear: 16, accessories: 7 };
// As it gets colder (s = 0 in late September .. 1 in late November) coats and sweaters fetch more
// and sell faster; summer shirts and dresses fetch less and sit longer.
const SEASON_PRICE = { shirt: -0.2, pants: 0, dress: -0.3, knitwear: 0.45, outerwear: 0.9, accessories: 0.05 };
const SEASON_DAYS = { shirt: 0.35, pants: 0, dress: 0.5, knitwear: -0.35, outerwear: -0.55, accessories: -0.1 };
const seasonPrice = (cat, s) => 1 + SEASON_PRICE[cat] * s;
const seasonDays = (cat, s) => Math.max(0.2, 1 + SEASON_DAYS[cat] * s);

const CONDITIONS = ['like_new', 'good', 'fair'];
const CONDITION_WEIGHTS = [0.33, 0.47, 0.2];
const CONDITION_PRICE = { like_new: 1, good: 0.72, fair: 0.42 };
const CONDITION_DAYS = { like_new: 0.85, good: 1, fair: 1.35 };

// ---------------------------------------------------------------------------------------------
// The models

// v1 was trained on spring and summer sales: it knows category and condition, sees only part of the
// brand premium and of the item's appeal (from the photos), and its seasonal picture is frozen at
// s = 0 (and the final markdown policy is newer than its training data). v2 was retrained in
// October with the listing date and the brand tier as features.
function predict(version, item, s) {
  if (version === 'v1') {
    const price =
      BASE_PRICE[item.category] * CONDITION_PRICE[item.condition] * Math.pow(item.brand, 0.5) *
      seasonPrice(item.category, 0) * Math.exp(normal(0, 0.24));
    const days = BASE_DAYS[item.category] * CONDITION_DAYS[item.condition] * seasonDays(item.category, 0) *
      Math.exp(-0.6 * item.appeal + normal(0, 0.2));
    return { price, days };
  }
  const price =
    BASE_PRICE[item.category] * CONDITION_PRICE[item.condition] * Math.pow(item.brand, 0.9) *
    seasonPrice(item.category, s) * Math.exp(normal(0, 0.17));
  const days = BASE_DAYS[item.category] * CONDITION_DAYS[item.condition] * seasonDays(item.category, s) *
    Math.exp(-0.85 * item.appeal + normal(0, 0.15));
  // v2 also learned that the final markdown after three weeks speeds up slow sellers.
  return { price, days: days <= MARKDOWN_AFTER_DAYS ? days : MARKDOWN_AFTER_DAYS + 1 + 0.45 * (days - MARKDOWN_AFTER_DAYS) };
}

// ---------------------------------------------------------------------------------------------
// Items, predictions and the outlet's ledger

const fmt = (ms) => new Date(ms).toISOString().slice(0, 19).replace('T', ' ');
const money = (x) => x.toFixed(2);
// Outlet prices end in .99 or .49 (or .00 under $2), like the rest of the shop.
function shelfPrice(x) {
  if (x < 2) return Math.max(0.5, Math.round(x * 2) / 2);
  return Math.floor(x) + (x - Math.floor(x) < 0.5 ? -0.01 : 0.49);
}

const items = [];
for (let day = FIRST_DAY; day <= LAST_DAY; day += DAY) {
  const weekday = new Date(day).getUTCDay(); // 0 = Sunday
  if (weekday === 0) continue; // the grading station is closed on Sundays
  const n = Math.round((weekday === 6 ? 22 : 50) * uniform(0.85, 1.15));
  for (let i = 0; i < n; i++) {
    // The grading station works 12:00 to 23:00 UTC.
    const gradedAt = day + Math.floor(uniform(12, 23) * HOUR) + randInt(0, 59) * SECOND;
    items.push({ gradedAt });
  }
}
items.sort((a, b) => a.gradedAt - b.gradedAt);

const events = []; // prediction events
const ledger = []; // resales rows
const usedEventIds = new Set();
function eventId() {
  for (;;) {
    const hi = Math.floor(random() * 0x1000000).toString(16).padStart(6, '0');
    const lo = Math.floor(random() * 0x1000000).toString(16).padStart(6, '0');
    const id = `ev_${hi}${lo}`;
    if (!usedEventIds.has(id)) {
      usedEventIds.add(id);
      return id;
    }
  }
}

const stats = {
  items: 0, handPriced: 0, doubleSubmits: 0, regrades: 0, giveaways: 0, dollarBin: 0,
  markdowns: 0, withdrawn: 0,
};

let nextItem = 1;
for (const it of items) {
  const n = nextItem++;
  const itemId = `ri_${String(n).padStart(6, '0')}`;
  stats.items++;
  const s = (it.gradedAt - FIRST_DAY) / (LAST_DAY + DAY - FIRST_DAY);
  const item = {
    category: pickWeighted(CATEGORIES, CATEGORY_WEIGHTS),
    condition: pickWeighted(CONDITIONS, CONDITION_WEIGHTS),
    brand: Math.exp(normal(0, 0.35)), // house label .. designer
    appeal: normal(0, 0.45), // how much the photos and the style draw buyers: faster sales
  };
  // 50/50 by item during the two split weeks (the grading station alternates), then v2 for all.
  const version =
    it.gradedAt >= V2_FULL_FROM ? 'v2' : it.gradedAt >= V2_SHARE_FROM && n % 2 === 0 ? 'v2' : 'v1';

  // The truth: what the item is worth on the outlet now, and how long it takes to find a buyer.
  const value =
    BASE_PRICE[item.category] * CONDITION_PRICE[item.condition] * item.brand *
    seasonPrice(item.category, s) * Math.exp(normal(0, 0.15));
  const sellDays =
    BASE_DAYS[item.category] * CONDITION_DAYS[item.condition] * seasonDays(item.category, s) *
    Math.exp(-item.appeal + normal(0, 0.3));

  // 1. The prediction event (none while the pricing service is down: those items are orphans).
  const predictedAt = it.gradedAt;
  const handPriced = it.gradedAt >= OUTAGE_FROM && it.gradedAt < OUTAGE_TO;
  let predicted;
  if (handPriced) {
    stats.handPriced++;
  } else {
    // A QC check the next morning regrades a few items that the station graded one step too well.
    const regrade = item.condition !== 'like_new' && chance(0.015);
    const graded = regrade ? (item.condition === 'fair' ? 'good' : 'like_new') : item.condition;
    predicted = predict(version, { ...item, condition: graded }, s);
    const row = (p, at, condition) => ({
      event_id: eventId(),
      item_id: itemId,
      predicted_at: at,
      predicted_price: money(Math.max(0.5, p.price)),
      predicted_days: Math.max(0.5, p.days).toFixed(1),
      model_version: version,
      category: item.category,
      condition,
    });
    events.push(row(predicted, predictedAt, graded));
    // The grading station sometimes submits twice (same values, seconds later) ...
    if (chance(0.035)) {
      stats.doubleSubmits++;
      events.push(row(predicted, predictedAt + randInt(1, 20) * SECOND, graded));
    }
    // ... and the regrade is a new prediction for the same item (the latest one counts).
    const regradedAt = predictedAt + Math.floor(uniform(14 * HOUR, 22 * HOUR));
    if (regrade && regradedAt <= LAST_DAY + DAY - SECOND) {
      stats.regrades++;
      predicted = predict(version, item, s);
      events.push(row(predicted, regradedAt, item.condition));
    }
  }

  // 2. The outlet's ledger. The item is photographed and listed within a day or so.
  const listedAt = it.gradedAt + Math.floor(uniform(3 * HOUR, 30 * HOUR));
  const listPrice = shelfPrice(1.1 * (predicted ? predicted.price : value));
  const rows = [{ item_id: itemId, status: 'listed', recorded_at: listedAt, list_price: money(listPrice) }];
  const settle = (status, days, price) => {
    const at = listedAt + Math.floor(days * DAY) + randInt(0, 3600) * SECOND;
    rows.push({
      item_id: itemId,
      status,
      recorded_at: at,
      list_price: money(listPrice),
      sale_price: price === null ? null : money(price),
      days_listed: status === 'final_markdown' || status === 'withdrawn' ? null : Math.floor((at - listedAt) / DAY),
    });
  };
  const cheap = item.condition === 'fair' && value < 8;
  if (cheap && chance(0.3)) {
    // Free with any order: worn basics go straight into the giveaway bin, at price 0.
    settle('given_away', uniform(0, 4), 0);
  } else if (cheap && chance(0.25)) {
    // The $1 bin: near-zero prices that make a percentage error explode.
    settle('sold', uniform(0, 6), pickWeighted([0.5, 1, 1.5, 2], [2, 4, 2, 1]));
  } else if (sellDays <= MARKDOWN_AFTER_DAYS) {
    settle('sold', sellDays, shelfPrice(value * uniform(0.9, 1.05)));
  } else if (chance(0.65)) {
    // Unsold after three weeks: the final markdown fixes the price (a label for the price, none yet
    // for the days), and the item then sells faster, at that price, or is donated.
    const markdown = shelfPrice(0.6 * value);
    settle('final_markdown', MARKDOWN_AFTER_DAYS + uniform(0, 1), markdown);
    const after = MARKDOWN_AFTER_DAYS + 1 + (sellDays - MARKDOWN_AFTER_DAYS) * 0.45;
    if (after <= WITHDRAW_AFTER_DAYS) settle('sold', after, markdown);
    else settle('withdrawn', WITHDRAW_AFTER_DAYS, null);
  } else if (sellDays <= WITHDRAW_AFTER_DAYS) {
    settle('sold', sellDays, shelfPrice(value * uniform(0.8, 1)));
  } else {
    settle('withdrawn', WITHDRAW_AFTER_DAYS, null);
  }
  for (const r of rows) {
    if (r.recorded_at >= EXTRACT_AT) continue; // after the extract: not known yet
    if (r.status === 'withdrawn') stats.withdrawn++;
    if (r.status === 'given_away') stats.giveaways++;
    if (r.status === 'final_markdown') stats.markdowns++;
    if (r.status === 'sold' && Number(r.sale_price) <= 2) stats.dollarBin++;
    ledger.push(r);
  }
}

// ---------------------------------------------------------------------------------------------
// Output

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
  return path;
}

events.sort((a, b) => a.predicted_at - b.predicted_at || (a.event_id < b.event_id ? -1 : 1));
ledger.sort((a, b) => a.recorded_at - b.recorded_at || (a.item_id < b.item_id ? -1 : a.item_id > b.item_id ? 1 : 0));
ledger.forEach((r, i) => (r.resale_id = i + 1));

write(
  'raw/resale_predictions.csv',
  toCsv(
    ['event_id', 'item_id', 'predicted_at', 'predicted_price', 'predicted_days', 'model_version', 'category', 'condition'],
    events.map((e) => ({ ...e, predicted_at: fmt(e.predicted_at) })),
  ),
);
write(
  'oltp/resales.csv',
  toCsv(
    ['resale_id', 'item_id', 'status', 'recorded_at', 'list_price', 'sale_price', 'days_listed'],
    ledger.map((r) => ({ ...r, recorded_at: fmt(r.recorded_at) })),
  ),
);

console.log(
  `resale seeds: ${events.length} prediction events (${stats.items} graded items), ${ledger.length} resales rows\n` +
    `  double submits ${stats.doubleSubmits}, regrades ${stats.regrades}, items priced by hand (no prediction) ${stats.handPriced}\n` +
    `  giveaways at 0 ${stats.giveaways}, $1-bin sales ${stats.dollarBin}, final markdowns ${stats.markdowns}, ` +
    `donated ${stats.withdrawn}`,
);
