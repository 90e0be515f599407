// dbt-style `{{ env_var('NAME', 'default') }}` in profiles.yml. Rendered per string value after the
// YAML is parsed, so positions in error messages stay those of the file the user wrote.
import nunjucks from 'nunjucks';
import { isAlias, isMap, isPair, isScalar, isSeq, visit, type Node, type Scalar, type YAMLMap } from 'yaml';
import type { ConfigIssue } from '../errors.js';
import { formatPath, locateNode, type ParsedYaml, type Path } from './yaml-validate.js';

class MissingEnvVar extends Error {}

const env = new nunjucks.Environment(null, { autoescape: false, throwOnUndefined: true });
env.addGlobal('env_var', (name: string, fallback?: string) => {
  const value = process.env[name];
  if (value !== undefined) return value;
  if (fallback !== undefined) return fallback;
  throw new MissingEnvVar(`environment variable ${name} is not set and env_var() was given no default; set it or write env_var('${name}', '<default>')`);
});

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
  if (text.startsWith('environment variable ')) return text;
  return `cannot render this {{ … }} template: ${text}; write "{{ env_var('NAME') }}" or "{{ env_var('NAME', 'default') }}"`;
}

/** A template that failed to render, with the node it is in. */
export interface TemplateIssue {
  issue: ConfigIssue;
  node: Node;
}

/** Replaces every templated string scalar in place; returns issues for the ones that fail. */
export function renderEnvVars(parsed: ParsedYaml): TemplateIssue[] {
  const issues: TemplateIssue[] = [];
  visit(parsed.doc, {
    // `key: {{ env_var('X') }}` without quotes is a YAML flow mapping, not a template.
    Map(_key, node: YAMLMap, ancestors) {
      if (!node.flow || node.items.length !== 1 || !isMap(node.items[0]?.key)) return;
      const inner = node.items[0]!.key as YAMLMap;
      const call = isScalar(inner.items[0]?.key) ? String(inner.items[0].key.value) : "env_var('NAME')";
      issues.push({
        node,
        issue: {
          file: parsed.file,
          ...locateNode(parsed, node),
          key: formatPath(keyPath(ancestors, node)),
          message: `a {{ … }} template must be quoted, or YAML reads it as a mapping: write "{{ ${call} }}"`,
        },
      });
      return visit.SKIP;
    },
    Scalar(_key, node: Scalar, ancestors) {
      if (!isScalar(node) || typeof node.value !== 'string' || !node.value.includes('{{')) return;
      try {
        node.value = env.renderString(node.value, {});
      } catch (e) {
        issues.push({ node, issue: { file: parsed.file, ...locateNode(parsed, node), key: formatPath(keyPath(ancestors, node)), message: message(e) } });
      }
    },
  });
  return issues;
}

/**
 * Of the issues of renderEnvVars, those in what the keys at `paths` hold, aliases followed (dbt
 * renders the profile and target it uses: another target's variables need not be set, but one
 * that the used target reaches through an anchor must).
 */
export function issuesReachableFrom(parsed: ParsedYaml, issues: TemplateIssue[], paths: Path[]): ConfigIssue[] {
  const reached = new Set<unknown>();
  const walk = (node: unknown): void => {
    if (!node || reached.has(node)) return;
    if (isAlias(node)) return walk(node.resolve(parsed.doc));
    reached.add(node);
    if (isMap(node)) for (const pair of node.items) walk(pair.value);
    else if (isSeq(node)) for (const item of node.items) walk(item);
  };
  for (const path of paths) walk(parsed.doc.getIn(path, true));
  return issues.filter((i) => reached.has(i.node)).map((i) => i.issue);
}
