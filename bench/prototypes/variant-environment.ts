// The template environment of a compare.ts variant: bench/prototypes/<name>/ first, then the variant its
// `extends` file names (if any), then the real models/ and macros/.
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import nunjucks from 'nunjucks';
import { createEnvironment, PACKAGE_ROOT } from '../../src/compiler/environment.js';

export function variantEnvironment(dir: string): nunjucks.Environment {
  const base = existsSync(join(dir, 'extends')) ? [join(import.meta.dirname, readFileSync(join(dir, 'extends'), 'utf8').trim())] : [];
  return createEnvironment(new nunjucks.FileSystemLoader([dir, ...base, PACKAGE_ROOT], { noCache: true }));
}
