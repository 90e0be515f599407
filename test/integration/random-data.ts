// Randomized prediction and outcome events with everything the contract has rules for: re-logged
// duplicates (some at the very same time), tied scores, filtered rows, NULL versions and segments
// (and empty ones), late corrections, outcomes before the prediction, late outcomes and orphans.
import type { Fixture } from './harness.js';

export function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const HOUR = 3_600_000;
const DAY = 24 * HOUR;

export interface RandomOptions {
  seed: number;
  predictions: number;
  start: Date;
  days: number;
  /** Outcome delays are spread over 0..maxDelayDays (past the window: late ones). */
  maxDelayDays: number;
}

export function randomFixture(o: RandomOptions): Fixture {
  const rand = prng(o.seed);
  const pick = <T>(xs: T[]): T => xs[Math.floor(rand() * xs.length)]!;
  const at = (ms: number) => new Date(Math.round(ms / 1000) * 1000);
  const fixture: Fixture = { predictions: [], outcomes: [] };
  for (let i = 0; i < o.predictions; i++) {
    const key = [`p${String(i).padStart(5, '0')}`];
    const ts = at(o.start.getTime() + rand() * o.days * DAY);
    const score = Math.round(rand() * 20) / 20; // ties on purpose
    const event = {
      key,
      ts,
      score: rand() < 0.01 ? null : score,
      modelVersion: rand() < 0.1 ? null : pick(['v1', 'v2']),
      segments: {
        seg_a: rand() < 0.1 ? null : pick(['a', 'b', 'c', '']), // ('' is a value, not NULL)
        seg_b: pick(['x1', 'x1', 'x1', 'x2', 'x2', 'x3', 'x4', 'x5', 'x6']),
      },
      environment: rand() < 0.05 ? 'staging' : 'production',
    };
    fixture.predictions.push(event);
    const duplicates = rand() < 0.1 ? 1 + Math.floor(rand() * 2) : 0;
    for (let k = 0; k < duplicates; k++) {
      const sameTime = rand() < 0.3;
      fixture.predictions.push({
        ...event,
        ts: sameTime ? ts : at(ts.getTime() + rand() * 2 * HOUR),
        score: Math.round(rand() * 20) / 20,
      });
    }
    const u = rand();
    const label = rand() < (event.score ?? 0.5) * 0.8 + 0.1 ? 1 : 0;
    if (u < 0.8) {
      const obs = at(ts.getTime() + rand() * o.maxDelayDays * DAY);
      fixture.outcomes.push({ key, ts: obs, label });
      if (rand() < 0.1) fixture.outcomes.push({ key, ts: at(obs.getTime() + rand() * 2 * DAY), label: 1 - label });
    } else if (u < 0.83) {
      fixture.outcomes.push({ key, ts: at(ts.getTime() - rand() * 20 * DAY), label }); // early or too early
    }
  }
  for (let i = 0; i < o.predictions / 20; i++) {
    fixture.outcomes.push({ key: [`orphan${i}`], ts: at(o.start.getTime() + rand() * o.days * DAY), label: rand() < 0.5 ? 1 : 0 });
  }
  // an event exactly at the window edge, and its outcome exactly `within` later, is covered by the fixtures
  return fixture;
}

/** The events the monitor's `where` keeps (the reference takes filtered input). */
export function productionOnly(f: Fixture): Fixture {
  return { predictions: f.predictions.filter((p) => (p.environment ?? 'production') === 'production'), outcomes: f.outcomes };
}
