// The nunjucks environment that renders models/ and macros/. Rendering is pure: the same inputs
// give byte-identical SQL, and nothing here touches a warehouse.
import { fileURLToPath } from 'node:url';
import nunjucks from 'nunjucks';
import type { Dialect } from '../dialects/index.js';
import { defaultDialect } from '../dialects/dialect.js';
import { installFastFrameSet } from './nunjucks-frame.js';

/** The package root, which holds models/ and macros/ (same path from src/ and from dist/). */
export const PACKAGE_ROOT = fileURLToPath(new URL('../../', import.meta.url));

let environment: nunjucks.Environment | undefined;

export function templateEnvironment(): nunjucks.Environment {
  if (!environment) installFastFrameSet();
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
 *
 * Built once per dialect as a plain object, so that templates read its functions as ordinary
 * properties; only a miss reaches the proxy at the end of its prototype chain. (A proxy in front of
 * every read was ~3% of rendering in a CPU profile, 39 ms per 1,000 monitors; it was also made anew
 * for each monitor.)
 */
export function dispatching(dialect: Dialect): Dialect {
  let d = dispatched.get(dialect);
  if (!d) {
    const missing = new Proxy(Object.prototype, {
      get(target, prop, receiver) {
        if (typeof prop === 'symbol' || prop in target) return Reflect.get(target, prop, receiver);
        throw new Error(`SQL function "${prop}" has no implementation; tried ${dialect.name}.${prop}, default.${prop} (src/dialects/)`);
      },
    });
    d = Object.create(missing) as Dialect;
    Object.defineProperties(d, { ...Object.getOwnPropertyDescriptors(defaultDialect), ...Object.getOwnPropertyDescriptors(dialect) });
    dispatched.set(dialect, d);
  }
  return d;
}

const dispatched = new WeakMap<Dialect, Dialect>();
