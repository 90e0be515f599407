#!/usr/bin/env node
// Generates the seed data of the `demand` example: the weekly demand forecast of a clothing
// retailer's stores, per store and garment category, monitored by hindsight.
//
//   seeds/raw/demand_forecasts.csv   what the forecasting job published every Sunday night
//   seeds/oltp/daily_sales.csv       units sold per store, category and day, loaded every morning
//
// Plain Node, no dependencies. Everything random comes from one seeded PRNG, so the output is
// byte-identical on every run: `node examples/demand/scripts/generate_seeds.mjs`.
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const SEED = 20261121;
const HOUR = 3_600_000;
const DAY = 24 * HOUR;
const WEEK = 7 * DAY;

const FIRST_SALES_DAY = Date.UTC(2026, 5, 1); // Monday 2026-06-01: the first day in the extract
const LAST_SALES_DAY = Date.UTC(2026, 10, 20); // Friday 2026-11-20: the extract ends that night
const FIRST_FORECAST = Date.UTC(2026, 7, 30, 22); // Sunday 2026-08-30 22:00
const LAST_FORECAST = Date.UTC(2026, 10, 15, 22); // Sunday 2026-11-15 22:00
const HORIZONS = 6; // each run forecasts the next six weeks
const V2_SHARE_FROM = Date.UTC(2026, 9, 11, 22); // runs of 10-11 and 10-18: v2 for the odd stores
const V2_FULL_FROM = Date.UTC(2026, 9, 25, 22); // from the run of 10-25: v2 everywhere
const COLD_SNAP = Date.UTC(2026, 9, 12); // the week the weather turns
const RENOVATION = Date.UTC(2026, 8, 14); // st04 is closed the week of Monday 2026-09-14
const NEW_STORE_OPENS = Date.UTC(2026, 8, 28); // st10 opens Monday 2026-09-28
const LATE_EXPORT = { store: 'st07', week: Date.UTC(2026, 9, 19), loadedAt: Date.UTC(2026, 10, 9, 14, 20) };
const REPUBLISHED = { run: Date.UTC(2026, 9, 25, 22), region: 'north', at: Date.UTC(2026, 9, 26, 9, 40) };

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
function normal(mean = 0, sd = 1) {
  const u = 1 - random();
  const v = random();
  return mean + sd * Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * v);
}
/** A Poisson draw (normal approximation above 30). */
function poisson(mean) {
  if (mean <= 0) return 0;
  if (mean > 30) return Math.max(0, Math.round(normal(mean, Math.sqrt(mean))));
  const limit = Math.exp(-mean);
  let k = 0;
  let p = random();
  while (p > limit) {
    k++;
    p *= random();
  }
  return k;
}
const sigmoid = (x) => 1 / (1 + Math.exp(-x));

// ---------------------------------------------------------------------------------------------
// Stores, categories, true demand

const STORES = [
  { id: 'st01', region: 'north', size: 1.5 }, { id: 'st02', region: 'north', size: 0.9 }, { id: 'st03', region: 'north', size: 0.7 },
  { id: 'st04', region: 'central', size: 1.3 }, { id: 'st05', region: 'central', size: 1.0 }, { id: 'st06', region: 'central', size: 0.6 },
  { id: 'st07', region: 'south', size: 1.2 }, { id: 'st08', region: 'south', size: 0.8 }, { id: 'st09', region: 'south', size: 0.5 },
  { id: 'st10', region: 'south', size: 1.0, opens: NEW_STORE_OPENS },
];
// weekly units of an average store in summer, and how much the cold snap moves each category
const CATEGORIES = {
  tops: { base: 42, cold: -0.25 },
  bottoms: { base: 30, cold: 0.05 },
  dresses: { base: 20, cold: -0.45 },
  knitwear: { base: 12, cold: 1.3 },
  outerwear: { base: 7, cold: 1.9 },
  accessories: { base: 10, cold: 0.35 },
};
const WEEKDAY = [1.35, 0.8, 0.8, 0.85, 0.95, 1.15, 1.1]; // Sunday .. Saturday, mean 1.0
const storeTaste = Object.fromEntries(STORES.map((s) => [s.id, Object.fromEntries(Object.keys(CATEGORIES).map((c) => [c, Math.exp(normal(0, 0.15))]))]));

