// Writes target/compiled/<monitor>/<step>.sql while the next monitors render. A compiled project is
// thousands of small files (8,000 for 1,000 binary monitors), and each asynchronous write costs the
// main thread three callbacks (open, write, close): 0.5 s of the 2.6 s of `hindsight compile` for
// 1,000 monitors (docs/performance.md, compile time). So the files are written by a worker thread
// with synchronous calls; the main thread only posts each monitor's SQL to it, and keeps rendering.
import { Worker } from 'node:worker_threads';
import type { Step } from '../compiler/compile.js';

/**
 * What the main thread posts: one monitor's files, as UTF-8 bytes whose buffers are transferred,
 * not copied (posting the SQL as strings cost the main thread 137 ms per 1,000 monitors).
 */
interface WriteRequest {
  monitor: string;
  dir: string;
  names: string[];
  contents: Uint8Array[];
}

/** What the worker posts back once the main thread says it is done: the first failure, if any. */
interface WriteReport {
  failure?: { monitor: string; dir: string; message: string };
}

// The worker's code, evaluated as CommonJS from this string so that it runs the same from src/
// (tests) and from dist/ (the CLI) and loads nothing but node:fs. Per monitor: make its directory
// when it is missing, remove files of steps it no longer has, write each step's file unless it
// already holds that SQL (so a file's modification time says when its SQL last changed).
const WORKER_SOURCE = `
const { parentPort } = require('node:worker_threads');
const { mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } = require('node:fs');
const { join } = require('node:path');
let failure;
// Whether a file already holds exactly these bytes: reading it costs the disk far less than rewriting it.
const same = (path, bytes) => {
  try {
    return readFileSync(path).equals(bytes);
  } catch {
    return false;
  }
};
parentPort.on('message', (batch) => {
  if (batch === null) parentPort.postMessage({ failure });
  else for (const request of batch) if (!failure) write(request);
});
function write({ monitor, dir, names, contents }) {
  try {
    let existing;
    try {
      existing = readdirSync(dir);
    } catch (e) {
      if (e.code !== 'ENOENT') throw e;
      mkdirSync(dir, { recursive: true });
      existing = [];
    }
    for (const name of existing) if (!names.includes(name)) rmSync(join(dir, name), { recursive: true, force: true });
    names.forEach((name, i) => {
      const path = join(dir, name);
      if (!existing.includes(name) || !same(path, contents[i])) writeFileSync(path, contents[i]);
    });
  } catch (e) {
    failure = { monitor, dir, message: e instanceof Error ? e.message : String(e) };
  }
}
`;

const utf8 = new TextEncoder();

/**
 * Monitors are posted in batches of about this many bytes: a message costs the main thread far more
 * than its size (1,000 single-monitor messages took 149 ms in a CPU profile).
 */
const BATCH_BYTES = 1 << 20;

export class CompiledFiles {
  private worker: Worker | undefined;
  private batch: WriteRequest[] = [];
  private batchBuffers: ArrayBuffer[] = [];
  private batchBytes = 0;

  /** Hands one monitor's steps to the writer, which also removes files of steps it no longer has. */
  write(monitor: string, dir: string, steps: Step[]): void {
    if (!this.worker) {
      this.worker = new Worker(WORKER_SOURCE, { eval: true });
      // Until done() waits for it, the writer does not keep the process alive: a compile that fails
      // while rendering exits with its error.
      this.worker.unref();
    }
    const contents = steps.map((s) => utf8.encode(s.sql));
    this.batch.push({ monitor, dir, names: steps.map((s) => `${s.name}.sql`), contents });
    for (const c of contents) {
      this.batchBuffers.push(c.buffer as ArrayBuffer);
      this.batchBytes += c.byteLength;
    }
    if (this.batchBytes >= BATCH_BYTES) this.post();
  }

  private post(): void {
    if (this.batch.length) this.worker!.postMessage(this.batch, this.batchBuffers);
    this.batch = [];
    this.batchBuffers = [];
    this.batchBytes = 0;
  }

  /** Waits for every write; rejects with the first failure, naming the monitor and the directory. */
  async done(): Promise<void> {
    const worker = this.worker;
    if (!worker) return;
    this.post();
    this.worker = undefined;
    worker.ref();
    const report = await new Promise<WriteReport>((resolve, reject) => {
      worker.once('message', resolve);
      worker.once('error', reject);
      worker.once('exit', (code) => reject(new Error(`the writer of target/compiled/ stopped (exit code ${code})`)));
      worker.postMessage(null);
    });
    await worker.terminate();
    const f = report.failure;
    if (f) throw new Error(`cannot write the compiled SQL of monitor ${f.monitor} to ${f.dir}: ${f.message}`);
  }

  /** Stops the writer without waiting for it (after a failure elsewhere). */
  async close(): Promise<void> {
    const worker = this.worker;
    this.worker = undefined;
    await worker?.terminate();
  }
}
