// Which seed files a project has, the table each loads into, and the column types hindsight.yml's
// `seeds:` gives them: read with the project (loadProject), so that a `seeds:` entry no file loads
// into is reported with the monitor files' problems, not only once they are fixed.
import { readdirSync, statSync } from 'node:fs';
import { basename, join, relative, resolve } from 'node:path';
import type { ConfigIssue } from '../errors.js';
import type { Project } from './load.js';
import type { SEED_COLUMN_TYPES } from './schema.js';
import { closest } from './suggest.js';

export type ColumnType = (typeof SEED_COLUMN_TYPES)[number];

/** A seed file and the table it loads into. */
export interface SeedFile {
  schema: string;
  table: string;
  path: string;
  /** The path shown in messages: relative to the project directory. Default: `path`. */
  name?: string;
  /**
   * Types given in hindsight.yml (`seeds: {<table>: {column_types: …}}`), by column name in lower
   * case, with where each is written; the other columns' types are inferred.
   */
  columnTypes?: Map<string, { type: ColumnType; at: Omit<ConfigIssue, 'message'> }>;
}

/** The seed files of a project, in the order they are loaded. */
export function seedFiles(project: Pick<Project, 'dir' | 'config'>): SeedFile[] {
  const out: SeedFile[] = [];
  // (hidden entries, such as Jupyter's .ipynb_checkpoints, are skipped, as monitor files' are)
  const csvsUnder = (dir: string): string[] =>
    readdirSync(dir)
      .sort()
      .filter((entry) => !entry.startsWith('.'))
      .flatMap((entry) => {
        const full = join(dir, entry);
        if (statSync(full).isDirectory()) return csvsUnder(full);
        return entry.endsWith('.csv') ? [full] : [];
      });
  for (const seedPath of project.config['seed-paths']) {
    const root = resolve(project.dir, seedPath);
    // (one that is a file is an error of loadProject's, at its key)
    if (!statSync(root, { throwIfNoEntry: false })?.isDirectory()) continue;
    for (const entry of readdirSync(root).sort().filter((e) => !e.startsWith('.'))) {
      const full = join(root, entry);
      const name = (path: string) => relative(project.dir, path) || path;
      if (statSync(full).isDirectory()) {
        for (const file of csvsUnder(full)) out.push({ schema: entry, table: basename(file, '.csv'), path: file, name: name(file) });
      } else if (entry.endsWith('.csv')) {
        out.push({ schema: project.config.schema, table: basename(entry, '.csv'), path: full, name: name(full) });
      }
    }
  }
  return out;
}

type SeedProject = Pick<Project, 'dir' | 'config' | 'seedPositions'>;

/** The table a `seeds:` entry names, qualified (a table without a schema is in the project schema). */
const qualified = (project: SeedProject, name: string) => (name.includes('.') ? name : `${project.config.schema}.${name}`);

/** Where hindsight.yml writes a `seeds:` entry (its key alone for a project built in code). */
const settingAt = (project: SeedProject, name: string) => project.seedPositions?.get(name) ?? { file: 'hindsight.yml', line: 1, column: 1, key: `seeds.${name}` };

/**
 * The problems of hindsight.yml's `seeds:`: a table no seed file loads into. (A column the file does
 * not have is found when the file is read.) Tables compare ignoring case, as the files' do.
 */
export function seedSettingIssues(project: SeedProject): ConfigIssue[] {
  const all = seedFiles(project).map((f) => `${f.schema}.${f.table}`);
  return Object.keys(project.config.seeds ?? {}).flatMap((name) => {
    const table = qualified(project, name);
    if (all.some((t) => t.toLowerCase() === table.toLowerCase())) return [];
    const suggestion = closest(table, all);
    return [{ ...settingAt(project, name), message: `no seed file loads into ${name.includes('.') ? name : `${table} (a table without a schema is in the project schema)`}${suggestion ? ` (did you mean "${suggestion}"?)` : ''}` }];
  });
}

/** The seed files with the column types hindsight.yml's `seeds:` gives them (SeedFile.columnTypes). */
export function withSeedSettings(project: SeedProject, files: SeedFile[]): SeedFile[] {
  const byTable = new Map<string, NonNullable<SeedFile['columnTypes']>>();
  for (const [name, { column_types }] of Object.entries(project.config.seeds ?? {})) {
    const at = settingAt(project, name);
    const table = qualified(project, name).toLowerCase();
    const types = Object.entries(column_types).map(([column, type]) => [column.toLowerCase(), { type, at: project.seedPositions?.get(`${name}\0${column}`) ?? { ...at, key: `${at.key}.column_types.${column}` } }] as const);
    byTable.set(table, new Map([...(byTable.get(table) ?? []), ...types]));
  }
  return files.map((f) => {
    const columnTypes = byTable.get(`${f.schema}.${f.table}`.toLowerCase());
    return columnTypes ? { ...f, columnTypes } : f;
  });
}
