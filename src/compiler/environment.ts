// The nunjucks environment that renders models/ and macros/. Rendering is pure: the same inputs
// give byte-identical SQL, and nothing here touches a warehouse.
import { dirname, join, relative, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import nunjucks from 'nunjucks';
import type { Dialect } from '../dialects/index.js';
import { defaultDialect } from '../dialects/dialect.js';
import { installFastFrameSet } from './nunjucks-frame.js';
import { loadPrecompiled, templateHash, templateOptions, templateSource, type PrecompiledTemplate } from './precompiled-templates.js';

/** The package root, which holds models/ and macros/ (same path from src/ and from dist/). */
export const PACKAGE_ROOT = fileURLToPath(new URL('../../', import.meta.url));

/** Where `npm run build` writes the compiled templates (precompiled-templates.ts). */
export const PRECOMPILED_TEMPLATES = join(PACKAGE_ROOT, 'dist', 'templates.cjs');

/**
 * Reads each template from the package root, as nunjucks's FileSystemLoader does, and hands nunjucks
 * its compiled code instead of its source when the build compiled this very source
 * (precompiled-templates.ts). `precompiledUsed` and `fromSource` name the templates loaded each way.
 */
export class TemplateLoader extends nunjucks.FileSystemLoader {
  readonly precompiledUsed = new Set<string>();
  readonly fromSource = new Set<string>();

  constructor(private readonly root: string, private readonly precompiled: Record<string, PrecompiledTemplate> | undefined) {
    super(root, { noCache: false });
  }

  /**
   * A relative import (`{% import "./x.sql" %}`) names a path from the package root, whether its parent
   * was compiled from its source (nunjucks names it by its absolute path) or at build time (named
   * `models/…` there): nunjucks's own resolve would take the latter from the working directory.
   */
  override resolve(from: string, to: string): string {
    return relative(this.root, resolve(this.root, dirname(from), to)).split(sep).join('/');
  }

  override getSource(name: string): nunjucks.LoaderSource {
    const read = super.getSource(name);
    const source = read && { ...read, src: templateSource(read.src as string) };
    const entry = source && this.precompiled?.[name];
    if (!entry || entry.hash !== templateHash(source.src as string)) {
      if (source) this.fromSource.add(name);
      return source;
    }
    this.precompiledUsed.add(name);
    return { ...source, src: { type: 'code', obj: entry.compiled } as never };
  }
}

let environment: nunjucks.Environment | undefined;
let loader: TemplateLoader | undefined;

export function templateEnvironment(): nunjucks.Environment {
  if (!environment) {
    installFastFrameSet();
    loader = new TemplateLoader(PACKAGE_ROOT, loadPrecompiled(PRECOMPILED_TEMPLATES));
    environment = createEnvironment(loader);
  }
  return environment;
}

/** The loader of the process's environment: which templates it loaded compiled, and which from source. */
export function templateLoader(): TemplateLoader {
  templateEnvironment();
  return loader!;
}

/** An environment over `loader` with the options the compiled templates were built with. */
export function createEnvironment(loader: nunjucks.ILoader): nunjucks.Environment {
  return new nunjucks.Environment(loader, templateOptions());
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
