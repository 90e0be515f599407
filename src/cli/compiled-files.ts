// Writes target/compiled/<monitor>/<step>.sql while the next monitors render. A compiled project is
// thousands of small files, and on a slow disk writing them one after another took as long as
// rendering them (docs/performance.md, compile time): here the writes run on libuv's thread pool
// and the main thread yields between monitors so that finished writes can start their next step.
import { mkdir, readdir, rm, writeFile as writeFileCallback } from 'node:fs';
import { promisify } from 'node:util';
import { join } from 'node:path';
import type { Step } from '../compiler/compile.js';

export class CompiledFiles {
  private readonly pending: Promise<void>[] = [];

  /** Starts writing one monitor's steps into `dir`, removing files of steps it no longer has. */
  write(monitor: string, dir: string, steps: Step[]): void {
    const written = writeMonitor(dir, steps).catch((e: unknown) => {
      throw new Error(`cannot write the compiled SQL of monitor ${monitor} to ${dir}: ${e instanceof Error ? e.message : String(e)}`);
    });
    // The failure is reported by done(); until then it is not an unhandled rejection.
    written.catch(() => undefined);
    this.pending.push(written);
  }

  /** Lets the thread pool's finished operations continue before rendering the next monitor. */
  yield(): Promise<void> {
    return new Promise((resolve) => setImmediate(resolve));
  }

  /** Waits for every write; rejects with the first failure. */
  async done(): Promise<void> {
    await Promise.all(this.pending);
  }
}

// fs's callback functions, promisified: fs/promises' FileHandle path cost about twice the main
// thread's time per file (open, write and close each a promise).
const writeFile = promisify(writeFileCallback);
const makeDirectory = promisify(mkdir);
const listDirectory = promisify(readdir);
const remove = promisify(rm);

async function writeMonitor(dir: string, steps: Step[]): Promise<void> {
  await makeDirectory(dir, { recursive: true });
  const files = new Set(steps.map((s) => `${s.name}.sql`));
  const stale = (await listDirectory(dir)).filter((f) => !files.has(f));
  await Promise.all([
    ...steps.map((s) => writeFile(join(dir, `${s.name}.sql`), s.sql)),
    ...stale.map((f) => remove(join(dir, f), { recursive: true, force: true })),
  ]);
}
