// Parses a YAML file keeping source positions, validates it against a zod schema and turns every
// problem into a ConfigIssue that points at file:line:column, names the key, says what was expected
// (described from the schema itself) and suggests the closest valid key or value for a typo.
import { isMap, isPair, isScalar, isSeq, LineCounter, parseDocument, visit, type Document, type Node, type YAMLError } from 'yaml';
import { z } from 'zod';
import type { ConfigIssue } from '../errors.js';
import { closest, closestKey, misspelling } from './suggest.js';

export type Path = (string | number)[];

export interface ParsedYaml {
  file: string;
  doc: Document;
  lines: LineCounter;
}

/**
 * `readable` is false after a syntax error. Duplicate keys alone leave a readable document (the last
 * value of a key wins), so that the file's other problems are reported beside them in one pass.
 */
export function parseYaml(file: string, text: string): { parsed: ParsedYaml; issues: ConfigIssue[]; readable: boolean } {
  const lines = new LineCounter();
  // logLevel 'error': problems are reported as ConfigIssues, not also as Node warnings on stderr (an
  // unquoted {{ env_var(...) }} is a mapping key that toJS() would warn about).
  // merge: YAML 1.1's `<<: *defaults` merge keys, as dbt users write them in profiles.yml
  const doc = parseDocument(text, { lineCounter: lines, prettyErrors: false, uniqueKeys: true, logLevel: 'error', merge: true });
  const parsed = { file, doc, lines };
  // After the first real syntax error the parser's recovery is guesswork and what follows is noise;
  // duplicate keys before it are reliable and reported too.
  const errors = [...doc.errors].sort((a, b) => a.pos[0] - b.pos[0]);
  const first = errors.findIndex((e) => e.code !== 'DUPLICATE_KEY');
  const issues = (first < 0 ? errors : errors.slice(0, first + 1)).map((e): ConfigIssue => {
    let offset = e.pos[0];
    // A tab or a second document is not inside any key that could be named reliably.
    let path = e.code === 'MULTIPLE_DOCS' || e.code === 'TAB_AS_INDENT' ? [] : pathAt(doc.contents, offset);
    if (e.code === 'MISSING_CHAR' && /quote/.test(e.message)) {
      // The error sits at the end of the file; the quote to close is where the string starts.
      const open = unclosedQuote(doc, offset);
      if (open) ({ offset, path } = open);
    }
    if (e.code === 'BLOCK_AS_IMPLICIT_KEY' || e.code === 'MULTILINE_IMPLICIT_KEY') {
      // A line indented one step too far continues the value above it (`score: p` then `  model_version:
      // …` reads as a key "p model_version"): point at that line, and name the key whose value it
      // continues, not the key the parser made up of the two.
      const next = text.indexOf('\n', offset);
      if (next >= 0) offset = next + 1 + /^[ ]*/.exec(text.slice(next + 1))![0].length;
      const madeUp = path.findIndex((part) => typeof part === 'string' && /\s/.test(part));
      if (madeUp >= 0) path = path.slice(0, madeUp);
    }
    const pos = lines.linePos(offset);
    // dbt's `key: {{ env_var('X', 'default') }}`, unquoted, is a broken YAML flow mapping (the
    // one-argument form parses, and renderEnvVars says the same of it)
    const lineText = text.slice(offset - pos.col + 1).split('\n')[0]!;
    const template = e.code !== 'DUPLICATE_KEY' && /:\s*\{\{/.test(lineText) ? '; a {{ … }} template must be quoted, or YAML reads it as a mapping: write "{{ … }}"' : '';
    return { file, line: pos.line, column: pos.col, key: formatPath(path), message: syntaxMessage(e, path) + template };
  });
  if (first >= 0) return { parsed, issues, readable: false };
  const aliases = aliasIssues(parsed);
  return { parsed, issues: [...issues, ...aliases], readable: aliases.length === 0 };
}

/**
 * How every config file is read into values (doc.toJS). yaml's default stops at 100 uses of one
 * anchor, which refused the 101st monitor of a file of `- <<: *defaults`; the limit is there for
 * aliases of aliases (a "billion laughs": an anchor's uses are counted times the uses inside it),
 * which this one still stops after a few levels, while a flat anchor may be used 10,000 times.
 */
export const TO_JS = { maxAliasCount: 10_000 } as const;

/**
 * An alias of no anchor (`*nope`, or one used before its `&nope`), or aliases that expand to more
 * values than yaml reads (a "billion laughs"), parse without an error and make every toJS() throw:
 * `hindsight validate` printed "Unresolved alias (the anchor must be set before the alias): nope", or
 * "Excessive alias count indicates a resource exhaustion attack", without a file or line, and exit 1.
 */
function aliasIssues(parsed: ParsedYaml): ConfigIssue[] {
  const { file, doc, lines } = parsed;
  const at = (node: Node, message: string): ConfigIssue => {
    const offset = node.range?.[0] ?? 0;
    const pos = lines.linePos(offset);
    return { file, line: pos.line, column: pos.col, key: formatPath(pathAt(doc.contents, offset)), message };
  };
  const issues: ConfigIssue[] = [];
  let first: Node | undefined;
  visit(doc, {
    Alias(_key, node) {
      first ??= node;
      if (!node.resolve(doc)) issues.push(at(node, `YAML: the alias *${node.source} names no anchor; define it first (\`&${node.source}\` before the alias), or write the value`));
    },
  });
  if (issues.length || !first) return issues;
  try {
    doc.toJS(TO_JS);
  } catch (e) {
    return [at(first, `YAML: its aliases cannot be read (${e instanceof Error ? e.message : String(e)}); write the values, or fewer aliases of aliases`)];
  }
  return [];
}

/** The last quoted string that runs up to `offset`, with its path. */
function unclosedQuote(doc: Document, offset: number): { offset: number; path: Path } | undefined {
  let found: { offset: number; path: Path } | undefined;
  visit(doc, {
    Scalar(_key, node) {
      const r = node.range;
      if ((node.type === 'QUOTE_SINGLE' || node.type === 'QUOTE_DOUBLE') && r && r[0] < offset && r[1] >= offset - 1) {
        found = { offset: r[0], path: pathAt(doc.contents, r[0]) };
      }
    },
  });
  return found;
}

function syntaxMessage(e: YAMLError, path: Path): string {
  const last = path[path.length - 1];
  switch (e.code) {
    case 'DUPLICATE_KEY':
      return `duplicate key${last === undefined ? '' : ` "${last}"`}; a key may appear only once in a mapping`;
    case 'BLOCK_AS_IMPLICIT_KEY':
    case 'MULTILINE_IMPLICIT_KEY':
      return `YAML syntax error: this line is indented more than the keys around it, so YAML reads it as more of the value${last === undefined ? '' : ` of "${last}"`} above it; indent it as its neighbours`;
    case 'TAB_AS_INDENT':
      return 'YAML syntax error: tabs are not allowed as indentation; indent with spaces';
    case 'MULTIPLE_DOCS':
      return 'YAML syntax error: a file holds a single YAML document; remove the `---` separator';
    case 'MISSING_CHAR':
      if (/quote/.test(e.message)) return 'YAML syntax error: this string has no closing quote';
      return `YAML syntax error: ${e.message.split('\n')[0]!.replace(/\.$/, '')}`;
    default:
      return `YAML syntax error: ${e.message.split('\n')[0]!.replace(/\.$/, '')}`;
  }
}

/** The path of the deepest key or item whose source range holds `offset` (for syntax errors). */
function pathAt(node: unknown, offset: number, path: Path = []): Path {
  const within = (n: unknown) => {
    const r = (n as Node | null)?.range;
    return !!r && r[0] <= offset && offset < r[2];
  };
  if (isMap(node)) {
    for (const pair of node.items) {
      if (!isPair(pair) || !isScalar(pair.key)) continue;
      const key = pair.key as Node;
      const start = key.range?.[0] ?? Infinity;
      const end = (pair.value as Node | null)?.range?.[2] ?? key.range?.[2] ?? -1;
      if (start <= offset && offset <= end) {
        // (a merge key's value is a symbol: `<<`, not "Symbol(<<)")
        const name = typeof pair.key.value === 'symbol' ? (pair.key.value.description ?? '<<') : String(pair.key.value);
        return within(pair.value) ? pathAt(pair.value, offset, [...path, name]) : [...path, name];
      }
    }
  } else if (isSeq(node)) {
    const i = node.items.findIndex(within);
    if (i >= 0) return pathAt(node.items[i], offset, [...path, i]);
  }
  return path;
}

export function formatPath(path: Path): string {
  let out = '';
  for (const part of path) out += typeof part === 'number' ? `[${part}]` : out ? `.${part}` : part;
  return out;
}

/**
 * Position of the node at `path`, or of its deepest existing ancestor. With `keyOf`, points at that
 * key of the map at `path` (for unknown keys). Without it, points at the value at `path`.
 */
export function locate(parsed: ParsedYaml, path: Path, keyOf?: string): { line: number; column: number } {
  let node: unknown = parsed.doc.contents;
  let offset = (node as Node | null)?.range?.[0] ?? 0;
  const steps: Path = keyOf === undefined ? path : [...path, keyOf];
  for (let i = 0; i < steps.length; i++) {
    const step = steps[i]!;
    const isLast = i === steps.length - 1;
    if (isMap(node)) {
      const pair = node.items.find((p) => isPair(p) && isScalar(p.key) && String(p.key.value) === String(step));
      if (!pair) break;
      const keyNode = pair.key as Node;
      // Point at the key itself for unknown keys, at the value otherwise (when one is written).
      const value = pair.value as Node | null;
      const empty = !value || (isScalar(value) && value.value === null && value.range?.[0] === value.range?.[1]);
      const target = (isLast && keyOf !== undefined) || empty ? keyNode : value;
      offset = target.range?.[0] ?? offset;
      node = pair.value;
    } else if (isSeq(node) && typeof step === 'number' && node.items[step]) {
      node = node.items[step];
      offset = (node as Node).range?.[0] ?? offset;
    } else {
      break;
    }
  }
  const pos = parsed.lines.linePos(offset);
  return { line: pos.line, column: pos.col };
}

/**
 * Position of the key that holds the value at `path` (`predictions:` for `monitors[0].predictions`),
 * or of the list item for an index: where an editor should jump for a problem with the whole value,
 * such as a required key missing inside it.
 */
export function locateKey(parsed: ParsedYaml, path: Path): { line: number; column: number } {
  const last = path[path.length - 1];
  if (typeof last === 'string') return locate(parsed, path.slice(0, -1), last);
  return locate(parsed, path);
}

export function locateNode(parsed: ParsedYaml, node: Node): { line: number; column: number } {
  const pos = parsed.lines.linePos(node.range?.[0] ?? 0);
  return { line: pos.line, column: pos.col };
}

type AnySchema = z.ZodType;
type Def = Record<string, unknown> & { type: string };

const defOf = (s: AnySchema): Def => s._zod.def as unknown as Def;

function kindOfData(data: unknown): string {
  if (data === null || data === undefined) return 'none';
  if (Array.isArray(data)) return 'array';
  return typeof data;
}

/** Whether a union option can hold data of this shape (a string for a string, a list for a list …). */
function accepts(option: AnySchema, data: unknown, discriminator?: string): boolean {
  const s = unwrap(option, data);
  if (!s) return false;
  const def = defOf(s);
  const kind = kindOfData(data);
  switch (def.type) {
    case 'string':
    case 'enum':
      return kind === 'string';
    case 'literal':
      return (def.values as unknown[]).some((v) => typeof v === kind);
    case 'number':
      return kind === 'number';
    case 'boolean':
      return kind === 'boolean';
    case 'array':
      return kind === 'array';
    case 'record':
      return kind === 'object';
    case 'object': {
      if (kind !== 'object') return false;
      if (!discriminator) return true;
      const lit = (def.shape as Record<string, AnySchema>)[discriminator];
      const values = lit ? ((defOf(lit).values as unknown[] | undefined) ?? []) : [];
      return values.includes((data as Record<string, unknown>)[discriminator]);
    }
    default:
      return false;
  }
}

/** Strips optional/default/pipe wrappers and picks the union member that matches the data's shape. */
function unwrap(schema: AnySchema, data: unknown): AnySchema | undefined {
  let s: AnySchema = schema;
  for (;;) {
    const def = defOf(s);
    if (def.type === 'optional' || def.type === 'default' || def.type === 'nullable' || def.type === 'prefault') {
      s = def.innerType as AnySchema;
    } else if (def.type === 'pipe') {
      s = def.in as AnySchema;
    } else if (def.type === 'union') {
      const pick = (def.options as AnySchema[]).find((o) => accepts(o, data, def.discriminator as string | undefined));
      if (!pick) return undefined;
      s = pick;
    } else {
      return s;
    }
  }
}

/** The schema that describes the value at `path`, following the data through unions. */
function schemaAt(schema: AnySchema, path: Path, data: unknown): AnySchema | undefined {
  let s: AnySchema | undefined = schema;
  let d: unknown = data;
  for (const step of path) {
    s = unwrap(s, d);
    if (!s) return undefined;
    const def = defOf(s);
    if (def.type === 'object') s = (def.shape as Record<string, AnySchema>)[String(step)];
    else if (def.type === 'array') s = def.element as AnySchema;
    else if (def.type === 'record') s = def.valueType as AnySchema;
    else return undefined;
    if (!s) return undefined;
    d = d && typeof d === 'object' ? (d as Record<string, unknown>)[String(step)] : undefined;
  }
  return s;
}

/** The object keys a schema accepts at `path` (for suggestions). */
function keysAt(schema: AnySchema, path: Path, data: unknown): string[] {
  const at = schemaAt(schema, path, data);
  const s = at && unwrap(at, valueAt(data, path));
  const def = s && defOf(s);
  return def?.type === 'object' ? Object.keys(def.shape as object) : [];
}

const fmt = (n: unknown) => String(n);

/** What a schema accepts, in words: its description when it has one, else derived from its type. */
export function describe(schema: AnySchema): string {
  const own = z.globalRegistry.get(schema)?.description;
  if (own) return own;
  const def = defOf(schema);
  switch (def.type) {
    case 'optional':
    case 'default':
    case 'nullable':
    case 'prefault':
      return describe(def.innerType as AnySchema);
    case 'pipe':
      return describe(def.in as AnySchema);
    case 'string':
      return 'a string';
    case 'boolean':
      return 'true or false';
    case 'number': {
      const checks = ((def.checks as { _zod: { def: Record<string, unknown> } }[] | undefined) ?? []).map((c) => c._zod.def);
      const whole = checks.some((c) => c.check === 'number_format' && String(c.format).includes('int'));
      const min = checks.find((c) => c.check === 'greater_than')?.value;
      const max = checks.find((c) => c.check === 'less_than')?.value;
      const noun = whole ? 'a whole number' : 'a number';
      if (min !== undefined && max !== undefined) return `${noun} from ${fmt(min)} to ${fmt(max)}`;
      if (min !== undefined) return `${noun} of at least ${fmt(min)}`;
      if (max !== undefined) return `${noun} of at most ${fmt(max)}`;
      return noun;
    }
    case 'enum':
      return `one of: ${Object.values(def.entries as object).join(', ')}`;
    case 'literal':
      return (def.values as unknown[]).map(String).join(' or ');
    case 'array':
      return `a list, each ${describe(def.element as AnySchema)}`;
    case 'object':
      return `a mapping with keys: ${Object.keys(def.shape as object).join(', ')}`;
    case 'record':
      return `a mapping of names to ${describe(def.valueType as AnySchema)}`;
    case 'union': {
      const options = def.options as AnySchema[];
      const discriminator = def.discriminator as string | undefined;
      if (discriminator) {
        const values = options.flatMap((o) => {
          const lit = (defOf(o).shape as Record<string, AnySchema> | undefined)?.[discriminator];
          return lit ? ((defOf(lit).values as unknown[] | undefined) ?? []).map(String) : [];
        });
        return `a mapping with ${discriminator}: ${values.join(' or ')}`;
      }
      return options.map(describe).join(', or ');
    }
    default:
      return `a ${def.type}`;
  }
}

/** How a value the user wrote is shown back to them. */
function shown(value: unknown): string {
  if (value === null) return 'nothing';
  if (Array.isArray(value)) return value.length === 0 ? 'an empty list' : 'a list';
  if (typeof value === 'object') return 'a mapping';
  if (typeof value === 'string') return JSON.stringify(value.length > 40 ? `${value.slice(0, 37)}...` : value);
  return String(value);
}

interface ZodIssueLike {
  code: string;
  /** invalid_union of a discriminated union: the discriminator key, when its value matched no option */
  discriminator?: string;
  note?: string;
  path: PropertyKey[];
  message: string;
  keys?: string[];
  values?: unknown[];
  options?: unknown[];
  errors?: ZodIssueLike[][];
  /** invalid_key: what the key itself failed */
  issues?: ZodIssueLike[];
  input?: unknown;
}

/** Unions report each branch's errors; keep the branch that matches the shape of the data. */
function flatten(issue: ZodIssueLike, prefix: PropertyKey[] = []): ZodIssueLike[] {
  const path = [...prefix, ...issue.path];
  if (issue.code === 'invalid_union' && issue.errors && issue.errors.length > 0) {
    const specific = issue.errors.filter((branch) => !branch.every((e) => e.code === 'invalid_type' && e.path.length === 0));
    const chosen = specific.length > 0 ? specific[specific.length - 1]! : undefined;
    if (chosen) return chosen.flatMap((e) => flatten(e, path));
  }
  return [{ ...issue, path }];
}

function valueAt(data: unknown, path: Path): unknown {
  let d = data;
  for (const p of path) d = d && typeof d === 'object' ? (d as Record<string, unknown>)[String(p)] : undefined;
  return d;
}

function hasKey(data: unknown, path: Path): boolean {
  const parent = valueAt(data, path.slice(0, -1));
  return !!parent && typeof parent === 'object' && String(path[path.length - 1]) in parent;
}

const samePath = (a: Path, b: Path) => a.length === b.length && a.every((p, i) => String(p) === String(b[i]));

/** The schema at `path` with its optional/default wrappers taken off, not picking a union member. */
function bare(schema: AnySchema | undefined): AnySchema | undefined {
  let s = schema;
  while (s) {
    const def = defOf(s);
    if (def.type === 'optional' || def.type === 'default' || def.type === 'nullable' || def.type === 'prefault') s = def.innerType as AnySchema;
    else if (def.type === 'pipe') s = def.in as AnySchema;
    else return s;
  }
  return undefined;
}

/**
 * A mapping whose discriminator (a monitor's or an output's `type`) is missing, misspelt or of no known
 * value gets only that error from the schema (the discriminator picks the rest of it): the member it
 * most likely means, so that its other errors come in the same pass instead of after the type is
 * fixed. That is the member under which the mapping has the fewest problems, and among those the
 * closest value (a typo): a multiclass monitor written `type: binary` or `type: forecasting` was
 * checked as the closest value's member, and got that member's errors (5 and 17 of them: every key of
 * a monitor with no error but its type called unknown or missing). `unique`: no other member has as
 * few problems (the mapping, not the word, says which one). A value misspelt by a letter or two
 * (`binary_clasification`) is that member whatever else is wrong: a binary monitor that also wrote
 * `prediction:` for `score:` was checked as a regression, "did you mean "regression"?", its
 * `threshold` unknown.
 */
function meantMember(union: AnySchema, discriminator: string, given: Record<string, unknown>): { value: string; unique: boolean } | undefined {
  const def = defOf(union);
  if (def.type !== 'union') return undefined;
  const members = (def.options as AnySchema[]).flatMap((o): [string, AnySchema][] => {
    const lit = (defOf(o).shape as Record<string, AnySchema> | undefined)?.[discriminator];
    const values = lit ? ((defOf(lit).values as unknown[] | undefined) ?? []) : [];
    return values.filter((v): v is string => typeof v === 'string').map((v) => [v, o]);
  });
  const written = given[discriminator];
  const typo = typeof written === 'string' ? misspelling(written, members.map(([v]) => v)) : undefined;
  if (typo !== undefined) return { value: typo, unique: true };
  // (each unknown key is a problem: a strict object reports all of them in one issue)
  const counts = members.map(([value, member]) => [value, (member.safeParse({ ...given, [discriminator]: value }).error?.issues ?? []).reduce((n, i) => n + ((i as ZodIssueLike).keys?.length ?? 1), 0)] as const);
  const fewest = Math.min(...counts.map(([, n]) => n));
  const best = counts.filter(([, n]) => n === fewest).map(([value]) => value);
  if (!best.length) return undefined;
  const near = typeof written === 'string' ? closest(written, best) : undefined;
  return { value: near ?? best[0]!, unique: best.length === 1 };
}

/** Validate a parsed document; returns the parsed value or every issue found, in file order. */
export function validateYaml<S extends AnySchema>(
  schema: S,
  parsed: ParsedYaml,
  data: unknown = parsed.doc.toJS(TO_JS),
): { value?: z.output<S>; issues: ConfigIssue[] } {
  const result = schema.safeParse(data);
  if (result.success) return { value: result.data as z.output<S>, issues: [] };
  const issues: ConfigIssue[] = [];
  // mappings whose discriminator matched no member: checked again as the member they most likely mean
  const meant: { at: Path; key: string; value: string }[] = [];
  const meantSuggestion = new Map<string, string>();
  // Missing keys that an unknown key right next to them is most likely a typo of.
  const typoOf: Path[] = [];
  const missing: { path: Path; issue: ConfigIssue }[] = [];
  for (const raw of result.error.issues as unknown as ZodIssueLike[]) {
    for (const issue of flatten(raw)) {
      const path = issue.path.map((p) => (typeof p === 'symbol' ? String(p) : p)) as Path;
      const given = valueAt(data, path);
      if (issue.code === 'unrecognized_keys') {
        const allowed = keysAt(schema, path, data);
        const present = Object.keys((given as object | null) ?? {});
        const absent = allowed.filter((k) => !present.includes(k));
        for (const key of issue.keys ?? []) {
          const suggestion = closestKey(key, absent);
          if (suggestion) typoOf.push([...path, suggestion]);
          issues.push({
            file: parsed.file,
            ...locate(parsed, path, key),
            key: formatPath([...path, key]),
            message: `unknown key "${key}"; expected one of: ${allowed.join(', ')}`,
            suggestion,
          });
        }
        continue;
      }
      if (issue.code === 'invalid_union' && issue.discriminator !== undefined && issue.note === 'No matching discriminator') {
        const at = path[path.length - 1] === issue.discriminator ? path.slice(0, -1) : path;
        const given = valueAt(data, at);
        const union = bare(schemaAt(schema, at, data));
        const member = given && typeof given === 'object' && !Array.isArray(given) && union ? meantMember(union, issue.discriminator, given as Record<string, unknown>) : undefined;
        if (member !== undefined) meant.push({ at, key: issue.discriminator, value: member.value });
        // (the suggestion is the member the mapping fits, where one fits best: not `forecast` for a multiclass monitor's `forecasting`)
        if (member?.unique) meantSuggestion.set(formatPath(path), member.value);
      }
      if (issue.code === 'invalid_key') {
        // a record's key failed its own schema: point at the key, say what a key must be
        const key = String(path[path.length - 1]);
        issues.push({
          file: parsed.file,
          ...locate(parsed, path.slice(0, -1), key),
          key: formatPath(path),
          message: `invalid key "${key}"; expected ${(issue.issues ?? []).map((e) => e.message).join(', ') || 'another key'}`,
        });
        continue;
      }
      const at = schemaAt(schema, path, data);
      const choices = (issue.values ?? issue.options)?.map(String);
      const enumerated = choices && (issue.code === 'invalid_value' || issue.code === 'invalid_union');
      const expected = enumerated ? (choices.length === 1 ? choices[0] : `one of: ${choices.join(', ')}`) : at ? describe(at) : undefined;
      if (path.length === 0 && (given === null || given === undefined)) {
        issues.push({ file: parsed.file, line: 1, column: 1, key: '', message: `the file is empty; expected ${expected ?? 'a mapping'}` });
        continue;
      }
      if (given === undefined && !hasKey(data, path)) {
        const missingIssue: ConfigIssue = {
          file: parsed.file,
          ...locateKey(parsed, path.slice(0, -1)),
          key: formatPath(path),
          message: `required key "${String(path[path.length - 1])}" is missing${expected ? `; expected ${expected}` : ''}`,
        };
        missing.push({ path, issue: missingIssue });
        continue;
      }
      // a refinement's own message says what is wrong with a value of the right form
      const message = issue.code === 'custom' ? `${issue.message}; got ${shown(given)}` : expected ? `expected ${expected}; got ${shown(given)}` : issue.message;
      const suggestion = enumerated && typeof given === 'string' ? (meantSuggestion.get(formatPath(path)) ?? closest(given, choices)) : undefined;
      // (a value that fails two checks described alike, a minimum and a multiple, is said once)
      if (issues.some((i) => i.key === formatPath(path) && i.message === message)) continue;
      issues.push({ file: parsed.file, ...locate(parsed, path), key: formatPath(path), message, suggestion });
    }
  }
  for (const { path, issue } of missing) if (!typoOf.some((t) => samePath(t, path))) issues.push(issue);
  if (meant.length) {
    // (the rest of the document is the same: only what is under each such mapping is new)
    const patched = structuredClone(data);
    for (const { at, key, value } of meant) (valueAt(patched, at) as Record<string, unknown>)[key] = value;
    const under = meant.map(({ at, key }) => ({ prefix: formatPath(at), own: formatPath([...at, key]) }));
    const seen = new Set(issues.map((i) => `${i.key}\0${i.message}`));
    for (const i of validateYaml(schema, parsed, patched).issues) {
      const inside = under.some(({ prefix, own }) => i.key !== own && (prefix === '' ? i.key !== '' : i.key.startsWith(`${prefix}.`) || i.key.startsWith(`${prefix}[`)));
      if (inside && !seen.has(`${i.key}\0${i.message}`)) issues.push(i);
    }
  }
  issues.sort((a, b) => a.line - b.line || a.column - b.column);
  return { issues };
}
