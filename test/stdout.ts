// What a command printed to stdout, for tests that call commands in-process.
import { afterEach, beforeEach, vi } from 'vitest';

/** Runs `fn` with stdout captured; returns its result and what it wrote. */
export async function captureStdout<T>(fn: () => Promise<T>): Promise<{ result: T; printed: string }> {
  let printed = '';
  const spy = vi.spyOn(process.stdout, 'write').mockImplementation((s) => ((printed += String(s)), true));
  try {
    return { result: await fn(), printed };
  } finally {
    spy.mockRestore();
  }
}

/**
 * What every test of a file printed, stdout and stderr apart: captured before each test, restored
 * after it. A test can clear either (`io.out = ''`) to look at what a later command prints.
 */
export function captureOutput(): { out: string; err: string } {
  const io = { out: '', err: '' };
  beforeEach(() => {
    io.out = '';
    io.err = '';
    vi.spyOn(process.stdout, 'write').mockImplementation((s) => ((io.out += String(s)), true));
    vi.spyOn(process.stderr, 'write').mockImplementation((s) => ((io.err += String(s)), true));
  });
  afterEach(() => vi.restoreAllMocks());
  return io;
}
