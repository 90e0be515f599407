// `hindsight init`: a new project scaffolded from templates/project.
import { existsSync, mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { basename, dirname, join, relative, resolve } from 'node:path';
import { PACKAGE_ROOT } from '../compiler/environment.js';
import { UsageError } from '../errors.js';

/** `a/b/c.yml` → [`a`, `a/b`]. */
const ancestors = (file: string) => file.split(/[\\/]/).slice(0, -1).map((_, i, parts) => parts.slice(0, i + 1).join('/'));

/**
 * Scaffolds a project from templates/project. A directory that already holds one of its files is
 * left as it is, with an error naming them: the user's profiles.yml or monitors are never replaced.
 */
export function initProject(dir: string): string[] {
  const dest = resolve(dir);
  const source = join(PACKAGE_ROOT, 'templates', 'project');
  const files = (readdirSync(source, { recursive: true, withFileTypes: true }) as import('node:fs').Dirent[])
    .filter((f) => f.isFile())
    .map((f) => relative(source, join(f.parentPath, f.name)))
    .sort();
  const shown = (f: string) => join(relative(process.cwd(), dest) || '.', f);
  // a file of the template, or a file where one of its directories goes (monitors/)
  const blocked = (f: string) => existsSync(join(dest, f)) || ancestors(f).some((d) => existsSync(join(dest, d)) && !statSync(join(dest, d)).isDirectory());
  const existing = files.filter(blocked);
  if (existing.length) throw new UsageError(`hindsight init would overwrite ${existing.map(shown).join(', ')}; nothing was written (choose an empty directory)`);
  // The project and its profile are named after the directory, as dbt init names them; editors
  // find the JSON Schemas in this installation of hindsight (schema/), by a path relative to each file.
  const name = projectName(dest);
  for (const f of files) {
    const to = join(dest, f);
    mkdirSync(dirname(to), { recursive: true });
    const schemas = relative(dirname(to), join(PACKAGE_ROOT, 'schema')).split('\\').join('/');
    writeFileSync(to, readFileSync(join(source, f), 'utf8').replaceAll('my_project', name).replaceAll('{{ schemas }}', schemas));
  }
  return files.map(shown);
}

/** A project name from a directory's: lower case letters, digits and underscores, not starting with a digit. */
export function projectName(dir: string): string {
  // (accents dropped, not the letters that carry them: Prüfung is prufung)
  const name = basename(dir).normalize('NFD').replace(/\p{Mn}/gu, '').toLowerCase().replace(/[^a-z0-9_]+/g, '_').replace(/^_+|_+$/g, '');
  return !name ? 'my_project' : /^[0-9]/.test(name) ? `project_${name}` : name;
}
