// What a command printed to stdout, for tests that call commands in-process.
import { vi } from 'vitest';

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
