// dbt-style partial parsing: target/partial_parse.json keeps, for each monitor file that had no
// problems, the monitors it declared, keyed by a hash of the file's bytes. A later load reuses them
// for every unchanged file instead of parsing and validating its YAML again, which was most of
// loading a large project (0.67 of 1.07 s for 1,000 monitors; docs/performance.md, compile time).
//
// A stale entry must never be used, so an entry is keyed by the file's content and the whole cache
// by a fingerprint of the code that turns YAML into monitors: hindsight's version, the versions of
// yaml and zod, and the bytes of src/config/ (or dist/config/) itself. Files with problems are not
// cached: they are parsed again, so their messages are always fresh. Cross-file checks (unique
// monitor names) run on every load, from the cached names and positions.
import { createHash } from 'node:crypto';
import { mkdirSync, readdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { HINDSIGHT_VERSION } from '../version.js';
import type { Monitor } from './monitor.js';

export const PARTIAL_PARSE_FILE = 'partial_parse.json';
const SCHEMA_VERSION = 'hindsight/partial-parse/v1';

/** A monitor as its file declares it, with where its name is written (for the cross-file checks). */
export interface Declared {
  name: string;
  key: string;
  line: number;
  column: number;
}

/** What one valid monitor file yields. `file` is left out of the cached monitors: it depends on the working dir. */
export interface CachedFile {
  sha256: string;
  declared: Declared[];
  monitors: Omit<Monitor, 'file'>[];
}

interface CacheDocument {
  schema_version: string;
  fingerprint: string;
  files: Record<string, CachedFile>;
}

let fingerprint: string | undefined;

/** Changes whenever the code or libraries that turn monitor YAML into monitors change. */
export function parserFingerprint(): string {
  if (fingerprint === undefined) {
    const hash = createHash('sha256').update(`${SCHEMA_VERSION}\n${HINDSIGHT_VERSION}\n`);
    const require = createRequire(import.meta.url);
    for (const lib of ['yaml', 'zod']) {
      const manifest = join(packageRoot(require.resolve(lib)), 'package.json');
      hash.update(`${lib}@${JSON.parse(readFileSync(manifest, 'utf8')).version}\n`);
    }
    const here = dirname(fileURLToPath(import.meta.url));
    for (const entry of readdirSync(here).sort()) hash.update(`${entry}\n`).update(readFileSync(join(here, entry)));
    fingerprint = hash.digest('hex');
  }
  return fingerprint;
}

/** The directory of the package.json that owns a resolved module file. */
function packageRoot(resolved: string): string {
  let dir = dirname(resolved);
  for (;;) {
    try {
      const manifest = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')) as { name?: string; version?: string };
      if (manifest.name && manifest.version) return dir;
    } catch {
      // no package.json here; keep going up
    }
    const up = dirname(dir);
    if (up === dir) throw new Error(`no package.json above ${resolved}`);
    dir = up;
  }
}

export const contentHash = (text: string): string => createHash('sha256').update(text).digest('hex');

/**
 * The cache of one project. Reading never fails: a missing, unreadable or outdated cache is empty.
 * Entries not looked up or set during this load (deleted files) are dropped when it is saved.
 */
export class PartialParseCache {
  private readonly previous: Record<string, CachedFile>;
  private readonly next: Record<string, CachedFile> = {};
  private changed = false;

  constructor(private readonly path: string) {
    this.previous = readCache(path);
  }

  /** The cached result of a file whose bytes hash to `sha256`, if there is one. */
  get(file: string, sha256: string): CachedFile | undefined {
    const entry = this.previous[file];
    if (entry?.sha256 !== sha256 || !Array.isArray(entry.declared) || !Array.isArray(entry.monitors)) return undefined;
    this.next[file] = entry;
    return entry;
  }

  set(file: string, entry: CachedFile): void {
    this.next[file] = entry;
    this.changed = true;
  }

  /**
   * Writes the cache when it changed, through a temporary file and a rename so that a reader never
   * sees half a file. A cache that cannot be written is not an error: the next load parses again.
   */
  save(): void {
    const dropped = Object.keys(this.previous).some((f) => !(f in this.next));
    if (!this.changed && !dropped) return;
    const files = Object.fromEntries(Object.keys(this.next).sort().map((f) => [f, this.next[f]!]));
    const doc: CacheDocument = { schema_version: SCHEMA_VERSION, fingerprint: parserFingerprint(), files };
    const temporary = `${this.path}.${process.pid}.tmp`;
    try {
      mkdirSync(dirname(this.path), { recursive: true });
      writeFileSync(temporary, JSON.stringify(doc));
      renameSync(temporary, this.path);
    } catch {
      try {
        rmSync(temporary, { force: true });
      } catch {
        // nothing more to do: the next load parses again
      }
    }
  }
}

function readCache(path: string): Record<string, CachedFile> {
  let doc: CacheDocument;
  try {
    doc = JSON.parse(readFileSync(path, 'utf8')) as CacheDocument;
  } catch {
    return {};
  }
  const usable = doc && doc.schema_version === SCHEMA_VERSION && doc.fingerprint === parserFingerprint() && typeof doc.files === 'object' && doc.files !== null;
  return usable ? doc.files : {};
}
