#!/usr/bin/env node
// Generates the seed data of the `styles` example: the clothing-box retailer of examples/shop
// predicts which garment category each customer will like most, and hindsight monitors it.
//
//   seeds/raw/category_predictions.csv   what the event tracker logged when a box request was scored
//   seeds/oltp/box_feedback.csv           the check-in app's table: the category the customer kept most
//
// Plain Node, no dependencies. Everything random comes from one seeded PRNG, so the output is
// byte-identical on every run: `node examples/styles/scripts/generate_seeds.mjs`.
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const SEED = 20261121;
const FIRST_DAY = Date.UTC(2026, 8, 25); // 2026-09-25, a Friday
const LAST_DAY = Date.UTC(2026, 10, 20); // 2026-11-20, a Friday: the last day with predictions
const EXTRACT_AT = LAST_DAY + 86_400_000; // the OLTP extract: 2026-11-21 00:00:00, nothing after it
const V2_SHARE_FROM = Date.UTC(2026, 9, 19); // Monday 2026-10-19: v2 gets 50% of customers
const V2_FULL_FROM = Date.UTC(2026, 10, 2); // Monday 2026-11-02: v2 gets everyone
const ACCESSORIES_FROM = Date.UTC(2026, 9, 26); // Monday 2026-10-26: belts and scarves join the boxes

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
function softmax(logits) {
  const m = Math.max(...logits);
  const e = logits.map((l) => Math.exp(l - m));
  const s = e.reduce((a, b) => a + b, 0);
  return e.map((x) => x / s);
}
const argmax = (xs) => xs.reduce((best, x, i) => (x > xs[best] ? i : best), 0);

// ---------------------------------------------------------------------------------------------
// The world

// The five categories the model scores. `accessories` exists in the check-in app from
// 2026-10-26 on, but no model version knows it.
const CLASSES = ['shirt', 'pants', 'dress', 'knitwear', 'outerwear'];
const ACCESSORIES = 'accessories';

// Seasonal taste on the logit scale, as a function of s = 0 (late September) .. 1 (late November):
// as it gets colder, knitwear and outerwear win over shirts and dresses.
function seasonLogits(s) {
  return [0.45 - 0.9 * s, 0.2, 0.2 - 0.8 * s, -0.35 + 1.0 * s, -0.9 + 1.8 * s];
}
// Cold regions lean to knitwear and outerwear more the colder it gets; the south barely does.
const REGIONS = ['northeast', 'midwest', 'south', 'west', 'pacific_northwest'];
const REGION_WEIGHTS = [0.26, 0.2, 0.27, 0.17, 0.1];
const REGION_COLD = { northeast: 0.45, midwest: 0.5, south: -0.45, west: -0.1, pacific_northwest: 0.3 };

// Customer type: NULL ('') when the profile service timed out while the box was requested.
// New customers have only filled in the sign-up quiz, so the model knows their taste least.
const CUSTOMER_TYPES = ['new', 'returning', 'vip'];
const CUSTOMER_TYPE_WEIGHTS = [0.28, 0.56, 0.16];
const MODEL_NOISE = {
  v1: { new: 1.1, returning: 0.6, vip: 0.5 },
  v2: { new: 0.9, returning: 0.42, vip: 0.35 },
};

const customers = [];
for (let i = 0; i < 2200; i++) {
  const affinity = CLASSES.map(() => normal(0, 1.15)); // this customer's own taste
  customers.push({
    id: i,
    type: pickWeighted(CUSTOMER_TYPES, CUSTOMER_TYPE_WEIGHTS),
    region: pickWeighted(REGIONS, REGION_WEIGHTS),
    affinity,
    accessories: normal(-2.0, 0.8), // a few customers love the new belts and scarves
    quizFavorite: CLASSES[argmax(affinity.map((a) => a + normal(0, 0.8)))], // the rule-based fallback
    v2Bucket: random() < 0.5, // rollout bucket during the 50/50 weeks
  });
}

// > 1: the taste decides the favorite more than the luck of what was in the box.
const TRUTH_SHARPNESS = 1.7;
function trueLogits(c, s) {
  const season = seasonLogits(s);
  const cold = REGION_COLD[c.region] * s;
  return CLASSES.map((_, k) => TRUTH_SHARPNESS * (season[k] + c.affinity[k] + (k >= 3 ? cold : 0)));
}

