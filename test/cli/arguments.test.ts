// The command line's arguments, before anything touches the warehouse: an option given without a
// value is an error (not "every monitor" or "now"), --select and --exclude behave alike in every
// command that takes them, and an unknown command or option gets a "did you mean" in the words typed.
import { execFileSync } from 'node:child_process';
import { cpSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { main } from '../../src/cli/main.js';
import { captureOutput } from '../stdout.js';

const io = captureOutput();

const made: string[] = [];
afterAll(() => {
  for (const dir of made) rmSync(dir, { recursive: true, force: true });
});

/** The shop example with a second monitor, tagged nightly, in a file of its own. */
function shop(): string {
  const dir = mkdtempSync(join(tmpdir(), 'hindsight-args-'));
  made.push(dir);
  cpSync('examples/shop', dir, { recursive: true, filter: (src) => !src.includes(join('shop', 'target')) });
  const keep = readFileSync(join(dir, 'monitors', 'keep_probability.yml'), 'utf8');
  writeFileSync(join(dir, 'monitors', 'keep_nightly.yml'), keep.replace('name: keep_probability', 'name: keep_nightly\n    tags: [nightly]'));
  return dir;
}

describe('options without a value', () => {
  it.each([
    [['run', '-s']],
    [['run', '--full-refresh', '-s', '']],
    [['run', '--select=']],
    [['run', '-s', '--full-refresh']],
    [['build', '-s']],
    [['compile', '--select', ' ']],
    [['validate', '-s']],
    [['debug', '-s']],
    [['seed', '-s']],
  ])('%j is a usage error, not every monitor', async (args) => {
    const dir = shop();
    expect(await main([...args, '--project-dir', dir])).toBe(2);
    expect(io.err).toMatch(/^--select needs at least one selector \(a (monitor|seed) name/);
    expect(io.out).not.toMatch(/Loading|Running|compiled|OK/);
    expect(existsSync(join(dir, 'target', 'compiled'))).toBe(false);
  });

  it.each([[['run', '--exclude']], [['compile', '--exclude=']], [['seed', '--exclude', '']]])('%j is a usage error, not "exclude nothing"', async (args) => {
    expect(await main([...args, '--project-dir', shop()])).toBe(2);
    expect(io.err).toMatch(/^--exclude needs at least one selector .*; to exclude nothing, leave --exclude out/);
  });

  it.each([[['compile', '--as-of']], [['run', '--as-of=']], [['build', '--as-of', '', '--full-refresh']], [['run', '--as-of', '--full-refresh']]])('%j is a usage error, not now', async (args) => {
    expect(await main([...args, '--project-dir', shop()])).toBe(2);
    expect(io.err).toMatch(/^--as-of needs a UTC date or date-time \(e\.g\. 2026-11-21 or 2026-11-21T06:00:00Z\); leave --as-of out to mean now/);
    expect(io.out).not.toMatch(/Loading|Running|compiled/);
  });
});

describe('string options without a value', () => {
  // `--project-dir "$UNSET"` in a cron line ran the project of the working directory
  it.each([
    [['validate', '--project-dir=', '--profiles-dir', 'x'], /^--project-dir needs a value; leave the option out for its default/],
    [['run', '--project-dir', ''], /^--project-dir needs a value/],
    [['validate', '--target='], /^--target needs a value/],
    [['run', '-t', ' '], /^--target needs a value/],
    [['debug', '--profiles-dir='], /^--profiles-dir needs a value/],
    [['compile', '--profiles-dir'], /^Not enough arguments following: profiles-dir/],
    [['show', 'keep_probability', '--windows'], /^Not enough arguments following: windows/],
    [['show', 'keep_probability', '--metrics'], /^Not enough arguments following: metrics/],
    [['show', 'keep_probability', '--windows', 'many'], /^--windows expects a whole number of 1 or more, got a value that is not a number/],
    [['run', '--threads', 'abc'], /^--threads expects a whole number of 1 or more, got a value that is not a number/],
    [['run', '--threads', ''], /^--threads needs a value/],
    [['show', 'keep_probability', '--windows='], /^--windows needs a value/],
  ])('%j is a usage error', async (args, message) => {
    const dir = shop();
    const cwd = process.cwd();
    process.chdir(dir); // (a project here: the one an empty --project-dir would have run)
    try {
      expect(await main(args)).toBe(2);
    } finally {
      process.chdir(cwd);
    }
    expect(io.err).toMatch(message);
    expect(io.out).not.toMatch(/Loading|Running|compiled|OK/);
  });

  // yargs makes a list of an option given twice: --as-of failed with "text.trim is not a function"
  // (exit 1), --target looked for a target "dev,prod", --project-dir for a directory "a,b"
  it.each([
    [['compile', '--as-of', '2026-11-21', '--as-of', '2026-11-22'], '--as-of is given 2 times ("2026-11-21", "2026-11-22"); give it once'],
    [['run', '--as-of=2026-11-21', '--as-of', '2026-11-22', '--full-refresh'], '--as-of is given 2 times ("2026-11-21", "2026-11-22"); give it once'],
    [['validate', '-t', 'dev', '--target', 'prod'], '--target is given 2 times ("dev", "prod"); give it once'],
    [['compile', '--project-dir', '.', '--project-dir', 'other'], '--project-dir is given 2 times (".", "other"); give it once'],
    [['debug', '--profiles-dir', '.', '--profiles-dir', '.'], '--profiles-dir is given 2 times (".", "."); give it once'],
    [['run', '--threads', '1', '--threads', '2'], '--threads is given 2 times ("1", "2"); give it once'],
    [['show', 'keep_probability', '--granularity', 'day', '--granularity', 'week'], '--granularity is given 2 times ("day", "week"); give it once'],
    [['show', 'keep_probability', '--windows', '3', '--windows', '4'], '--windows is given 2 times ("3", "4"); give it once'],
  ])('%j is a usage error, not one value made of both', async (args, message) => {
    const dir = shop();
    const cwd = process.cwd();
    process.chdir(dir);
    try {
      expect(await main(args)).toBe(2);
    } finally {
      process.chdir(cwd);
    }
    expect(io.err).toBe(`${message}\nRun \`hindsight --help\` for usage.\n`);
    expect(io.out).not.toMatch(/Loading|Running|compiled|OK/);
  });

  it('show lists no --select or --exclude in its help, and says it takes neither', async () => {
    // (yargs ends the process after --help: in a process of its own)
    const help = execFileSync(process.execPath, ['--import', 'tsx', '-e', "import('./src/cli/main.ts').then((m) => m.main(['show', '--help']))"], { encoding: 'utf8' });
    expect(help).toMatch(/--windows/);
    expect(help).not.toMatch(/--select|--exclude/);
    // (its own options say what they do, as every other command's do)
    expect(help).toMatch(/--granularity\s+Which windows to print/);
    expect(help).toMatch(/--windows\s+How many of the latest windows/);
    expect(help).toMatch(/--metrics\s+Metrics to print/);
    // (a missing monitor is said with the monitors there are, not as yargs' "Not enough non-option arguments")
    expect(await main(['show', '--project-dir', shop()])).toBe(2);
    expect(io.err).toMatch(/^show takes the name of one monitor: hindsight show <monitor>; monitors: keep_nightly, keep_probability\n/);
    io.err = '';
    expect(await main(['show', 'keep_probability', '-s', 'x', '--project-dir', shop()])).toBe(2);
    expect(io.err).toMatch(/^show takes one monitor, as its argument/);
  });
});

describe('--select and --exclude in every command', () => {
  it('validate and compile select by tag, wildcard, path and file, and exclude', async () => {
    const dir = shop();
    expect(await main(['validate', '--project-dir', dir, '-s', 'tag:nightly'])).toBe(0);
    expect(io.out).toBe('OK: 1 of 2 monitor(s) in shop\n');
    io.out = '';
    expect(await main(['validate', '--project-dir', dir, '-s', 'keep_*', '--exclude', 'tag:nightly'])).toBe(0);
    expect(io.out).toBe('OK: 1 of 2 monitor(s) in shop\n');
    io.out = '';
    expect(await main(['compile', '--project-dir', dir, '--as-of', '2026-11-21', '-s', 'path:monitors/keep_nightly.yml keep_probability'])).toBe(0);
    expect(io.out).toMatch(/^compiled keep_nightly: .*\ncompiled keep_probability: /);
    io.out = '';
    expect(await main(['compile', '--project-dir', dir, '--as-of', '2026-11-21', '--select', 'keep_*,file:keep_nightly.yml'])).toBe(0);
    expect(io.out).toMatch(/^compiled keep_nightly: [^\n]*\n$/);
    io.out = '';
    expect(await main(['compile', '--project-dir', dir, '--as-of', '2026-11-21', '--exclude', 'keep_*'])).toBe(0);
    expect(io.out).toBe('Nothing to compile: no monitor is selected.\n');
  });

  it('run says when --exclude leaves nothing to run', async () => {
    const dir = shop();
    expect(await main(['run', '--project-dir', dir, '-s', 'tag:nightly', '--exclude', 'keep_nightly'])).toBe(0);
    expect(io.out).toMatch(/^\S+ +Nothing to run: --exclude leaves none of the 2 monitor\(s\) selected\.\n$/);
  });

  it.each([
    [['run', '-s', 'tag:nighty'], /^--select: no monitor has a tag matching "nighty" \(did you mean "tag:nightly"\?\); tags: nightly$/m],
    [['build', '-s', '+keep_probability'], /^--select \+keep_probability: graph operators \(\+ and @, dbt's parents and children\) are not supported: monitors do not depend on one another; select "keep_probability" itself$/m],
    [['compile', '--exclude', 'state:modified'], /^--exclude state:modified: dbt's selection method "state:" is not supported/m],
    [['debug', '-s', 'path:monitors/nope'], /^--select: path:monitors\/nope: no such file or directory/m],
    [['validate', '-s', 'keep_nightly,keep_probability'], /^--select keep_nightly,keep_probability: no monitor matches all of keep_nightly, keep_probability \(a comma joins criteria/m],
    [['seed', '-s', 'tag:nightly'], /^--select tag:nightly: seeds have no tags/m],
    [['show', 'keep_probability', '--exclude', 'keep_nightly'], /^show takes one monitor, as its argument \(`hindsight show <monitor>`\), not --select or --exclude$/m],
  ])('%j is a usage error before anything runs', async (args, message) => {
    expect(await main([...args, '--project-dir', shop()])).toBe(2);
    expect(io.err).toMatch(message);
    expect(io.out).not.toMatch(/Loading|Running|compiled/);
  });
});

describe('unknown commands and options', () => {
  it.each([
    [['run', '--ful-refresh'], 'unknown option --ful-refresh for run (did you mean --full-refresh?)'],
    [['run', '--fulRefresh'], 'unknown option --fulRefresh for run (did you mean --full-refresh?)'],
    [['run', '--ful-refresh=true', '--thread', '2'], 'unknown option --ful-refresh for run (did you mean --full-refresh?)\nunknown option --thread for run (did you mean --threads?)'],
    [['compile', '--exlude', 'x'], 'unknown option --exlude for compile (did you mean --exclude?)'],
    [['validate', '--full-refresh'], 'unknown option --full-refresh for validate (an option of run, seed, build, not of validate)'],
    [['compile', '-S', 'keep_probability'], 'unknown option -S for compile (did you mean -s?)'],
    [['run', '-full-refresh'], 'unknown option -full-refresh for run (did you mean --full-refresh?)'],
    [['run', '--no-partial-pars'], 'unknown option --no-partial-pars for run (did you mean --no-partial-parse?)'],
    [['rnu', '-s', 'x'], 'unknown command "rnu" (did you mean "run"?); commands: init, validate, compile, run, seed, build, show, debug, schema'],
    [['run', 'keep_probability'], 'run takes no argument "keep_probability"; to pick monitors, use --select (-s keep_probability)'],
    [['complie'], 'unknown command "complie" (did you mean "compile"?); commands: init, validate, compile, run, seed, build, show, debug, schema'],
    // options before the command, and their values, are not the command
    [['--profiles-dir', 'shop', 'validate', '--full-refresh'], 'unknown option --full-refresh for validate (an option of run, seed, build, not of validate)'],
    [['-t', 'dev', 'validate', '--bogus'], 'unknown option --bogus for validate'],
    // yargs's own checks are usage errors too (exit 2)
    [['run', '--threads'], 'Not enough arguments following: threads'],
  ])('%j', async (args, message) => {
    expect(await main([...args, '--project-dir', 'nowhere'])).toBe(2);
    expect(io.err).toBe(`${message}\nRun \`hindsight --help\` for usage.\n`);
    expect(io.err).not.toMatch(/Unknown argument/);
  });

  it('keeps accepting what yargs accepts: camelCase, negations, short flags', async () => {
    const dir = shop();
    expect(await main(['validate', '--projectDir', dir, '--no-partial-parse', '-s', 'keep_nightly'])).toBe(0);
    expect(io.out).toBe('OK: 1 of 2 monitor(s) in shop\n');
  });
});
