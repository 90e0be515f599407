// One `hindsight run` of a checkout's CLI in a new process, timed against a throwaway Postgres server:
// its wall seconds, the server's CPU seconds (every backend, from /proc) and each step's wall seconds as
// the CLI prints them. Shared by the Postgres A/B prototypes (postgres-ab.ts, postgres-metrics-scale.ts).
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { postgresCpuSeconds } from '../postgres.js';

export function timedCliRun(checkout: string, args: string[], cwd: string, dataDir: string): string {
  const cpu0 = postgresCpuSeconds(dataDir);
  const t = performance.now();
  const out = execFileSync('node', [join(checkout, 'bin/hindsight.js'), ...args], { cwd, encoding: 'utf8' });
  const wall = (performance.now() - t) / 1000;
  const steps = [...out.matchAll(/bench\w* (\w+)[ .]+\d+ rows in ([\d.]+)s/g)].map((m) => `${m[1]} ${m[2]}`).join(', ');
  return `wall ${wall.toFixed(2)} s, server CPU ${(postgresCpuSeconds(dataDir) - cpu0).toFixed(2)} s  ${steps}`;
}
