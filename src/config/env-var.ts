// dbt-style `{{ env_var('NAME', 'default') }}` in profiles.yml, hindsight.yml and monitor files.
// Rendered per string value after the YAML is parsed, so positions in error messages stay those of
// the file the user wrote.
import nunjucks from 'nunjucks';
import { isMap, isPair, isScalar, isSeq, Scalar, visit, type Node, type YAMLMap } from 'yaml';
import type { ConfigIssue } from '../errors.js';
import { formatPath, locateNode, type ParsedYaml, type Path } from './yaml-validate.js';

class MissingEnvVar extends Error {}

const env = new nunjucks.Environment(null, { autoescape: false, throwOnUndefined: true });
// (called by templates: its arguments are whatever a template gave, checked before they are used; a
// name that is not text read process.env.undefined, and was reported as the variable `undefined`)
const USAGE = "write env_var('NAME') or env_var('NAME', 'default')";
env.addGlobal('env_var', (...given: unknown[]) => {
  // dbt's keyword arguments, env_var(var='NAME', default='x'), which nunjucks passes as one last
  // object (it was read as a default that is not text)
  const last = given[given.length - 1];
  const keywords = last !== null && typeof last === 'object' && (last as Record<string, unknown>).__keywords === true ? (given.pop() as Record<string, unknown>) : {};
  const unknown = Object.keys(keywords).filter((k) => k !== '__keywords' && k !== 'var' && k !== 'default');
  if (unknown.length) throw new MissingEnvVar(`env_var() takes the keywords var and default, not ${unknown.join(', ')}; ${USAGE}`);
  // (Python refuses an argument given twice; `env_var('X', var='Y')` read Y, with X as its default)
  for (const [keyword, position] of [['var', 0], ['default', 1]] as const) {
    if (keyword in keywords && given.length > position) throw new MissingEnvVar(`env_var() was given its ${keyword === 'var' ? 'name' : 'default'} twice, as argument ${position + 1} and as ${keyword}=; ${USAGE}`);
  }
  const args = [...given];
  if ('var' in keywords) args.splice(0, 0, keywords.var);
  if ('default' in keywords) args[Math.max(args.length, 1)] = keywords.default;
  const [name, fallback] = args;
  if (args.length > 2) throw new MissingEnvVar(`env_var() takes the name of an environment variable and a default, not ${args.length} arguments; ${USAGE}`);
  if (typeof name !== 'string' || name.trim() === '') {
    throw new MissingEnvVar(`env_var() needs the name of an environment variable, as text${args.length ? '' : ', and was given none'}; ${USAGE}`);
  }
  // (a default of none is no default, as in dbt, whose env_var(var, default=None) it is)
  if (fallback !== null && typeof fallback === 'object') throw new MissingEnvVar(`the default of env_var('${name}', …) is not text; ${USAGE}`);
  const value = process.env[name];
  if (value !== undefined) return value;
  if (fallback !== undefined && fallback !== null) return String(fallback);
  throw new MissingEnvVar(`environment variable ${name} is not set and env_var() was given no default; set it or write env_var('${name}', '<default>')`);
});

// dbt's filters that turn env_var()'s text into a number or a boolean, when the template is the whole
// value (`threshold: "{{ env_var('T', '0.5') | as_number }}"`): the filter marks the text, and the
// value is converted once rendered (typed). Inside a longer text the marks are dropped.
const TYPED = /\u0001(number|bool|native)\u0001([^\u0001]*)\u0001/g;
for (const kind of ['number', 'bool', 'native']) env.addFilter(`as_${kind}`, (value: unknown) => `\u0001${kind}\u0001${String(value)}\u0001`);
env.addFilter('as_text', (value: unknown) => value);

/** A rendered value: a number or boolean where a filter asked for one and the text is one, else text. */
function typed(rendered: string): string | number | boolean {
  const whole = new RegExp(`^${TYPED.source}$`).exec(rendered);
  if (!whole) return rendered.replace(TYPED, '$2');
  const [, kind, text] = whole as unknown as [string, string, string];
  const number = text.trim() !== '' && Number.isFinite(Number(text)) ? Number(text) : undefined;
  const bool = /^(true|false)$/i.test(text.trim()) ? text.trim().toLowerCase() === 'true' : undefined;
  if (kind === 'number') return number ?? text;
  if (kind === 'bool') return bool ?? text;
  return number ?? bool ?? text;
}

