// Parses a YAML file keeping source positions, validates it against a zod schema and turns every
// problem into a ConfigIssue that points at file:line:column, with a suggestion for typos.
import { isMap, isPair, isScalar, isSeq, LineCounter, parseDocument, type Document, type Node } from 'yaml';
import type { z } from 'zod';
import type { ConfigIssue } from '../errors.js';
import { closest } from './suggest.js';

export type Path = (string | number)[];

export interface ParsedYaml {
  file: string;
  doc: Document;
  lines: LineCounter;
}

export function parseYaml(file: string, text: string): { parsed: ParsedYaml; issues: ConfigIssue[] } {
  const lines = new LineCounter();
  const doc = parseDocument(text, { lineCounter: lines, prettyErrors: false, uniqueKeys: true });
  const issues = doc.errors.map((e) => {
    const pos = lines.linePos(e.pos[0]);
    return { file, line: pos.line, column: pos.col, key: '', message: e.message.split('\n')[0]! };
  });
  return { parsed: { file, doc, lines }, issues };
}

export function formatPath(path: Path): string {
  let out = '';
  for (const part of path) out += typeof part === 'number' ? `[${part}]` : out ? `.${part}` : part;
  return out;
}

/** Position of the node at `path`, or of its deepest existing ancestor; `keyOf` points at a map key. */
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
      // Point at the key itself for unknown keys, at the value otherwise (when there is one).
      const target = isLast && keyOf !== undefined ? keyNode : ((pair.value as Node | null) ?? keyNode);
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

export function locateNode(parsed: ParsedYaml, node: Node): { line: number; column: number } {
  const pos = parsed.lines.linePos(node.range?.[0] ?? 0);
  return { line: pos.line, column: pos.col };
}

type AnySchema = z.ZodType;

/** The object keys a schema accepts at `path` (for suggestions), following the data through unions. */
function keysAt(schema: AnySchema, path: Path, data: unknown): string[] {
  let s: AnySchema | undefined = schema;
  let d: unknown = data;
  for (let i = 0; i <= path.length && s; i++) {
    s = unwrap(s, d);
    if (!s) return [];
    if (i === path.length) break;
    const step = path[i]!;
    const def = s._zod.def as unknown as Record<string, unknown>;
    if (def.type === 'object') s = (def.shape as Record<string, AnySchema>)[String(step)];
    else if (def.type === 'array') s = def.element as AnySchema;
    else if (def.type === 'record') s = def.valueType as AnySchema;
    else return [];
    d = d && typeof d === 'object' ? (d as Record<string, unknown>)[String(step)] : undefined;
  }
  const def = s?._zod.def as unknown as Record<string, unknown> | undefined;
  return def?.type === 'object' ? Object.keys(def.shape as object) : [];
}

function unwrap(schema: AnySchema, data: unknown): AnySchema | undefined {
  let s: AnySchema = schema;
  for (;;) {
    const def = s._zod.def as unknown as Record<string, unknown>;
    if (def.type === 'optional' || def.type === 'default' || def.type === 'nullable' || def.type === 'prefault') {
      s = def.innerType as AnySchema;
    } else if (def.type === 'pipe') {
      s = def.in as AnySchema;
    } else if (def.type === 'union') {
      const options = def.options as AnySchema[];
      const discriminator = def.discriminator as string | undefined;
      const isObject = data !== null && typeof data === 'object' && !Array.isArray(data);
      const pick = options.find((o) => {
        const od = o._zod.def as unknown as Record<string, unknown>;
        if (!isObject) return od.type !== 'object';
        if (od.type !== 'object') return false;
        if (!discriminator) return true;
        const lit = (od.shape as Record<string, AnySchema>)[discriminator]?._zod.def as unknown as { values?: unknown[] };
        return lit?.values?.includes((data as Record<string, unknown>)[discriminator]);
      });
      if (!pick) return undefined;
      s = pick;
    } else {
      return s;
    }
  }
}

interface ZodIssueLike {
  code: string;
  path: PropertyKey[];
  message: string;
  keys?: string[];
  values?: unknown[];
  options?: unknown[];
  errors?: ZodIssueLike[][];
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

/** Validate a parsed document; returns the parsed value or every issue found. */
export function validateYaml<S extends AnySchema>(
  schema: S,
  parsed: ParsedYaml,
  data: unknown = parsed.doc.toJS(),
): { value?: z.output<S>; issues: ConfigIssue[] } {
  const result = schema.safeParse(data);
  if (result.success) return { value: result.data as z.output<S>, issues: [] };
  const issues: ConfigIssue[] = [];
  for (const raw of result.error.issues as unknown as ZodIssueLike[]) {
    for (const issue of flatten(raw)) {
      const path = issue.path.map((p) => (typeof p === 'symbol' ? String(p) : p)) as Path;
      if (issue.code === 'unrecognized_keys') {
        const allowed = keysAt(schema, path, data);
        for (const key of issue.keys ?? []) {
          const pos = locate(parsed, path, key);
          issues.push({
            file: parsed.file,
            ...pos,
            key: formatPath([...path, key]),
            message: `unknown key "${key}"; expected one of: ${allowed.join(', ')}`,
            suggestion: closest(key, allowed),
          });
        }
        continue;
      }
      const pos = locate(parsed, path);
      let message = issue.message;
      let suggestion: string | undefined;
      const given = valueAt(data, path);
      const choices = (issue.values ?? issue.options)?.map(String);
      if (choices && (issue.code === 'invalid_value' || issue.code === 'invalid_union')) {
        message = given === undefined ? `is required; expected one of: ${choices.join(', ')}` : `"${String(given)}" is not valid; expected one of: ${choices.join(', ')}`;
        if (typeof given === 'string') suggestion = closest(given, choices);
      } else if (issue.code === 'invalid_type' && given === undefined) {
        message = 'is required';
      }
      issues.push({ file: parsed.file, ...pos, key: formatPath(path), message, suggestion });
    }
  }
  return { issues };
}
