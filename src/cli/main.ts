// hindsight's command line, in dbt's vocabulary. Exit codes: 0 ok, 1 a run failed, 2 bad configuration.
import yargs, { type Argv } from 'yargs';
import { ConfigError, UsageError } from '../errors.js';
import { HINDSIGHT_VERSION } from '../version.js';
import * as commands from './commands.js';
import { writeJsonSchemas } from './json-schema.js';
import { debug as runDebug } from './debug.js';

function common<T>(y: Argv<T>) {
  return y
    .option('project-dir', { type: 'string', default: '.', describe: 'Directory with hindsight.yml' })
    .option('profiles-dir', { type: 'string', describe: 'Directory with profiles.yml (default: project dir, then ~/.hindsight)' })
    .option('target', { alias: 't', type: 'string', describe: 'Target in the profile (default: its `target`)' })
    .option('select', { alias: 's', type: 'string', array: true, describe: 'Monitors to include (default: all)' })
    .option('partial-parse', { type: 'boolean', default: true, describe: 'Reuse target/partial_parse.json for monitor files that have not changed (--no-partial-parse: parse every file)' });
}

const AS_OF = { type: 'string', describe: 'Treat this UTC time as now (e.g. 2026-11-21); default: now' } as const;

function runOptions<T>(y: Argv<T>) {
  return common(y)
    .option('full-refresh', { type: 'boolean', default: false, describe: 'Rebuild every window instead of only the ones new data can change' })
    .option('as-of', AS_OF)
    .option('threads', { type: 'number', requiresArg: true, describe: "How many monitors run at once, each in a session of its own (default: the target's threads, else 1)" });
}

const runArgs = (a: Args) => ({ ...opts(a), asOf: a['as-of'] as string | undefined, fullRefresh: Boolean(a['full-refresh']), threads: a.threads as number | undefined });

type Args = Record<string, unknown>;
const opts = (a: Args): commands.CommonOptions => ({
  projectDir: String(a['project-dir']),
  profilesDir: a['profiles-dir'] as string | undefined,
  target: a.target as string | undefined,
  select: (a.select as string[] | undefined)?.flatMap((s) => s.split(/[\s,]+/)).filter(Boolean),
  partialParse: a['partial-parse'] !== false,
  debug: a.debug === true,
});

export async function main(argv: string[]): Promise<number> {
  let code = 0;
  let debug = argv.includes('--debug');
  const parser = yargs(argv)
    .scriptName('hindsight')
    .version(HINDSIGHT_VERSION)
    .option('debug', { type: 'boolean', default: false, describe: 'Show stack traces' })
    .command('init [dir]', 'Create a new project', (y) => y.positional('dir', { type: 'string', default: '.' }), (a) => {
      for (const f of commands.initProject(String(a.dir))) process.stdout.write(`created ${f}\n`);
    })
    .command('validate', 'Check the configuration without touching the warehouse', common, (a) => {
      const { project, monitors } = commands.validate(opts(a));
      const of = monitors.length === project.monitors.length ? '' : ` of ${project.monitors.length}`;
      process.stdout.write(`OK: ${monitors.length}${of} monitor(s) in ${project.config.name}\n`);
    })
    .command('compile', 'Write the SQL of each monitor to target/compiled/', (y) => common(y).option('as-of', AS_OF), async (a) => {
      for (const c of await commands.compile({ ...opts(a), asOf: a['as-of'] as string | undefined })) {
        process.stdout.write(`compiled ${c.monitor}: ${c.steps.length} steps in ${c.dir}\n`);
      }
    })
    .command('run', 'Compute the metrics of each monitor in the warehouse', (y) => runOptions(y).option('dry-run', { type: 'boolean', default: false, describe: 'Only report the bytes each step of a full refresh would process (BigQuery); run nothing' }), async (a) => {
      code = await commands.run({ ...runArgs(a), dryRun: Boolean(a['dry-run']) });
    })
    .command('seed', 'Load the CSV files of seeds/ into the target (--select: seeds by table name)', common, async (a) => {
      code = await commands.seed(opts(a));
    })
    .command('build', 'seed, then run', runOptions, async (a) => {
      const args = runArgs(a);
      commands.checkRunOptions(args);
      code = await commands.seed({ ...opts(a), select: undefined }); // (--select picks monitors here: every seed is loaded)
      if (code === 0) code = await commands.run(args);
    })
    .command(
      'show <monitor>',
      'Print the latest metrics of a monitor',
      (y) =>
        common(y)
          .positional('monitor', { type: 'string', demandOption: true })
          .option('granularity', { type: 'string', choices: ['day', 'week', 'month'] })
          .option('windows', { type: 'number', default: 8 })
          .option('metrics', { type: 'string', array: true }),
      async (a) => {
        if (a.select !== undefined) throw new UsageError('show takes one monitor, as its argument (`hindsight show <monitor>`), not --select');
        code = await commands.show({
          ...opts(a), monitor: String(a.monitor), granularity: a.granularity as string | undefined, windows: a.windows as number,
          metrics: (a.metrics as string[] | undefined)?.flatMap((s) => s.split(',')),
        });
      },
    )
    .command('debug', 'Check the project, profile, connection and permissions', common, async (a) => {
      code = await runDebug(opts(a));
    })
    .command('schema [dir]', 'Write JSON Schemas of the config files (for editors)', (y) => y.positional('dir', { type: 'string', default: 'schema' }), (a) => {
      for (const f of writeJsonSchemas(String(a.dir))) process.stdout.write(`wrote ${f}\n`);
    })
    .demandCommand(1, 'Name a command: init, validate, compile, run, seed, build, show, debug, schema')
    .strict()
    .fail((message, error) => {
      throw error ?? new UsageError(message);
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

