// `hindsight seed` end to end on DuckDB: what a CSV file from a spreadsheet brings (a byte order
// mark, times with a UTC offset), seeds in subdirectories, and bad input refused with its
// file:line:column and nothing loaded. (test/integration/seed.test.ts loads the same on every warehouse.)
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { openAdapter, type Adapter, type Row } from '../../src/adapters/index.js';
import { seed } from '../../src/cli/commands.js';
import { main } from '../../src/cli/main.js';
import { captureOutput } from '../stdout.js';

const io = captureOutput();

/** A project from `hindsight init` (DuckDB in warehouse.duckdb) with these files written into it. */
async function project(files: Record<string, string | Buffer>): Promise<string> {
  const dir = join(mkdtempSync(join(tmpdir(), 'hindsight-seed-')), 'seeded');
  expect(await main(['init', dir])).toBe(0);
  write(dir, files);
  return dir;
}

function write(dir: string, files: Record<string, string | Buffer>): void {
  for (const [path, content] of Object.entries(files)) {
    mkdirSync(dirname(join(dir, path)), { recursive: true });
    writeFileSync(join(dir, path), content);
  }
}

async function query(dir: string, sql: string): Promise<Row[]> {
  const adapter = await openAdapter({ type: 'duckdb', path: join(dir, 'warehouse.duckdb') });
  try {
    return await adapter.query(sql);
  } finally {
    await adapter.close();
  }
}

