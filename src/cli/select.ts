// dbt's node selection syntax, where it makes sense for monitors (and for seed's tables): `--select`
// and `--exclude` take selectors separated by spaces (either: a union), each of criteria joined by
// commas (all of them: an intersection). A criterion is a name, with shell-style wildcards (`m_*`),
// or `method:value`: `tag:nightly`, `path:monitors/nightly` (a monitor file, or a directory of them),
// `file:keep.yml`. An unqualified value that looks like a path (it has a `/`) is a path, one that
// ends in a file extension a file name, as in dbt. Monitors do not depend on one another, so dbt's
// graph operators (`+`, `@`) have nothing to select and are an error, as are the methods hindsight
// does not have. Every criterion must match something (a misspelt one is an error, exit 2, not an
// empty or a full selection), and so must every intersection.
import { existsSync } from 'node:fs';
import { basename, extname, isAbsolute, relative, resolve, sep } from 'node:path';
import { UsageError } from '../errors.js';
import { closest } from '../config/suggest.js';

/** What a selector can match in one thing to select (a monitor, a seed). */
export interface Selectable {
  /** What a name matches: a monitor's name; a seed's table and schema.table. */
  names: string[];
  /** Its tags; undefined where the kind of thing has none (seeds). */
  tags?: string[];
  /** The file that declares it, absolute. */
  file: string;
}

export interface SelectionKind {
  /** `monitor`, `seed` */
  noun: string;
  /** What the things are, for "no monitor named x; monitors: a, b". */
  listed: (all: Selectable[]) => string[];
}

export interface SelectionOptions {
  select?: string[];
  exclude?: string[];
  /** Relative paths of `path:` are relative to it (else, when nothing is there, to the working directory). */
  projectDir: string;
}

type Method = 'name' | 'tag' | 'path' | 'file';

interface Criterion {
  /** As typed. */
  text: string;
  method: Method;
  value: string;
}

interface Selector {
  /** As typed, commas and all. */
  text: string;
  criteria: Criterion[];
}

const METHODS: Method[] = ['tag', 'path', 'file'];

// dbt's other methods: each is named as one hindsight does not have, rather than as a typo
const DBT_METHODS = [
  'fqn', 'group', 'access', 'source', 'package', 'test_name', 'test_type', 'resource_type', 'state', 'exposure', 'metric',
  'result', 'source_status', 'version', 'semantic_model', 'saved_query', 'unit_test', 'wildcard', 'selector',
];