/** Expected units of a store and category on a day. */
function expectedDaily(store, category, day) {
  const c = CATEGORIES[category];
  const season = 1 + c.cold * sigmoid((day - COLD_SNAP) / (6 * DAY)); // the weather turns over ~3 weeks
  const drift = 1 + 0.04 * Math.sin((day - FIRST_SALES_DAY) / (45 * DAY)); // promotions come and go
  const weekday = WEEKDAY[new Date(day).getUTCDay()];
  return (c.base / 7) * store.size * storeTaste[store.id][category] * season * drift * weekday;
}
const expectedWeekly = (store, category, weekStart) => {
  let sum = 0;
  for (let d = 0; d < 7; d++) sum += expectedDaily(store, category, weekStart + d * DAY);
  return sum;
};

// ---------------------------------------------------------------------------------------------
// Daily sales, loaded the next morning

const fmt = (ms) => new Date(ms).toISOString().slice(0, 19).replace('T', ' ');
const fmtDay = (ms) => new Date(ms).toISOString().slice(0, 10);
const sales = [];
const weekly = new Map(); // store|category|weekStart -> units (complete weeks as loaded)
const stats = { renovationDays: 0, lateRows: 0 };
for (let day = FIRST_SALES_DAY; day <= LAST_SALES_DAY; day += DAY) {
  const loadedAt = day + DAY + 6 * HOUR + Math.floor(uniform(0, 50)) * 60_000; // the morning after, 06:00-06:50
  const weekStart = day - ((new Date(day).getUTCDay() + 6) % 7) * DAY;
  for (const store of STORES) {
    if (store.opens && day < store.opens) continue;
    const closed = store.id === 'st04' && day >= RENOVATION && day < RENOVATION + WEEK;
    if (closed) stats.renovationDays++;
    const late = store.id === LATE_EXPORT.store && weekStart === LATE_EXPORT.week;
    if (late) stats.lateRows++;
    for (const category of Object.keys(CATEGORIES)) {
      const units = closed ? 0 : poisson(expectedDaily(store, category, day));
      sales.push({ store_id: store.id, category, sale_date: fmtDay(day), units, loaded_at: fmt(late ? LATE_EXPORT.loadedAt : loadedAt) });
      const key = `${store.id}|${category}|${weekStart}`;
      weekly.set(key, (weekly.get(key) ?? 0) + units);
    }
  }
}

// ---------------------------------------------------------------------------------------------
// Forecasts: every Sunday at 22:00 for the six weeks from the next Monday

/** v1: the mean of the last four complete weeks the job could see (it lags a change of season). */
function v1Point(store, category, run) {
  const seen = [];
  for (let w = run + 2 * HOUR - WEEK; seen.length < 4 && w >= FIRST_SALES_DAY; w -= WEEK) {
    const v = weekly.get(`${store.id}|${category}|${w}`);
    const hidden = store.id === LATE_EXPORT.store && w === LATE_EXPORT.week && run < LATE_EXPORT.loadedAt;
    if (v !== undefined && !hidden && !(store.id === 'st04' && w === RENOVATION)) seen.push(v);
  }
  // a new store starts from the chain's average for the category, scaled by its planned size
  if (seen.length === 0) return CATEGORIES[category].base * store.size;
  return seen.reduce((a, b) => a + b, 0) / seen.length;
}

/** v2: knows the weather forecast; off by a few percent, more the further ahead. */
const v2Point = (store, category, weekStart, h) => expectedWeekly(store, category, weekStart) * Math.exp(normal(0, 0.05 + 0.015 * h));