/** The dotted key of a node from the ancestors `visit` passes (documents, maps, pairs, sequences). */
function keyPath(ancestors: readonly unknown[], node: unknown): Path {
  const path: Path = [];
  const chain = [...ancestors, node];
  for (let i = 0; i < chain.length; i++) {
    const a = chain[i];
    const next = chain[i + 1];
    if (isPair(a) && isScalar(a.key) && next === a.value) path.push(String(a.key.value));
    else if (isSeq(a) && next !== undefined) path.push(a.items.indexOf(next as never));
  }
  return path;
}

/** nunjucks wraps errors as "(unknown path) [Line 1, Column 16]\n  Error: …"; keep the reason. */
function message(e: unknown): string {
  const text = (e instanceof Error ? e.message : String(e))
    .replace(/^\(unknown path\)\s*/, '')
    .replace(/^\[Line \d+, Column \d+\]\s*/, '')
    .replace(/^(Template render error:\s*)?(\w*Error:\s*)?/, '')
    .trim();
  if (text.startsWith('environment variable ') || text.startsWith('env_var() ') || text.startsWith('the default of env_var(')) return text;
  return `cannot render this {{ … }} template: ${text}; write "{{ env_var('NAME') }}" or "{{ env_var('NAME', 'default') }}" (a literal {{ in SQL is written {{ '{{' }})`;
}

/**
 * What a template that failed to render is replaced with: a marker naming its issue. After the
 * document is read (aliases and merge keys resolved, overridden keys gone), the markers in the
 * values a run uses are the failures that matter (markedIn).
 */
const marker = (index: number) => `\u0000unrendered ${index}\u0000`;
// (as written, or as a message quotes it: JSON escapes the NUL)
const MARKER = /(?:\u0000|\\u0000)unrendered (\d+)(?:\u0000|\\u0000)/g;

/**
 * Replaces every templated string scalar in place; one that fails becomes a marker of its issue,
 * which is returned at the marker's index (an unquoted template, which YAML reads as a mapping, too).
 */
export function renderEnvVars(parsed: ParsedYaml): ConfigIssue[] {
  const issues: ConfigIssue[] = [];
  const fail = (node: Node, ancestors: readonly unknown[], message: string) => {
    issues.push({ file: parsed.file, ...locateNode(parsed, node), key: formatPath(keyPath(ancestors, node)), message });
    return marker(issues.length - 1);
  };
  visit(parsed.doc, {
    // `key: {{ env_var('X') }}` without quotes is a YAML flow mapping, not a template.
    Map(_key, node: YAMLMap, ancestors) {
      if (!node.flow || node.items.length !== 1 || !isMap(node.items[0]?.key)) return;
      const inner = node.items[0]!.key as YAMLMap;
      const call = isScalar(inner.items[0]?.key) ? String(inner.items[0].key.value) : "env_var('NAME')";
      const replaced = new Scalar(fail(node, ancestors, `a {{ … }} template must be quoted, or YAML reads it as a mapping: write "{{ ${call} }}"`));
      replaced.range = node.range;
      replaced.anchor = node.anchor; // (`path: &p {{ … }}`: its aliases resolve to the marker)
      return replaced;
    },
    Scalar(_key, node: Scalar, ancestors) {
      if (!isScalar(node) || typeof node.value !== 'string' || !node.value.includes('{{')) return;
      try {
        node.value = typed(env.renderString(node.value, {}));
      } catch (e) {
        node.value = fail(node, ancestors, message(e));
      }
    },
  });
  return issues;
}

/**
 * Issues as a user reads them: one that shows a marker (a schema error of a map key or of a whole
 * profile whose template failed, say) is replaced by the failed template's own issue.
 */
export function withoutMarkers(issues: ConfigIssue[], templates: ConfigIssue[]): ConfigIssue[] {
  const out = new Set<ConfigIssue>();
  for (const issue of issues) {
    const marked = markedIn([issue.key, issue.message, issue.suggestion ?? ''], [], templates);
    if (marked.length) for (const m of marked) out.add(m.issue);
    else out.add(issue);
  }
  return [...out];
}

/**
 * The markers of failed templates (renderEnvVars) in a value read from the document, each with its
 * path under `path` and its issue: a value a run uses that holds one was not rendered.
 */
export function markedIn(value: unknown, path: Path, issues: ConfigIssue[]): { path: Path; issue: ConfigIssue }[] {
  // (text that only looks like a marker names no issue)
  if (typeof value === 'string') return [...value.matchAll(MARKER)].flatMap((m) => (issues[Number(m[1])] ? [{ path, issue: issues[Number(m[1])]! }] : []));
  if (Array.isArray(value)) return value.flatMap((v, i) => markedIn(v, [...path, i], issues));
  if (value && typeof value === 'object') return Object.entries(value).flatMap(([k, v]) => markedIn(v, [...path, k], issues));
  return [];
}
