// dbt-style `{{ env_var('NAME', 'default') }}` in profiles.yml. Rendered per string value after the
// YAML is parsed, so positions in error messages stay those of the file the user wrote.
import nunjucks from 'nunjucks';
import { isScalar, visit, type Scalar } from 'yaml';
import type { ConfigIssue } from '../errors.js';
import { locateNode } from './yaml-validate.js';
import type { ParsedYaml } from './yaml-validate.js';

class MissingEnvVar extends Error {}

const env = new nunjucks.Environment(null, { autoescape: false, throwOnUndefined: true });
env.addGlobal('env_var', (name: string, fallback?: string) => {
  const value = process.env[name];
  if (value !== undefined) return value;
  if (fallback !== undefined) return fallback;
  throw new MissingEnvVar(`environment variable ${name} is not set and env_var() was given no default`);
});

/** Replaces every templated string scalar in place; returns issues for the ones that fail. */
export function renderEnvVars(parsed: ParsedYaml): ConfigIssue[] {
  const issues: ConfigIssue[] = [];
  visit(parsed.doc, {
    Scalar(_key, node: Scalar) {
      if (!isScalar(node) || typeof node.value !== 'string' || !node.value.includes('{{')) return;
      try {
        node.value = env.renderString(node.value, {});
      } catch (e) {
        const message = e instanceof Error ? e.message.replace(/^\(unknown path\)\s*/, '').replace(/\s*\[Line.*$/s, '') : String(e);
        issues.push({ file: parsed.file, ...locateNode(parsed, node), key: '', message: message.trim() });
      }
    },
  });
  return issues;
}
