// Compile time of many monitors: a project with N monitors (the benchmark monitor under N names,
// 100 per file) is loaded and compiled for both warehouses, through the same functions as
// `hindsight validate` / `hindsight compile`. Runs in a child process so module loading is excluded
// from the timings but reported. Then what a user waits for: the CLI, `node bin/hindsight.js
// compile` (built to dist/), in a new process each time, into an empty target/ and over its files.
import { execFileSync, spawn } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { stringify } from 'yaml';
import { monitorConfig, writeProject } from './project.js';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const CLI_REPEAT = 5;

/** Wall seconds of one CLI run, and the CPU seconds its process spent in user code and in the kernel. */
interface CliTiming {
  wall: number;
  user: number;
  system: number;
}

/**
 * Loaded before the CLI (`node --import`): on exit, writes the process's CPU time to the file named by
 * HINDSIGHT_BENCH_CPU_USAGE (Node gives a parent no child's resource usage).
 */
const REPORT_CPU_USAGE =
  'data:text/javascript,' +
  encodeURIComponent(
    `import { writeFileSync } from 'node:fs';` +
      `process.on('exit', () => writeFileSync(process.env.HINDSIGHT_BENCH_CPU_USAGE, JSON.stringify(process.cpuUsage())));`,
  );

/** The median of some timings as `name`, with their least and greatest as `nameMin` and `nameMax`. */
function spread(name: string, seconds: number[]): Record<string, number> {
  const sorted = [...seconds].sort((a, b) => a - b);
  return { [name]: sorted[Math.floor(sorted.length / 2)]!, [`${name}Min`]: sorted[0]!, [`${name}Max`]: sorted.at(-1)! };
}

function writeManyMonitors(dir: string, n: number): void {
  writeProject(dir, { type: 'duckdb', path: ':memory:' }, []);
  rmSync(join(dir, 'monitors', 'bench.yml'));
  mkdirSync(join(dir, 'monitors'), { recursive: true });
  for (let f = 0; f < Math.ceil(n / 100); f++) {
    const monitors = [];
    for (let i = f * 100; i < Math.min(n, (f + 1) * 100); i++) monitors.push(monitorConfig(`monitor_${String(i).padStart(4, '0')}`));
    writeFileSync(join(dir, 'monitors', `m${String(f).padStart(2, '0')}.yml`), stringify({ monitors }));
  }
}

/** In the child: timings of loading and compiling. */
async function inChild(dir: string): Promise<Record<string, number>> {
  const t0 = performance.now();
  const { loadProject } = await import('../src/config/load.js');
  const { compileMonitor } = await import('../src/compiler/compile.js');
  const { dialectFor } = await import('../src/dialects/index.js');
  const commands = await import('../src/cli/commands.js');
  const imported = performance.now();
  const project = loadProject(dir);
  const loaded = performance.now();
  const asOf = new Date('2026-04-05T00:00:00Z');
  const out: Record<string, number> = { monitors: project.monitors.length, importSeconds: (imported - t0) / 1000, loadSeconds: (loaded - imported) / 1000 };
  for (const d of ['duckdb', 'postgres']) {
    const t = performance.now();
    let chars = 0;
    for (const monitor of project.monitors) {
      for (const step of compileMonitor({ monitor, schema: 'hindsight', dialect: dialectFor(d), run: { asOf, runId: 'x', computedAt: asOf } })) chars += step.sql.length;
    }
    out[`renderSeconds_${d}`] = (performance.now() - t) / 1000;
    out[`sqlCharacters_${d}`] = chars;
  }
  // `hindsight compile` end to end (load, render, write target/compiled/), DuckDB profile
  const t = performance.now();
  await commands.compile({ projectDir: dir, asOf: '2026-04-05' });
  out.hindsightCompileSeconds = (performance.now() - t) / 1000;
  out.maxRssBytes = process.resourceUsage().maxRSS * 1024;
  return out;
}

export async function benchCompile(n: number): Promise<Record<string, number>> {
  const dir = mkdtempSync(join(tmpdir(), 'hindsight-bench-compile-'));
  writeManyMonitors(dir, n);
  const result = await new Promise<Record<string, number>>((resolvePromise, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', join(ROOT, 'bench', 'compile.ts'), dir], { cwd: ROOT, stdio: ['ignore', 'pipe', 'inherit'] });
    let out = '';
    child.stdout.on('data', (d) => (out += d));
    child.on('exit', (code) => {
      const line = out.split('\n').find((l) => l.startsWith('BENCH_RESULT '));
      if (!line) reject(new Error(`compile benchmark exited ${code}`));
      else resolvePromise(JSON.parse(line.slice(13)));
    });
  });
  execFileSync('npm', ['run', 'build', '--silent'], { cwd: ROOT, stdio: 'inherit' });
  const target = join(dir, 'target');
  const cli = (...extra: string[]): CliTiming => {
    const usage = join(dir, 'cpu-usage.json');
    const t = performance.now();
    execFileSync(process.execPath, ['--import', REPORT_CPU_USAGE, join(ROOT, 'bin', 'hindsight.js'), 'compile', '--project-dir', dir, '--as-of', '2026-04-05', ...extra], {
      stdio: 'ignore',
      env: { ...process.env, HINDSIGHT_BENCH_CPU_USAGE: usage },
    });
    const wall = (performance.now() - t) / 1000;
    const { user, system } = JSON.parse(readFileSync(usage, 'utf8')) as { user: number; system: number };
    return { wall, user: user / 1e6, system: system / 1e6 };
  };
  // Into an empty target/ (so without the partial-parse cache too), CLI_REPEAT times. The previous
  // target/ is moved aside, not deleted, and the moved ones are deleted at the end: on ext4 without
  // a journal (the machine the project is built on), creating files soon after thousands were
  // deleted costs the kernel up to ~0.8 ms per file, which made one run after `rm -rf target` take
  // 3.4–7.5 s of wall time (up to 6.5 s of it system CPU) where the same compile took 1.5 s
  // (docs/performance.md, compile time). The system CPU is reported apart for the same reason.
  const empty: CliTiming[] = [];
  for (let i = 0; i < CLI_REPEAT; i++) {
    if (existsSync(target)) renameSync(target, join(dir, `moved-target-${i}`));
    empty.push(cli());
  }
  // Then over its files, with the cache and with --no-partial-parse alternately: one run is noise here.
  const cached: CliTiming[] = [];
  const parsed: CliTiming[] = [];
  for (let i = 0; i < CLI_REPEAT; i++) {
    cached.push(cli());
    parsed.push(cli('--no-partial-parse'));
  }
  for (const [name, timings] of [['cliSecondsEmptyTarget', empty], ['cliSecondsExistingTarget', cached], ['cliSecondsNoPartialParse', parsed]] as const) {
    Object.assign(result, spread(name, timings.map((x) => x.wall)), spread(`${name}User`, timings.map((x) => x.user)), spread(`${name}System`, timings.map((x) => x.system)));
  }
  rmSync(dir, { recursive: true, force: true });
  return result;
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const dir = process.argv[2];
  if (dir) {
    const r = await inChild(dir);
    process.stdout.write(`BENCH_RESULT ${JSON.stringify(r)}\n`);
  } else {
    console.log(JSON.stringify(await benchCompile(1000), null, 2));
  }
}
