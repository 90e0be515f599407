// hindsight's command line, in dbt's vocabulary. Exit codes: 0 ok, 1 a run failed, 2 bad configuration.
import yargs, { type Options } from 'yargs';
import { closest } from '../config/suggest.js';
import { ConfigError, UsageError } from '../errors.js';
import { HINDSIGHT_VERSION } from '../version.js';
import * as commands from './commands.js';
import { initProject } from './init.js';
import { show } from './show.js';
import { writeJsonSchemas } from './json-schema.js';
import { debug as runDebug } from './debug.js';

// Each command's options, as data: yargs is given them, and an unknown option is compared with them
// for a "did you mean" (yargs's own message names its camelCase twin too, and suggests nothing).
const SELECTION = 'names (wildcards: m_*), tag:<tag>, path:<directory or file>, file:<file name>; space-separated: any of them, comma-joined (a,b): all of them';
const COMMON = {
  'project-dir': { type: 'string', default: '.', requiresArg: true, describe: 'Directory with hindsight.yml' },
  'profiles-dir': { type: 'string', requiresArg: true, describe: 'Directory with profiles.yml (default: $HINDSIGHT_PROFILES_DIR, else the project dir, then ~/.hindsight)' },
  target: { alias: 't', type: 'string', requiresArg: true, describe: "Target in the profile (default: $HINDSIGHT_TARGET, else the profile's `target`)" },
  select: { alias: 's', type: 'string', array: true, describe: `Monitors to include (default: all): ${SELECTION}` },
  exclude: { type: 'string', array: true, describe: 'Monitors to leave out, in --select\'s syntax' },
  'partial-parse': { type: 'boolean', default: true, describe: 'Reuse target/partial_parse.json for monitor files that have not changed (--no-partial-parse: parse every file)' },
} as const satisfies Record<string, Options>;

const AS_OF = { type: 'string', describe: 'Treat this UTC time as now (e.g. 2026-11-21); default: now' } as const satisfies Options;

const RUN = {
  ...COMMON,
  'full-refresh': { type: 'boolean', default: false, describe: 'Rebuild every window instead of only the ones new data can change' },
  'as-of': AS_OF,
  // (read as text: yargs takes an empty value of a number option for 0)
  threads: { type: 'string', requiresArg: true, describe: "How many monitors run at once, each in a session of its own (default: the target's threads, else 1)" },
} as const satisfies Record<string, Options>;

const COMMANDS = {
  init: {},
  validate: COMMON,
  compile: { ...COMMON, 'as-of': AS_OF },
  run: { ...RUN, 'dry-run': { type: 'boolean', default: false, describe: 'Only report the bytes each step of a full refresh would process (BigQuery); run nothing' } },
  seed: {
    ...COMMON,
    // (dbt seed --full-refresh drops and recreates each table; hindsight's seed always replaces it)
    'full-refresh': { type: 'boolean', default: false, describe: "Accepted, as in dbt: seed always replaces each table (its columns and types are the CSV's)" },
    select: { ...COMMON.select, describe: `Seeds to load, by table (orders or raw.orders; default: all): ${SELECTION.replace('m_*', 'raw.*').replace(' tag:<tag>,', '')}` },
    exclude: { ...COMMON.exclude, describe: 'Seeds to leave out, in --select\'s syntax' },
  },
  build: RUN,
  show: {
    ...COMMON,
    // (given to say that show takes none, not listed in its help)
    select: { ...COMMON.select, hidden: true },
    exclude: { ...COMMON.exclude, hidden: true },
    granularity: { type: 'string', choices: ['day', 'week', 'month'], describe: "Which windows to print (default: the monitor's longest)" },
    windows: { type: 'string', default: '8', requiresArg: true, describe: 'How many of the latest windows to print' },
    metrics: { type: 'string', array: true, requiresArg: true, describe: 'Metrics to print, as named in hindsight_metrics (default: a few of its problem type)' },
  },
  debug: COMMON,
  schema: {},
} as const satisfies Record<string, Record<string, Options>>;

/** Options of every command (yargs's own beside them). */
const GLOBAL: Record<string, Options> = { debug: { type: 'boolean' }, help: { type: 'boolean' }, version: { type: 'boolean' } };

const runArgs = (a: Args) => ({ ...opts(a), asOf: a['as-of'] as string | undefined, fullRefresh: Boolean(a['full-refresh']), threads: numberOption(a, 'threads') });

type Args = Record<string, unknown>;

/**
 * A string option's value; given without one (`--project-dir ""`, `--target=`, an unset variable in a
 * cron line), an error, never the default: `--project-dir $UNSET` ran the project of the working
 * directory.
 */
function given(a: Args, name: string): string | undefined {
  const value = a[name];
  if (value === undefined) return undefined;
  if (String(value).trim() === '') throw new UsageError(`--${name} needs a value; leave the option out for its default`);
  return String(value);
}

