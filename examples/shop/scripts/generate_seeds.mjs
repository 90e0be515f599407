#!/usr/bin/env node
// Generates the seed data of the `shop` example: a clothing-box retailer whose keep-probability
// model is monitored by hindsight.
//
//   seeds/raw/prediction_events.csv   what the event tracker logged when the model scored an item
//   seeds/oltp/shipment_items.csv      the transactional table where returned boxes are checked in
//
// Plain Node, no dependencies. Everything random comes from one seeded PRNG, so the output is
// byte-identical on every run: `node examples/shop/scripts/generate_seeds.mjs`.
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const SEED = 20261120;
const FIRST_DAY = Date.UTC(2026, 8, 25); // 2026-09-25, a Friday
const LAST_DAY = Date.UTC(2026, 10, 20); // 2026-11-20, a Friday: the last day with predictions
const EXTRACT_AT = LAST_DAY + 86_400_000; // the OLTP extract: 2026-11-21 00:00:00, nothing after it
const V2_SHARE_FROM = Date.UTC(2026, 9, 19); // Monday 2026-10-19: v2 gets 50% of customers
const V2_FULL_FROM = Date.UTC(2026, 10, 2); // Monday 2026-11-02: v2 gets everyone
const SHADOW_FROM = Date.UTC(2026, 9, 5); // v2 shadow-scores some boxes in staging before rollout
const SHADOW_TO = Date.UTC(2026, 9, 19);

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

// ---------------------------------------------------------------------------------------------
// Customers

// 30 metro areas, Zipf-like: the big metros dominate, the tail is folded into __other__ by a
// top-20 segment cut.
const REGIONS = [
  'new_york', 'los_angeles', 'chicago', 'dallas', 'houston', 'washington_dc', 'philadelphia',
  'miami', 'atlanta', 'boston', 'phoenix', 'san_francisco', 'seattle', 'detroit', 'minneapolis',
  'san_diego', 'tampa', 'denver', 'baltimore', 'st_louis', 'orlando', 'charlotte', 'san_antonio',
  'portland', 'sacramento', 'pittsburgh', 'austin', 'las_vegas', 'cincinnati', 'kansas_city',
];
const REGION_WEIGHTS = REGIONS.map((_, i) => 1 / Math.pow(i + 1, 1.05));
// A small regional taste effect on the keep rate (on the logit scale).
const REGION_EFFECT = Object.fromEntries(REGIONS.map((r) => [r, normal(0, 0.15)]));

// Customer type: NULL ('') when the profile service timed out while the box was styled.
const CUSTOMER_TYPES = ['new', 'returning', 'vip'];
const CUSTOMER_TYPE_WEIGHTS = [0.27, 0.57, 0.16];
const TYPE_EFFECT = { new: -0.75, returning: -0.2, vip: 0.55 };

const customers = [];
for (let i = 0; i < 1400; i++) {
  customers.push({
    id: i,
    type: pickWeighted(CUSTOMER_TYPES, CUSTOMER_TYPE_WEIGHTS),
    region: pickWeighted(REGIONS, REGION_WEIGHTS),
    taste: normal(0, 0.5), // how easy this customer is to please
    v2Bucket: random() < 0.5, // rollout bucket during the 50/50 weeks
  });
}

// ---------------------------------------------------------------------------------------------
// Boxes and items

const fmt = (ms) => new Date(ms).toISOString().slice(0, 19).replace('T', ' ');
const round4 = (p) => Math.min(0.9999, Math.max(0.0001, p)).toFixed(4);

const boxes = [];
for (let day = FIRST_DAY; day <= LAST_DAY; day += DAY) {
  const weekday = new Date(day).getUTCDay(); // 0 = Sunday
  const weekend = weekday === 0 || weekday === 6;
  const growth = 1 + 0.12 * ((day - FIRST_DAY) / (LAST_DAY - FIRST_DAY)); // the business grows a bit
  const n = Math.round((weekend ? 10 : 22) * growth * uniform(0.85, 1.15));
  for (let b = 0; b < n; b++) {
    // Stylists work US hours: roughly 13:00 to 01:00 UTC.
    const styledAt = day + Math.floor(uniform(13, 25) * HOUR) + randInt(0, 59) * SECOND;
    boxes.push({ styledAt, customer: customers[randInt(0, customers.length - 1)] });
  }
}
boxes.sort((a, b) => a.styledAt - b.styledAt);

const events = []; // prediction events
const outcomes = []; // shipment_items rows
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

let nextItem = 1;
const stats = { items: 0, dropped: 0, skewed: 0, lostBoxes: 0, outBoxes: 0, corrections: 0, shadow: 0 };