const WILDCARD = /[*?[]/;

/**
 * A shell-style pattern (fnmatch: `*`, `?`, `[abc]`, `[a-z]`, `[!abc]`) as a regular expression of a
 * whole string; with `path`, `*` and `?` do not match `/` (a glob's).
 */
export function wildcardPattern(pattern: string, path = false): RegExp {
  const any = path ? '[^/]' : '[^]';
  let out = '';
  for (let i = 0; i < pattern.length; i++) {
    const c = pattern[i]!;
    if (c === '*') out += `${any}*`;
    else if (c === '?') out += any;
    else if (c === '[') {
      const end = pattern.indexOf(']', i + 2); // (a `]` first in the brackets is one of them)
      if (end === -1) out += '\\[';
      else {
        let set = pattern.slice(i + 1, end);
        const negated = set.startsWith('!');
        if (negated) set = set.slice(1);
        out += `[${negated ? '^' : ''}${set.replace(/[\\^\]]/g, '\\$&')}]`;
        i = end;
      }
    } else out += c.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');
  }
  return new RegExp(`^${out}$`);
}

const matches = (pattern: string, text: string) => (WILDCARD.test(pattern) ? wildcardPattern(pattern).test(text) : pattern === text);

/** `--select a "b c" d,e`: [a, b, c, d,e]; an option given without a selector is an error. */
function parseSelectors(values: string[] | undefined, option: string, kind: SelectionKind): Selector[] | undefined {
  if (values === undefined) return undefined;
  const texts = values.flatMap((v) => v.split(/\s+/)).filter(Boolean);
  if (texts.length === 0) {
    const instead = option === '--exclude' ? 'to exclude nothing, leave --exclude out' : `to select every ${kind.noun}, leave ${option} out`;
    throw new UsageError(`${option} needs at least one selector (a ${kind.noun} name, which may have wildcards such as ${kind.noun === 'monitor' ? 'm_*' : 'raw.*'}${kind.noun === 'monitor' ? ', tag:<tag>' : ''}, path:<directory or file>, file:<file name>); ${instead}`);
  }
  return texts.map((text) => ({ text, criteria: text.split(',').map((part) => parseCriterion(part, text, option, kind)) }));
}

function parseCriterion(part: string, selector: string, option: string, kind: SelectionKind): Criterion {
  const at = `${option} ${selector}`;
  if (part === '') throw new UsageError(`${at}: a comma joins two criteria that must both hold (as in dbt), and one side of it is empty; separate selectors with spaces to select either`);
  const plural = `${kind.noun}s`;
  if (/^(@|\d*\+)|\+\d*$/.test(part)) {
    const bare = part.replace(/^(@|\d*\+)/, '').replace(/\+\d*$/, '');
    throw new UsageError(`${at}: graph operators (+ and @, dbt's parents and children) are not supported: ${plural} do not depend on one another${bare ? `; select "${bare}" itself` : ''}`);
  }
  const qualified = /^([A-Za-z_][\w.]*):([^]*)$/.exec(part);
  // (a Windows path, C:\monitors, is a path, not the method "C")
  if (qualified && !(qualified[1]!.length === 1 && /^[\\/]/.test(qualified[2]!))) {
    const [, name, value] = qualified as unknown as [string, string, string];
    const method = name.toLowerCase();
    const has = kind.noun === 'monitor' ? METHODS : METHODS.filter((m) => m !== 'tag');
    const methods = `hindsight selects ${plural} by name (with wildcards such as ${kind.noun === 'monitor' ? 'm_*' : 'raw.*'}), ${has.map((m) => `${m}:`).join(', ')}`;
    if (method === 'tag' && !has.includes('tag')) throw new UsageError(`${at}: ${plural} have no tags; ${methods}`);
    if (!METHODS.includes(method as Method)) {
      if (DBT_METHODS.includes(method) || method.startsWith('config.')) throw new UsageError(`${at}: dbt's selection method "${name}:" is not supported; ${methods}`);
      const hint = closest(method, has);
      throw new UsageError(`${at}: unknown selection method "${name}:"${hint ? ` (did you mean "${hint}:"?)` : ''}; ${methods}`);
    }
    if (value === '') throw new UsageError(`${at}: "${name}:" needs a value (${method === 'tag' ? 'a tag' : method === 'path' ? 'a directory or file' : 'a file name'})`);
    return { text: part, method: method as Method, value };
  }
  // as dbt's default method: a path when it has a path separator, a file name when it has an extension
  if (/[\\/]/.test(part)) return { text: part, method: 'path', value: part };
  if (/\.(ya?ml|csv)$/i.test(part)) return { text: part, method: 'file', value: part };
  return { text: part, method: 'name', value: part };
}

/**
 * `path:monitors/nightly` (a directory or a file; relative to the project directory, else, when
 * nothing is there, to the working directory) or a glob, `path:monitors/*\/keep.yml`, which a file or
 * one of its directories matches (relative to the project directory, unless it is absolute).
 */
function pathMatcher(value: string, projectDir: string): { test: (file: string) => boolean; problem?: string } {
  const slashes = (p: string) => p.split(sep).join('/');
  if (WILDCARD.test(value)) {
    const pattern = wildcardPattern(value.replace(/\\/g, '/').replace(/^(\.\/)+/, '').replace(/\/+$/, ''), true);
    return {
      test: (file) => {
        const parts = slashes(isAbsolute(value) ? file : relative(projectDir, file)).split('/');
        return parts.some((_, i) => pattern.test(parts.slice(0, i + 1).join('/')));
      },
    };
  }
  const inProject = resolve(projectDir, value);
  const where = existsSync(inProject) || isAbsolute(value) || !existsSync(resolve(value)) ? inProject : resolve(value);
  return {
    test: (file) => file === where || file.startsWith(where.endsWith(sep) ? where : where + sep),
    problem: existsSync(where) ? undefined : `no such file or directory (${isAbsolute(value) ? value : `relative to the project directory, ${projectDir}`})`,
  };
}

function criterionTest(c: Criterion, projectDir: string): { test: (s: Selectable) => boolean; problem?: string } {
  switch (c.method) {
    case 'name':
      return { test: (s) => s.names.some((n) => matches(c.value, n)) };
    case 'tag':
      return { test: (s) => (s.tags ?? []).some((t) => matches(c.value, t)) };
    case 'file':
      return { test: (s) => [basename(s.file), basename(s.file, extname(s.file))].some((n) => matches(c.value, n)) };
    case 'path': {
      const { test, problem } = pathMatcher(c.value, projectDir);
      return { test: (s) => test(s.file), problem };
    }
  }
}

/** Why a criterion matched nothing, with the closest thing that exists. */
function noMatch(c: Criterion, problem: string | undefined, all: Selectable[], option: string, kind: SelectionKind): string {
  const hint = (u: string, known: string[]) => {
    const near = WILDCARD.test(u) ? undefined : closest(u, known);
    return near ? ` (did you mean "${c.method === 'name' ? '' : `${c.method}:`}${near}"?)` : '';
  };
  switch (c.method) {
    case 'name': {
      const listed = kind.listed(all);
      const what = WILDCARD.test(c.value) ? `matches "${c.value}"` : `named "${c.value}"`;
      return `${option}: no ${kind.noun} ${what}${hint(c.value, all.flatMap((s) => s.names))}; ${kind.noun}s: ${listed.join(', ') || 'none'}`;
    }
    case 'tag': {
      const tags = [...new Set(all.flatMap((s) => s.tags ?? []))].sort();
      return `${option}: no ${kind.noun} has a tag matching "${c.value}"${hint(c.value, tags)}; tags: ${tags.join(', ') || `none (a ${kind.noun}'s \`tags:\`)`}`;
    }
    case 'file': {
      const files = [...new Set(all.map((s) => basename(s.file)))].sort();
      return `${option}: no ${kind.noun} is declared in a file named "${c.value}"${hint(c.value, files)}; files: ${files.join(', ') || 'none'}`;
    }
    case 'path':
      return `${option}: ${c.text}: ${problem ?? `no ${kind.noun} is declared there`}`;
  }
}

/**
 * The things `--select` and `--exclude` pick, in their own order: every one when --select is not
 * given. A selector that cannot be read is a UsageError (exit 2); so are those that match nothing,
 * every one at once, a line each.
 */
export function selectFrom<T>(items: T[], describe: (item: T) => Selectable, options: SelectionOptions, kind: SelectionKind): T[] {
  const select = parseSelectors(options.select, '--select', kind);
  const exclude = parseSelectors(options.exclude, '--exclude', kind);
  const all = items.map(describe);
  const problems: string[] = [];
  /** The indexes of `items` a selector matches. */
  const resolveSelector = (selector: Selector, option: string): Set<number> => {
    let chosen: Set<number> | undefined;
    let each = true;
    for (const c of selector.criteria) {
      const { test, problem } = criterionTest(c, options.projectDir);
      const hit = new Set(all.flatMap((s, i) => (test(s) ? [i] : [])));
      if (hit.size === 0) {
        problems.push(noMatch(c, problem, all, option, kind));
        each = false;
      }
      chosen = chosen ? new Set([...chosen].filter((i) => hit.has(i))) : hit;
    }
    if (each && chosen!.size === 0) {
      problems.push(`${option} ${selector.text}: no ${kind.noun} matches all of ${selector.criteria.map((c) => c.text).join(', ')} (a comma joins criteria that must all hold, as in dbt; separate selectors with spaces to select either)`);
    }
    return chosen!;
  };
  const union = (selectors: Selector[], option: string) => {
    const out = new Set<number>();
    for (const s of selectors) for (const i of resolveSelector(s, option)) out.add(i);
    return out;
  };
  const selected = select ? union(select, '--select') : undefined;
  const excluded = exclude ? union(exclude, '--exclude') : new Set<number>();
  if (problems.length) throw new UsageError(problems.join('\n'));
  return items.filter((_, i) => (selected ? selected.has(i) : true) && !excluded.has(i));
}