/** show --metrics a,b c: the names; given with none (`--metrics ''`), an error, not "no metric ''". */
function metricsOption(values: string[] | undefined): string[] | undefined {
  const names = values?.flatMap((s) => s.split(',')).map((s) => s.trim()).filter(Boolean);
  if (values !== undefined && names!.length === 0) throw new UsageError('--metrics needs a metric name (e.g. roc_auc); leave it out for the default metrics');
  return names;
}

/** A number option's value, read from its text (NaN for one that is no number, which the command refuses); empty, an error. */
function numberOption(a: Args, name: string): number | undefined {
  const text = given(a, name);
  return text === undefined ? undefined : Number(text);
}

const opts = (a: Args): commands.CommonOptions => ({
  projectDir: given(a, 'project-dir') ?? '.',
  profilesDir: given(a, 'profiles-dir'),
  target: given(a, 'target'),
  // (given without a selector, an empty list: an error, not every monitor; select.ts)
  select: a.select as string[] | undefined,
  exclude: a.exclude as string[] | undefined,
  partialParse: a['partial-parse'] !== false,
  debug: a.debug === true,
});

/** Names (and aliases) of the options of any command that take a value: the token after one is its value. */
const TAKES_VALUE = new Set(
  Object.values(COMMANDS).flatMap((options) =>
    Object.entries(options as Record<string, Options>).filter(([, o]) => o.type !== 'boolean').flatMap(([name, o]) => [name, ...[o.alias ?? []].flat()])),
);

/**
 * Names of the options that take one value (a string option that is not a list). yargs makes a list
 * of one given twice (`--as-of 2026-11-21 --as-of 2026-11-22`), which the commands read as one value:
 * `--as-of` failed with "text.trim is not a function" (exit 1), `--target dev --target prod` looked
 * for a target "dev,prod".
 */
const SINGLE_VALUED = new Set(
  Object.values(COMMANDS).flatMap((options) =>
    Object.entries(options as Record<string, Options>).filter(([, o]) => o.type === 'string' && !o.array).map(([name]) => name)),
);

/** An option that takes one value given more than once: a usage error, naming the values, not one of them picked. */
function givenOnce(a: Args): void {
  for (const name of SINGLE_VALUED) {
    const value = a[name];
    if (Array.isArray(value)) throw new UsageError(`--${name} is given ${value.length} times (${value.map((v) => JSON.stringify(String(v))).join(', ')}); give it once`);
  }
}

/** The command among the arguments: the first that is neither an option nor an option's value (`--project-dir shop validate`). */
function commandOf(tokens: string[]): string | undefined {
  for (let i = 0; i < tokens.length; i++) {
    const token = tokens[i]!;
    if (!token.startsWith('-')) return token;
    if (!token.includes('=') && TAKES_VALUE.has(token.replace(/^--?/, ''))) i++;
  }
  return undefined;
}

const camelCase = (name: string) => name.replace(/-([a-z])/g, (_, c: string) => c.toUpperCase());

/**
 * What yargs's "Unknown argument(s): ful-refresh, fulRefresh" is about, in the words the user typed:
 * an unknown command or option, with the closest known one, or an argument the command does not take.
 */
export function unknownArguments(message: string, argv: string[]): string | undefined {
  const end = argv.indexOf('--');
  const tokens = end === -1 ? argv : argv.slice(0, end);
  const command = commandOf(tokens);
  const names = Object.keys(COMMANDS);
  if (command !== undefined && !names.includes(command)) {
    const near = closest(command, names);
    return `unknown command "${command}"${near ? ` (did you mean "${near}"?)` : ''}; commands: ${names.join(', ')}`;
  }
  const options: Record<string, Options> = { ...GLOBAL, ...(command ? COMMANDS[command as keyof typeof COMMANDS] : {}) };
  const long = new Set<string>();
  const short = new Set<string>();
  for (const [name, o] of Object.entries(options)) {
    for (const n of [name, ...[o.alias ?? []].flat()]) (n.length === 1 ? short : long).add(n);
  }
  const known = (name: string) => long.has(name) || [...long].some((n) => camelCase(n) === name || `no-${n}` === name || camelCase(`no-${n}`) === name);
  const suggestions = [...long, ...[...long].filter((n) => options[n]?.type === 'boolean' && options[n]?.default === true).map((n) => `no-${n}`)];
  const problems: string[] = [];
  for (const token of tokens) {
    if (!token.startsWith('-') || token === '-' || /^-\d/.test(token)) continue; // (a negative number is a value)
    const typed = token.replace(/=[^]*$/, '');
    const name = typed.replace(/^--?/, '');
    // `-st` is -s -t, as yargs reads it
    if (typed.startsWith('--') ? known(name) : [...name].every((c) => short.has(c))) continue;
    const of = names.filter((c) => c !== command && Object.hasOwn(COMMANDS[c as keyof typeof COMMANDS], name));
    // (-full-refresh: the option, with one dash)
    const near = name.length === 1 ? [...short].find((s) => s.toLowerCase() === name.toLowerCase()) : long.has(name) ? name : closest(name, suggestions);
    const hint = of.length && command && !long.has(name) ? ` (an option of ${of.join(', ')}, not of ${command})` : near ? ` (did you mean ${near.length === 1 ? '-' : '--'}${near}?)` : '';
    problems.push(`unknown option ${typed}${command ? ` for ${command}` : ''}${hint}`);
  }
  if (problems.length) return problems.join('\n');
  // no unknown option: yargs's names are arguments the command does not take (`run keep_probability`)
  const extra = message.replace(/^Unknown arguments?: /, '');
  if (!command || extra === message) return undefined;
  const select = Object.hasOwn(COMMANDS[command as keyof typeof COMMANDS], 'select') && command !== 'show';
  return `${command} takes no argument ${extra.split(', ').map((x) => `"${x}"`).join(', ')}${select ? `; to pick ${command === 'seed' ? 'seeds' : 'monitors'}, use --select (-s ${extra.split(', ').join(' ')})` : ''}`;
}

