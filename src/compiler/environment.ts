// The nunjucks environment that renders models/ and macros/. Rendering is pure: the same inputs
// give byte-identical SQL, and nothing here touches a warehouse.
import { fileURLToPath } from 'node:url';
import nunjucks from 'nunjucks';
import type { Dialect } from '../dialects/index.js';
import { defaultDialect } from '../dialects/dialect.js';

/** The package root, which holds models/ and macros/ (same path from src/ and from dist/). */
export const PACKAGE_ROOT = fileURLToPath(new URL('../../', import.meta.url));

let environment: nunjucks.Environment | undefined;

export function templateEnvironment(): nunjucks.Environment {
  environment ??= new nunjucks.Environment(new nunjucks.FileSystemLoader(PACKAGE_ROOT, { noCache: false }), {
    autoescape: false,
    throwOnUndefined: true,
    trimBlocks: true,
    lstripBlocks: true,
  });
  return environment;
}

/**
 * What templates see as `d`: the dialect, with the default's functions where it has no override of
 * its own (like dbt's adapter.dispatch). Asking for a function neither has fails with what was tried.
 */
export function dispatching(dialect: Dialect): Dialect {
  return new Proxy(dialect, {
    get(target, prop, receiver) {
      if (typeof prop === 'symbol' || prop in target) return Reflect.get(target, prop, receiver);
      if (prop in defaultDialect) return Reflect.get(defaultDialect, prop, receiver);
      throw new Error(`SQL function "${prop}" has no implementation; tried ${target.name}.${prop}, default.${prop} (src/dialects/)`);
    },
  });
}