const round1 = (x) => Math.max(0, Math.round(x * 10) / 10).toFixed(1);
const forecasts = [];
stats.duplicates = 0;
stats.republished = 0;
for (let run = FIRST_FORECAST; run <= LAST_FORECAST; run += WEEK) {
  const publishedAt = run + 12 * 60_000 + Math.floor(uniform(0, 300)) * 1000;
  for (const [i, store] of STORES.entries()) {
    if (store.opens && run + 2 * HOUR < store.opens) continue;
    const version = run >= V2_FULL_FROM ? 'v2' : run >= V2_SHARE_FROM && i % 2 === 0 ? 'v2' : 'v1';
    for (const category of Object.keys(CATEGORIES)) {
      for (let h = 1; h <= HORIZONS; h++) {
        const weekStart = run + 2 * HOUR + (h - 1) * WEEK;
        const point = version === 'v1' ? v1Point(store, category, run) * Math.exp(normal(0, 0.04)) : v2Point(store, category, weekStart, h);
        // v1's interval is too narrow once the season turns; v2's widens with the horizon
        const spread = version === 'v1' ? 0.13 * point + 1 : (0.14 + 0.02 * h) * point + 1.5;
        // the run of 10-25 had a bad weather feed for the north: its first copy is well off
        const republish = run === REPUBLISHED.run && store.region === REPUBLISHED.region;
        const row = {
          store_id: store.id,
          region: store.region,
          category,
          forecast_at: fmt(run),
          week_start: fmtDay(weekStart),
          units: round1(point * (republish ? 1.35 : 1)),
          p10: round1(point - 1.2816 * spread),
          p50: round1(point * 0.98),
          p90: round1(point + 1.2816 * spread),
          model_version: version,
          published_at: fmt(publishedAt),
        };
        forecasts.push(row);
        // the publisher retries now and then: an identical copy a minute later
        if (chance(0.03)) {
          forecasts.push({ ...row, published_at: fmt(publishedAt + 60_000) });
          stats.duplicates++;
        }
        // ... and it was re-run the next morning: the later copy replaces it
        if (republish) {
          const fixed = v2Point(store, category, weekStart, h);
          forecasts.push({
            ...row,
            units: round1(fixed),
            p10: round1(fixed - 1.2816 * ((0.14 + 0.02 * h) * fixed + 1.5)),
            p50: round1(fixed * 0.98),
            p90: round1(fixed + 1.2816 * ((0.14 + 0.02 * h) * fixed + 1.5)),
            published_at: fmt(REPUBLISHED.at),
          });
          stats.republished++;
        }
      }
    }
  }
}

// ---------------------------------------------------------------------------------------------
// Output

function toCsv(columns, rows) {
  const lines = [columns.join(',')];
  for (const row of rows) lines.push(columns.map((c) => (row[c] === null || row[c] === undefined ? '' : String(row[c]))).join(','));
  return lines.join('\n') + '\n';
}
function write(relPath, content) {
  const path = join(dirname(fileURLToPath(import.meta.url)), '..', 'seeds', relPath);
  mkdirSync(dirname(path), { recursive: true });
  writeFileSync(path, content);
}

write('raw/demand_forecasts.csv', toCsv(
  ['store_id', 'region', 'category', 'forecast_at', 'week_start', 'units', 'p10', 'p50', 'p90', 'model_version', 'published_at'],
  forecasts,
));
write('oltp/daily_sales.csv', toCsv(['store_id', 'category', 'sale_date', 'units', 'loaded_at'], sales));

console.log(
  `demand seeds: ${forecasts.length} forecast rows (${stats.duplicates} retried copies, ${stats.republished} re-published), ` +
    `${sales.length} daily sales rows (st04 closed ${stats.renovationDays} days, ${stats.lateRows} days of st07 loaded late)`,
);