for (const box of boxes) {
  const c = box.customer;
  const version =
    box.styledAt >= V2_FULL_FROM ? 'v2' : box.styledAt >= V2_SHARE_FROM && c.v2Bucket ? 'v2' : 'v1';
  const customerType = chance(0.045) ? '' : c.type;
  const shadow = box.styledAt >= SHADOW_FROM && box.styledAt < SHADOW_TO && chance(0.2);

  // What happens to the box once it ships.
  const lost = chance(0.008); // lost in the return mail, written off
  const stillOut = !lost && chance(0.01); // the customer never sent it back (yet)
  let delayDays = 7 + 2.2 * (random() + random() + random()); // ship, try on, mail back, check in
  if (chance(0.07)) delayDays += uniform(1.5, 3.5); // warehouse backlog
  delayDays = Math.min(delayDays, 16);
  const checkedInAt = box.styledAt + Math.floor(delayDays * DAY);
  if (lost) stats.lostBoxes++;
  if (stillOut) stats.outBoxes++;

  const nItems = randInt(4, 6);
  let scoredAt = box.styledAt;
  for (let k = 0; k < nItems; k++) {
    const itemId = `si_${String(nextItem++).padStart(6, '0')}`;
    stats.items++;
    scoredAt += randInt(3, 90) * SECOND; // the stylist adds the next garment

    // The truth: how likely this customer is to keep this garment.
    const z = -0.35 + TYPE_EFFECT[c.type] + REGION_EFFECT[c.region] + c.taste + normal(0, 1.2);
    const kept = chance(sigmoid(z));
    // The models see the truth through noise: v1 more, v2 less (v1 is a little overconfident).
    const score =
      version === 'v1' ? sigmoid(0.75 * (z + normal(0, 1.05))) : sigmoid(0.8 * (z + normal(0, 0.5)));

    // 1. The prediction event (sometimes the tracker drops it: the item becomes an orphan).
    const dropped = chance(0.007);
    let predictedAt = scoredAt;
    if (dropped) {
      stats.dropped++;
    } else {
      const base = {
        prediction_id: itemId,
        model_version: version,
        customer_type: customerType,
        region: c.region,
        environment: 'production',
      };
      events.push({ ...base, event_id: eventId(), predicted_at: predictedAt, keep_probability: score });
      // The tracker re-logs ~5% of events a few seconds to minutes later; a retry sometimes
      // re-scored the item and logged a slightly different probability.
      let relogAt = predictedAt;
      let copies = chance(0.045) ? (chance(0.08) ? 2 : 1) : 0;
      while (copies-- > 0) {
        relogAt += chance(0.6) ? randInt(1, 30) * SECOND : randInt(60, 900) * SECOND;
        const retried = chance(0.3);
        const s = retried ? score + (chance(0.5) ? 1 : -1) * uniform(0.002, 0.03) : score;
        events.push({ ...base, event_id: eventId(), predicted_at: relogAt, keep_probability: s });
      }
      // Before the rollout v2 shadow-scored some boxes in staging, logging under the same item id.
      if (shadow) {
        stats.shadow++;
        const s = sigmoid(0.8 * (z + normal(0, 0.5)));
        events.push({
          ...base,
          event_id: eventId(),
          predicted_at: predictedAt + randInt(2, 40) * SECOND,
          keep_probability: s,
          model_version: 'v2',
          environment: 'staging',
        });
      }
    }

    // 2. The outcome, in the transactional database, once the box is back.
    if (stillOut) continue;
    let at = checkedInAt + k * randInt(20, 75) * SECOND; // items are scanned one by one
    if (!dropped && chance(0.0025)) {
      // Clock skew on a warehouse scanner: check-in stamped before the item was even scored.
      at = predictedAt - Math.floor(uniform(2 * HOUR, 3 * DAY));
      stats.skewed++;
    }
    if (at >= EXTRACT_AT) continue; // not back yet: pending
    if (lost) {
      outcomes.push({ shipment_item_id: itemId, checked_in_at: at, kept: false, status: 'lost' });
      continue;
    }
    outcomes.push({ shipment_item_id: itemId, checked_in_at: at, kept, status: 'checked_in' });
    // Customer service corrects a few check-ins the next day (kept <-> returned).
    if (chance(0.012)) {
      const fixAt = at + Math.floor(uniform(20 * HOUR, 28 * HOUR));
      if (fixAt < EXTRACT_AT) {
        outcomes.push({ shipment_item_id: itemId, checked_in_at: fixAt, kept: !kept, status: 'checked_in' });
        stats.corrections++;
      }
    }
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

const byTime = (key, id) => (a, b) => a[key] - b[key] || (a[id] < b[id] ? -1 : a[id] > b[id] ? 1 : 0);
events.sort(byTime('predicted_at', 'event_id'));
outcomes.sort(byTime('checked_in_at', 'shipment_item_id'));

write(
  'raw/prediction_events.csv',
  toCsv(
    ['event_id', 'prediction_id', 'predicted_at', 'keep_probability', 'model_version', 'customer_type', 'region', 'environment'],
    events.map((e) => ({ ...e, predicted_at: fmt(e.predicted_at), keep_probability: round4(e.keep_probability) })),
  ),
);
write(
  'oltp/shipment_items.csv',
  toCsv(
    ['shipment_item_id', 'checked_in_at', 'kept', 'status'],
    outcomes.map((o) => ({ ...o, checked_in_at: fmt(o.checked_in_at) })),
  ),
);

console.log(
  `shop seeds: ${events.length} prediction events (${stats.items} shipment items in ${boxes.length} boxes), ` +
    `${outcomes.length} shipment_items rows\n` +
    `  untracked items ${stats.dropped}, skewed check-ins ${stats.skewed}, lost boxes ${stats.lostBoxes}, ` +
    `boxes still out ${stats.outBoxes}, corrections ${stats.corrections}, staging shadow events ${stats.shadow}`,
);