export async function main(argv: string[]): Promise<number> {
  let code = 0;
  let debug = argv.includes('--debug');
  const parser = yargs(argv)
    .scriptName('hindsight')
    .version(HINDSIGHT_VERSION)
    .option('debug', { type: 'boolean', default: false, describe: 'Show stack traces' })
    .command('init [dir]', 'Create a new project', (y) => y.positional('dir', { type: 'string', default: '.' }), (a) => {
      for (const f of initProject(String(a.dir))) process.stdout.write(`created ${f}\n`);
    })
    .command('validate', 'Check the configuration without touching the warehouse', (y) => y.options(COMMANDS.validate), (a) => {
      const { project, monitors } = commands.validate(opts(a));
      const of = monitors.length === project.monitors.length ? '' : ` of ${project.monitors.length}`;
      process.stdout.write(`OK: ${monitors.length}${of} monitor(s) in ${project.config.name}\n`);
    })
    .command('compile', 'Write the SQL of each monitor to target/compiled/', (y) => y.options(COMMANDS.compile), async (a) => {
      const compiled = await commands.compile({ ...opts(a), asOf: a['as-of'] as string | undefined });
      for (const c of compiled) process.stdout.write(`compiled ${c.monitor}: ${c.steps.length} steps in ${c.dir}\n`);
      if (compiled.length === 0) process.stdout.write('Nothing to compile: no monitor is selected.\n');
    })
    .command('run', 'Compute the metrics of each monitor in the warehouse', (y) => y.options(COMMANDS.run), async (a) => {
      code = await commands.run({ ...runArgs(a), dryRun: Boolean(a['dry-run']) });
    })
    .command('seed', 'Load the CSV files of seeds/ into the target (--select: seeds by table name)', (y) => y.options(COMMANDS.seed), async (a) => {
      code = await commands.seed(opts(a));
    })
    .command('build', 'seed, then run (--select, --exclude: monitors; every seed is loaded)', (y) => y.options(COMMANDS.build), async (a) => {
      const args = runArgs(a);
      code = await commands.build(args);
    })
    .command(
      'show [monitor]',
      'Print the latest metrics of a monitor',
      // (optional to yargs, so that a missing one is told apart from the others: show lists them)
      (y) => y.options(COMMANDS.show).positional('monitor', { type: 'string', describe: 'The monitor to show (required)' }),
      async (a) => {
        if (a.select !== undefined || a.exclude !== undefined) throw new UsageError('show takes one monitor, as its argument (`hindsight show <monitor>`), not --select or --exclude');
        code = await show({
          ...opts(a), monitor: String(a.monitor ?? ''), granularity: a.granularity as string | undefined, windows: numberOption(a, 'windows'),
          metrics: metricsOption(a.metrics as string[] | undefined),
        });
      },
    )
    .command('debug', 'Check the project, profile, connection and permissions', (y) => y.options(COMMANDS.debug), async (a) => {
      code = await runDebug(opts(a));
    })
    .command('schema [dir]', 'Write JSON Schemas of the config files (for editors)', (y) => y.positional('dir', { type: 'string', default: 'schema' }), (a) => {
      for (const f of writeJsonSchemas(String(a.dir))) process.stdout.write(`wrote ${f}\n`);
    })
    .middleware(givenOnce)
    .demandCommand(1, `Name a command: ${Object.keys(COMMANDS).join(', ')}`)
    .strict()
    .fail((message, error) => {
      // (yargs's own validation errors, such as an option given without its value, are usage errors: exit 2)
      if (error && error.name !== 'YError') throw error;
      throw new UsageError((/^Unknown arguments?: /.test(message) && unknownArguments(message, argv)) || message || error!.message);
    })
    .help();
  try {
    const parsed = await parser.parseAsync();
    debug = Boolean(parsed.debug);
  } catch (e) {
    if (e instanceof ConfigError) {
      process.stderr.write(`${e.message}\n${e.issues.length} ${e.summary}.\n`);
      return 2;
    }
    if (e instanceof UsageError) {
      process.stderr.write(`${e.message}\nRun \`hindsight --help\` for usage.\n`);
      return 2;
    }
    process.stderr.write(`${debug && e instanceof Error ? e.stack : e instanceof Error ? e.message : String(e)}\n`);
    return 1;
  }
  return code;
}

