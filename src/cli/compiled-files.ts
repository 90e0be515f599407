// Writes target/compiled/<monitor>/<step>.sql while the next monitors render. A compiled project is
// thousands of small files (8,000 for 1,000 binary monitors), and each asynchronous write costs the
// main thread three callbacks (open, write, close): 0.5 s of the 2.6 s of `hindsight compile` for
// 1,000 monitors (docs/performance.md, compile time). So the files are written by a worker thread
// with synchronous calls; the main thread only posts each monitor's SQL to it, and keeps rendering.
import { Worker } from 'node:worker_threads';
import type { Step } from '../compiler/compile.js';

/** What the main thread posts: one monitor's files. */
interface WriteRequest {
  monitor: string;
  dir: string;
  files: [name: string, sql: string][];
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
// Whether a file already holds exactly this SQL: reading it costs the disk far less than rewriting it.
const same = (path, sql) => {
  try {
    return readFileSync(path, 'utf8') === sql;
  } catch {
    return false;
  }
};
parentPort.on('message', (request) => {
  if (request === null) {
    parentPort.postMessage({ failure });
    return;
  }
  if (failure) return;
  const { monitor, dir, files } = request;
  try {
    let existing;
    try {
      existing = readdirSync(dir);
    } catch (e) {
      if (e.code !== 'ENOENT') throw e;
      mkdirSync(dir, { recursive: true });
      existing = [];
    }
    const current = new Set(files.map(([name]) => name));
    for (const name of existing) if (!current.has(name)) rmSync(join(dir, name), { recursive: true, force: true });
    for (const [name, sql] of files) {
      const path = join(dir, name);
      if (!existing.includes(name) || !same(path, sql)) writeFileSync(path, sql);
    }
  } catch (e) {
    failure = { monitor, dir, message: e instanceof Error ? e.message : String(e) };
  }
});
`;

export class CompiledFiles {
  private worker: Worker | undefined;

  /** Hands one monitor's steps to the writer, which also removes files of steps it no longer has. */
  write(monitor: string, dir: string, steps: Step[]): void {
    if (!this.worker) {
      this.worker = new Worker(WORKER_SOURCE, { eval: true });
      // Until done() waits for it, the writer does not keep the process alive: a compile that fails
      // while rendering exits with its error.
      this.worker.unref();
    }
    const request: WriteRequest = { monitor, dir, files: steps.map((s) => [`${s.name}.sql`, s.sql]) };
    this.worker.postMessage(request);
  }

  /** Waits for every write; rejects with the first failure, naming the monitor and the directory. */
  async done(): Promise<void> {
    const worker = this.worker;
    if (!worker) return;
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