// What each model version believes. v1 was trained on summer data: its seasonal prior is frozen
// at s = 0, it knows nothing of regions, and it is overconfident. v2 was retrained in October with
// the date and region as features, and sees the customer's taste through less noise.
function modelLogits(version, c, s) {
  const noise = MODEL_NOISE[version][c.type];
  if (version === 'v1') {
    const season = seasonLogits(0);
    return CLASSES.map((_, k) => 1.5 * (season[k] + c.affinity[k] + normal(0, noise)));
  }
  const season = seasonLogits(s);
  const cold = REGION_COLD[c.region] * s;
  return CLASSES.map((_, k) => 1.2 * (season[k] + c.affinity[k] + (k >= 3 ? cold : 0) + normal(0, noise)));
}

// How each version logs its scores. v1 logs softmax probabilities floored at 0.001 with three
// decimals, so a row sums to 0.998 .. 1.004 rather than exactly 1. v2 has five one-vs-rest heads,
// and its export left out the step that normalizes them: it logs each head's sigmoid, and a row
// sums to anything from about 0.14 to 2.7 (median about 0.9). The ranking of the classes is intact.
function loggedScores(version, logits) {
  if (version === 'v1') return softmax(logits).map((p) => Math.max(p, 0.001).toFixed(3));
  return logits.map((l) => sigmoid(l - 2.2).toFixed(4));
}

// ---------------------------------------------------------------------------------------------
// Box requests, predictions and check-ins

const fmt = (ms) => new Date(ms).toISOString().slice(0, 19).replace('T', ' ');

const requests = [];
for (let day = FIRST_DAY; day <= LAST_DAY; day += DAY) {
  const weekday = new Date(day).getUTCDay(); // 0 = Sunday
  const weekend = weekday === 0 || weekday === 6;
  const growth = 1 + 0.1 * ((day - FIRST_DAY) / (LAST_DAY - FIRST_DAY));
  const n = Math.round((weekend ? 30 : 58) * growth * uniform(0.85, 1.15));
  for (let b = 0; b < n; b++) {
    // Customers request boxes around the clock, mostly in US daytime: 12:00 to 05:00 UTC.
    const requestedAt = day + Math.floor(uniform(12, 29) * HOUR) + randInt(0, 59) * SECOND;
    if (requestedAt > LAST_DAY + DAY - SECOND) continue; // the predictions extract ends with 2026-11-20
    requests.push({ requestedAt, customer: customers[randInt(0, customers.length - 1)] });
  }
}
requests.sort((a, b) => a.requestedAt - b.requestedAt);

const events = []; // prediction events
const feedback = []; // box_feedback rows
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
  requests: 0, dropped: 0, fallback: 0, relogged: 0, rescored: 0,
  boxesLate: 0, returnedAll: 0, stillOut: 0, edits: 0, accessories: 0,
};