describe('hindsight seed', () => {
  it('reads a CSV file with a UTF-8 byte order mark (Excel\'s "CSV UTF-8") without it in the first column\'s name', async () => {
    const dir = await project({ 'seeds/events/predictions.csv': '\uFEFFprediction_id,score\r\n1,0.25\r\n2,0.75\r\n' });
    expect(await main(['seed', '--project-dir', dir])).toBe(0);
    expect(io.out).toMatch(/seed events\.predictions \.+ 2 rows/);
    expect(await query(dir, 'select prediction_id, score from events.predictions order by 1')).toEqual([
      { prediction_id: 1, score: 0.25 },
      { prediction_id: 2, score: 0.75 },
    ]);
  });

  it('refuses ragged rows and an unclosed quote with file:line:column, and loads nothing', async () => {
    const good = 'id,observed_at,label\n1,2026-11-03,1\n2,2026-11-04,0\n';
    const dir = await project({ 'seeds/events/outcomes.csv': good, 'seeds/events/labels.csv': 'id,label\n1,1\n' });
    expect(await main(['seed', '--project-dir', dir])).toBe(0);
    const before = await query(dir, 'select * from events.outcomes order by id');
    io.out = '';

    write(dir, {
      'seeds/events/outcomes.csv': 'id,observed_at,label\n1,2026-11-03,1,extra\n2,2026-11-04\n3,"2026-11-05,1\n4,2026-11-06,0\n',
      'seeds/events/labels.csv': 'id,label\n1,1\n2,0\n',
    });
    expect(await main(['seed', '--project-dir', dir])).toBe(2);
    expect(io.err).toContain('seeds/events/outcomes.csv:2:16: this row has 4 field(s), the header 3: field 4 ("extra") is one too many');
    expect(io.err).toContain('seeds/events/outcomes.csv:3:13: this row has 2 field(s), the header 3: label is missing (an empty field, as in ",,", is NULL)');
    expect(io.err).toContain('seeds/events/outcomes.csv:4:3: this quoted field is never closed');
    expect(io.err).toContain('3 seed file problem(s); nothing was loaded.');
    expect(io.out).not.toMatch(/Loading/);
    // nothing loaded: not the bad file, nor the good one beside it
    expect(await query(dir, 'select * from events.outcomes order by id')).toEqual(before);
    expect(await query(dir, 'select count(*)::int as n from events.labels')).toEqual([{ n: 1 }]);
  });

  // seeds/hindsight_metrics.csv loaded into the project schema replaced every monitor's metrics
  // with the file's rows (and a monitor's __evaluations table its evaluations), without a word.
  it("refuses a seed that would load into one of hindsight's own tables, and loads nothing", async () => {
    const dir = await project({ 'seeds/hindsight_metrics.csv': 'a,b\n1,2\n', 'seeds/Hindsight/my_model__Evaluations.csv': 'a\n1\n', 'seeds/events/labels.csv': 'id,label\n1,1\n' });
    expect(await main(['seed', '--project-dir', dir])).toBe(2);
    expect(io.err).toContain('seeds/hindsight_metrics.csv:1:1: loads into hindsight.hindsight_metrics, a table hindsight writes itself in its schema (hindsight.yml\'s schema: hindsight); rename the file');
    expect(io.err).toContain('seeds/Hindsight/my_model__Evaluations.csv:1:1: loads into Hindsight.my_model__Evaluations, a table hindsight writes itself');
    expect(io.out).not.toMatch(/Loading/);
    // (another schema is the user's)
    write(dir, { 'seeds/events/hindsight_metrics.csv': 'a,b\n1,2\n' });
    expect(await main(['seed', '--project-dir', dir, '-s', 'events.*'])).toBe(0);
  });

  it('loads a seed in a subdirectory, as dbt does: the schema of its first directory, the table of its file name', async () => {
    const dir = await project({ 'seeds/events/archive/outcomes.csv': 'id,label\n1,1\n2,0\n', 'seeds/events/predictions.csv': 'id,score\n1,0.5\n' });
    expect(await main(['seed', '--project-dir', dir])).toBe(0);
    expect(io.out).toMatch(/Loading 2 seed file\(s\)[^]*seed events\.outcomes \.+ 2 rows[^]*seed events\.predictions \.+ 1 rows/);
    expect(await query(dir, 'select count(*)::int as n from events.outcomes')).toEqual([{ n: 2 }]);
    // --select finds it by its table's name; dbt's --full-refresh is accepted (a seed always replaces its table)
    io.out = '';
    expect(await main(['seed', '--project-dir', dir, '-s', 'events.outcomes', '--full-refresh'])).toBe(0);
    expect(io.out).toMatch(/Loading 1 seed file\(s\)[^]*seed events\.outcomes/);

    // two files for one table: refused, naming both, rather than one silently replacing the other
    write(dir, { 'seeds/events/Outcomes.csv': 'id,label\n3,1\n' });
    expect(await main(['seed', '--project-dir', dir])).toBe(2);
    expect(io.err).toMatch(/seeds\/events\/archive\/outcomes\.csv:1:1: loads into events\.outcomes, as seeds\/events\/Outcomes\.csv does \(as in dbt/);
    expect(await query(dir, 'select count(*)::int as n from events.outcomes')).toEqual([{ n: 2 }]);
    // … which does not stop loading the other seeds by --select
    io.out = '';
    expect(await main(['seed', '--project-dir', dir, '-s', 'events.predictions'])).toBe(0);
    expect(io.out).toMatch(/Loading 1 seed file\(s\)[^]*seed events\.predictions/);
    // hidden directories and files (a notebook's checkpoints) are not seeds
    write(dir, { 'seeds/events/.ipynb_checkpoints/predictions-checkpoint.csv': 'id,score\n9,0.1\n', 'seeds/.hidden.csv': 'a\n1\n' });
    io.out = '';
    expect(await main(['seed', '--project-dir', dir, '-s', 'events.predictions'])).toBe(0);
    expect(await main(['seed', '--project-dir', dir, '-s', 'predictions-checkpoint'])).toBe(2);
  });

  it('loads times with a UTC offset as the UTC time they name, and refuses a date that does not exist', async () => {
    const dir = await project({
      'seeds/events/predictions.csv': [
        'prediction_id,predicted_at',
        '1,2026-11-02T10:00:00+01:00',
        '2,2026-11-02 09:30:00.25Z',
        '3,2026-11-02T23:30:00-0130',
        '4,2026-11-03',
        '5,2026-11-03T08:00:00',
        '6,',
      ].join('\n'),
    });
    expect(await main(['seed', '--project-dir', dir])).toBe(0);
    expect(await query(dir, 'select prediction_id, typeof(predicted_at) as type, cast(predicted_at as varchar) as utc from events.predictions order by 1')).toEqual([
      { prediction_id: 1, type: 'TIMESTAMP', utc: '2026-11-02 09:00:00' },
      { prediction_id: 2, type: 'TIMESTAMP', utc: '2026-11-02 09:30:00.25' },
      { prediction_id: 3, type: 'TIMESTAMP', utc: '2026-11-03 01:00:00' },
      { prediction_id: 4, type: 'TIMESTAMP', utc: '2026-11-03 00:00:00' },
      { prediction_id: 5, type: 'TIMESTAMP', utc: '2026-11-03 08:00:00' },
      { prediction_id: 6, type: 'TIMESTAMP', utc: null },
    ]);

    write(dir, { 'seeds/events/predictions.csv': 'prediction_id,predicted_at\n1,2026-11-02T10:00:00+01:00\n2,2026-02-30T10:00:00+01:00\n3,2026-11-02T24:00:00Z\n' });
    expect(await main(['seed', '--project-dir', dir])).toBe(2);
    expect(io.err).toContain('seeds/events/predictions.csv:3:3: predicted_at: "2026-02-30T10:00:00+01:00" is not a date that exists, in a column of dates and times');
    expect(io.err).toContain('seeds/events/predictions.csv:4:3: predicted_at: "2026-11-02T24:00:00Z" is not a time of day');
    expect(await query(dir, 'select count(*)::int as n from events.predictions')).toEqual([{ n: 6 }]);
  });

  // dbt's seed config column_types, by table in hindsight.yml: a column of digits kept as text, a
  // column of 0/1 as whole numbers, and values checked against the type given them.
  it("takes hindsight.yml's column_types over the types inferred, and checks the values against them", async () => {
    const dir = await project({
      'seeds/raw/customers.csv': 'customer_id,zip,vip,joined\n1,10001,1,2026-01-02\n2,94105,0,\n3,,1,2026-03-04T05:06:07Z\n',
      'seeds/plain.csv': 'id,score\n1,0.5\n2,1\n',
    });
    const yml = readFileSync(join(dir, 'hindsight.yml'), 'utf8');
    const line = (n: number) => yml.trimEnd().split('\n').length + 1 + n; // the n-th line below `seeds:`
    write(dir, { 'hindsight.yml': `${yml.trimEnd()}\nseeds:\n  raw.customers:\n    column_types:\n      ZIP: text\n      vip: bigint\n      joined: timestamp\n  plain:\n    column_types: {id: text, score: double}\n` });
    expect(await main(['validate', '--project-dir', dir])).toBe(0);
    expect(await main(['seed', '--project-dir', dir])).toBe(0);
    const types = `select column_name as c, data_type as t from information_schema.columns where table_schema = ? and table_name = ? order by ordinal_position`;
    expect(await query(dir, types.replace('?', "'raw'").replace('?', "'customers'"))).toEqual([
      { c: 'customer_id', t: 'BIGINT' }, { c: 'zip', t: 'VARCHAR' }, { c: 'vip', t: 'BIGINT' }, { c: 'joined', t: 'TIMESTAMP' },
    ]);
    expect(await query(dir, `select zip, vip from raw.customers order by customer_id`)).toEqual([{ zip: '10001', vip: 1 }, { zip: '94105', vip: 0 }, { zip: null, vip: 1 }]);
    expect(await query(dir, types.replace('?', "'hindsight'").replace('?', "'plain'"))).toEqual([{ c: 'id', t: 'VARCHAR' }, { c: 'score', t: 'DOUBLE' }]);

    // a table no file loads into, a column the file does not have, a value not of the type given
    const settings = (s: string) => write(dir, { 'hindsight.yml': `${yml.trimEnd()}\nseeds:\n${s}` });
    settings('  raw.customer:\n    column_types: {zip: text}\n');
    expect(await main(['validate', '--project-dir', dir])).toBe(2);
    expect(io.err).toContain(`hindsight.yml:${line(1)}:3: seeds.raw.customer: no seed file loads into raw.customer (did you mean "raw.customers"?)`);
    // reported with a monitor file's problems, not once they are fixed (compile, which loads no seed, does not read the files)
    const monitorFile = readFileSync(join(dir, 'monitors/example.yml'), 'utf8');
    write(dir, { 'monitors/example.yml': monitorFile.replace('dedupe: latest', 'dedupe: lastest') });
    io.err = '';
    expect(await main(['validate', '--project-dir', dir])).toBe(2);
    expect(io.err).toContain(`hindsight.yml:${line(1)}:3: seeds.raw.customer: no seed file loads into raw.customer`);
    expect(io.err).toMatch(/monitors\/example\.yml:\d+:\d+: monitors\[0\]\.predictions\.dedupe: expected one of: latest, earliest/);
    write(dir, { 'monitors/example.yml': monitorFile });
    expect(await main(['compile', '--project-dir', dir])).toBe(0);
    settings('  raw.customers:\n    column_types:\n      zipp: text\n      joined: bigint\n');
    expect(await main(['seed', '--project-dir', dir])).toBe(2);
    expect(io.err).toContain(`hindsight.yml:${line(3)}:7: seeds.raw.customers.column_types.zipp: seeds/raw/customers.csv has no column "zipp" (did you mean "zip"?); its columns: customer_id, zip, vip, joined`);
    settings('  raw.customers:\n    column_types: {joined: bigint}\n');
    expect(await main(['seed', '--project-dir', dir])).toBe(2);
    expect(io.err).toContain('seeds/raw/customers.csv:2:11: joined: "2026-01-02" is not a whole number from -9223372036854775808 to 9223372036854775807: hindsight.yml gives the column the type bigint (seeds.raw.customers.column_types.joined)');
    settings('  raw.customers:\n    column_types: {zip: date}\n');
    expect(await main(['validate', '--project-dir', dir])).toBe(2);
    expect(io.err).toMatch(new RegExp(`hindsight\\.yml:${line(2)}:25: seeds\\.raw\\.customers\\.column_types\\.zip: .*text, bigint, double, boolean, timestamp`));
    // nothing was loaded by the refused runs
    expect(await query(dir, `select count(*)::int as n from raw.customers`)).toEqual([{ n: 3 }]);
  });

  it('says that seed-paths lists directories when it names a file, at validate and seed', async () => {
    // (both read the seed files with the project: "ENOTDIR: not a directory, scandir '…/hindsight.yml'", exit 1)
    const dir = await project({ 'seeds/raw/a.csv': 'id\n1\n' });
    const yml = readFileSync(join(dir, 'hindsight.yml'), 'utf8');
    write(dir, { 'hindsight.yml': `${yml.trimEnd()}\nseed-paths: [seeds, hindsight.yml]\n` });
    const line = yml.trimEnd().split('\n').length + 1;
    for (const command of ['validate', 'seed']) {
      io.err = '';
      expect(await main([command, '--project-dir', dir])).toBe(2);
      expect(io.err).toContain(`hindsight.yml:${line}:21: seed-paths[1]: "hindsight.yml" is a file: seed-paths lists directories, whose CSV files (and those of their subdirectories) are loaded`);
    }
  });

  it('names the seed and its file when the warehouse fails its load, which leaves its table as it was', async () => {
    const dir = await project({ 'seeds/events/a.csv': 'id\n1\n', 'seeds/events/kept.csv': 'id,label\n1,1\n' });
    expect(await main(['seed', '--project-dir', dir])).toBe(0);
    write(dir, { 'seeds/events/kept.csv': 'id,label\n1,0\n2,1\n' });
    const adapter = await openAdapter({ type: 'duckdb', path: join(dir, 'warehouse.duckdb') });
    const failing: Adapter = {
      type: adapter.type, dialect: adapter.dialect, query: (s) => adapter.query(s), columns: (s) => adapter.columns(s), close: () => adapter.close(),
      execute: (s) => (/^insert into "events"\."kept"/.test(s) ? Promise.reject(new Error('disk full (test)')) : adapter.execute(s)),
    };
    try {
      await expect(seed({ projectDir: dir }, failing)).rejects.toThrow(
        /^seed events\.kept \(seeds\/events\/kept\.csv\) failed, and its table is as it was; the 1 seed\(s\) before it are loaded:\n {2}disk full \(test\)$/,
      );
      expect(await adapter.query('select id, label from events.kept')).toEqual([{ id: 1, label: 1 }]);
    } finally {
      await adapter.close();
    }
  });

  it('reports every problem of every file at once: headers, quotes, encodings', async () => {
    const dir = await project({
      'seeds/raw/headers.csv': 'id,Label,label,\n1,0,1,\n',
      'seeds/raw/quotes.csv': 'id,note\n1,5" screen\n',
      'seeds/raw/quoted.csv': 'id,note\n2,"said ""hi"" "twice\n',
      'seeds/raw/latin1.csv': Buffer.concat([Buffer.from('id,city\n1,M'), Buffer.from([0xfc]), Buffer.from('nchen\n')]),
      'seeds/raw/utf16.csv': Buffer.from('\uFEFFid\n1\n', 'utf16le'),
      'seeds/raw/empty.csv': '\n',
    });
    expect(await main(['seed', '--project-dir', dir])).toBe(2);
    expect(io.err).toContain('seeds/raw/empty.csv:1:1: is empty: its first line must name the columns');
    expect(io.err).toContain('seeds/raw/headers.csv:1:10: column 3 is named "label", as column 2 ("Label") is; column names must differ, ignoring case');
    expect(io.err).toContain('seeds/raw/headers.csv:1:16: column 4 has no name (a comma at the end of the line?)');
    expect(io.err).toContain('seeds/raw/latin1.csv:2:4: is not UTF-8 text here');
    expect(io.err).toContain('seeds/raw/quoted.csv:2:17: text after the closing quote of a quoted field');
    expect(io.err).toContain('seeds/raw/quotes.csv:2:4: a quote (") inside a field that does not start with one');
    expect(io.err).toContain('seeds/raw/utf16.csv:1:1: is UTF-16 text; save it as UTF-8');
    expect(io.out).not.toMatch(/Loading/);
  });
});