let nextRequest = 1;
for (const r of requests) {
  const c = r.customer;
  const requestId = `rq_${String(nextRequest++).padStart(6, '0')}`;
  stats.requests++;
  const s = (r.requestedAt - FIRST_DAY) / (LAST_DAY + DAY - FIRST_DAY);
  const version =
    r.requestedAt >= V2_FULL_FROM ? 'v2' : r.requestedAt >= V2_SHARE_FROM && c.v2Bucket ? 'v2' : 'v1';
  const customerType = chance(0.035) ? '' : c.type;

  // The truth: the category this customer ends up keeping most of.
  const logits = trueLogits(c, s);
  const classes = [...CLASSES];
  if (r.requestedAt >= ACCESSORIES_FROM) {
    logits.push(c.accessories);
    classes.push(ACCESSORIES);
  }
  const favorite = pickWeighted(classes, softmax(logits));

  // 1. The prediction event (sometimes the tracker drops it: the check-in becomes an orphan).
  const dropped = chance(0.008);
  const predictedAt = r.requestedAt + randInt(1, 4) * SECOND;
  if (dropped) {
    stats.dropped++;
  } else {
    const base = { request_id: requestId, model_version: version, customer_type: customerType, region: c.region };
    const scoreRow = (modelLogits) => {
      const scores = loggedScores(version, modelLogits);
      const row = { predicted_category: CLASSES[argmax(modelLogits)] };
      CLASSES.forEach((k, i) => (row[`p_${k}`] = scores[i]));
      return row;
    };
    let row;
    if (chance(0.006)) {
      // The scoring service timed out: the app fell back to the sign-up quiz's favorite, no scores.
      stats.fallback++;
      row = { predicted_category: c.quizFavorite };
    } else {
      row = scoreRow(modelLogits(version, c, s));
    }
    events.push({ ...base, ...row, event_id: eventId(), predicted_at: predictedAt });
    // The tracker re-logs ~5% of events a few seconds to minutes later. Some retries re-scored the
    // request (the model samples a fresh embedding), with slightly different scores.
    let relogAt = predictedAt;
    let copies = chance(0.055) ? (chance(0.1) ? 2 : 1) : 0;
    while (copies-- > 0) {
      stats.relogged++;
      relogAt += chance(0.6) ? randInt(1, 30) * SECOND : randInt(60, 900) * SECOND;
      let again = row;
      if (row.p_shirt !== undefined && chance(0.3)) {
        stats.rescored++;
        again = scoreRow(modelLogits(version, c, s));
      }
      events.push({ ...base, ...again, event_id: eventId(), predicted_at: relogAt });
    }
  }

  // 2. The check-in, when the box comes back: ship, try on, mail back, check in.
  if (chance(0.012)) {
    stats.stillOut++;
    continue; // never sent back (yet)
  }
  let delayDays = 7 + 2.1 * (random() + random() + random());
  if (chance(0.07)) delayDays += uniform(1, 3); // warehouse backlog
  delayDays = Math.min(delayDays, 13.9);
  if (chance(0.025)) delayDays = uniform(15, 24); // the customer held on to the box: a late outcome
  const checkedInAt = r.requestedAt + Math.floor(delayDays * DAY);
  if (checkedInAt >= EXTRACT_AT) continue; // not back yet: pending
  if (delayDays > 14) stats.boxesLate++;
  const returnedAll = chance(0.065); // kept nothing, so there is no favorite: NULL
  if (returnedAll) stats.returnedAll++;
  if (!returnedAll && favorite === ACCESSORIES) stats.accessories++;
  feedback.push({
    request_id: requestId,
    checked_in_at: checkedInAt,
    favorite_category: returnedAll ? '' : favorite,
    items_kept: returnedAll ? 0 : randInt(1, 3),
  });
  // A few customers change their answer in the app the next day ("actually, the knitwear").
  if (!returnedAll && chance(0.012)) {
    const editAt = checkedInAt + Math.floor(uniform(18 * HOUR, 30 * HOUR));
    const other = CLASSES.filter((k) => k !== favorite)[randInt(0, CLASSES.length - 2)];
    if (editAt < EXTRACT_AT) {
      feedback.push({ request_id: requestId, checked_in_at: editAt, favorite_category: other, items_kept: randInt(1, 3) });
      stats.edits++;
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
feedback.sort(byTime('checked_in_at', 'request_id'));

write(
  'raw/category_predictions.csv',
  toCsv(
    ['event_id', 'request_id', 'predicted_at', 'predicted_category', ...CLASSES.map((k) => `p_${k}`), 'model_version', 'customer_type', 'region'],
    events.map((e) => ({ ...e, predicted_at: fmt(e.predicted_at) })),
  ),
);
write(
  'oltp/box_feedback.csv',
  toCsv(
    ['request_id', 'checked_in_at', 'favorite_category', 'items_kept'],
    feedback.map((f) => ({ ...f, checked_in_at: fmt(f.checked_in_at) })),
  ),
);

console.log(
  `styles seeds: ${events.length} prediction events (${stats.requests} box requests), ${feedback.length} box_feedback rows\n` +
    `  re-logged events ${stats.relogged} (re-scored ${stats.rescored}), untracked requests ${stats.dropped}, ` +
    `fallback predictions without scores ${stats.fallback}\n` +
    `  boxes back after 14 days ${stats.boxesLate}, returned everything ${stats.returnedAll}, never returned ${stats.stillOut}, ` +
    `answers edited ${stats.edits}, favorite = accessories ${stats.accessories}`,
);
