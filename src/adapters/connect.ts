// Opening a target's warehouse, for people: a failure becomes one sentence naming the profile, the
// target and the field to look at, plus what to do. Errors the warehouse calls transient (a server
// starting up, a refused or timed-out connection) are retried with backoff; others are not.
import type { Target } from '../config/load.js';
import type { OutputConfig } from '../config/schema.js';
import { SessionSettingError } from './adapter.js';
import { openAdapter, type Adapter } from './index.js';

/** The hint of an error no case below explains. */
export const GENERIC_HINT = 'Run `hindsight debug` for a step-by-step check, or add --debug for the full error.';

export class ConnectionError extends Error {
  constructor(
    readonly target: Target,
    readonly field: string | undefined,
    readonly reason: string,
    readonly hint: string,
    readonly cause: unknown,
  ) {
    super(`profile ${target.profile}, target ${target.name} (${target.output.type}${field ? `, field ${field}` : ''}): ${reason}. ${hint}`);
    this.name = 'ConnectionError';
  }
}

interface Explanation {
  field?: string;
  reason: string;
  hint: string;
  transient: boolean;
}

/** What a driver's connection error means, by warehouse. Unknown errors keep the driver's words. */
export function explainConnectionError(output: OutputConfig, error: unknown): Explanation {
  const e = error as { code?: string; message?: string };
  const message = e?.message ?? String(error);
  if (error instanceof SessionSettingError) {
    return {
      field: error.field,
      reason: `the ${output.type === 'duckdb' ? 'database' : 'server'} rejects ${error.setting} = ${error.value} (${error.serverMessage})`,
      hint: output.type === 'duckdb' ? 'Check the setting\'s name and value (DuckDB\'s configuration options).' : 'Check the setting\'s name and value: hindsight sets it for its own session, with set_config().',
      transient: false,
    };
  }
  if (output.type === 'postgres') {
    const where = `${output.host}:${output.port}`;
    switch (e.code) {
      case 'ECONNREFUSED':
        return { field: 'host', reason: `nothing accepts connections at ${where}`, hint: 'Check that the server runs and that host and port are right.', transient: true };
      case 'ENOTFOUND':
      case 'EAI_AGAIN':
        return { field: 'host', reason: `the host name ${output.host} does not resolve`, hint: 'Check the host name.', transient: e.code === 'EAI_AGAIN' };
      case 'ETIMEDOUT':
        return { field: 'host', reason: `no answer from ${where}`, hint: 'Check host, port and any firewall between here and the server.', transient: true };
      case '28P01':
        return { field: 'password', reason: `the server rejected the password of user ${output.user}`, hint: 'Check user and password (use env_var() for secrets).', transient: false };
      case '28000':
        return { field: 'user', reason: `the server does not let user ${output.user} in (${message})`, hint: 'Check the user name and the server\'s pg_hba.conf.', transient: false };
      case '3D000':
        return { field: 'dbname', reason: `database ${output.dbname} does not exist on ${where}`, hint: 'Check dbname, or create the database.', transient: false };
      case '57P03':
        return { reason: 'the server is starting up or shutting down', hint: 'Try again in a moment.', transient: true };
    }
    if (/timeout/i.test(message)) return { field: 'host', reason: `no answer from ${where} in time`, hint: 'Check host and port, or raise connect_timeout.', transient: true };
  }
  if (output.type === 'snowflake') {
    // The driver already retries transient login failures (connect_retries); these are final.
    switch (String(e.code)) {
      case '390100':
        return { field: 'password', reason: `Snowflake rejected user ${output.user}'s password`, hint: 'Check user and password (use env_var() for secrets).', transient: false };
      case '390144':
        return { field: 'private_key_path', reason: `Snowflake rejected the key pair of user ${output.user}`, hint: 'Check private_key_path, its passphrase and the public key registered for the user.', transient: false };
      case '390201':
        return { field: 'database', reason: `database ${output.database} does not exist or this role may not use it`, hint: 'Check database and role.', transient: false };
    }
  }
  if (output.type === 'duckdb') {
    if (/lock/i.test(message)) return { field: 'path', reason: `${output.path} is in use by another process (${message.split('\n')[0]})`, hint: 'Close the other DuckDB session, or use another path.', transient: false };
    if (/No such file|Cannot open/i.test(message)) return { field: 'path', reason: `cannot open ${output.path}`, hint: 'Check that the path\'s folder is writable.', transient: false };
  }
  return { reason: message.split('\n')[0] ?? message, hint: GENERIC_HINT, transient: false };
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

interface RetryOptions {
  attempts?: number;
  backoffMs?: number;
}

export function connect(target: Target, options: RetryOptions = {}): Promise<Adapter> {
  return withRetries(target, () => openAdapter(target.output), options);
}

/** `fn` with a connection to the target, closed after it whether it succeeds or fails. */
export async function withConnection<T>(target: Target, fn: (adapter: Adapter) => Promise<T>): Promise<T> {
  const adapter = await connect(target);
  try {
    return await fn(adapter);
  } finally {
    await adapter.close();
  }
}

/**
 * Another session on the warehouse of an open adapter (for monitors run side by side), failing and
 * retrying as `connect` does; undefined where the adapter has no way to open one.
 */
export async function openSession(target: Target, adapter: Adapter, options: RetryOptions = {}): Promise<Adapter | undefined> {
  const open = adapter.openSession?.bind(adapter);
  return open ? withRetries(target, open, options) : undefined;
}

async function withRetries(target: Target, open: () => Promise<Adapter>, options: RetryOptions): Promise<Adapter> {
  const attempts = options.attempts ?? 3;
  for (let attempt = 1; ; attempt++) {
    try {
      return await open();
    } catch (error) {
      const why = explainConnectionError(target.output, error);
      if (!why.transient || attempt >= attempts) throw new ConnectionError(target, why.field, why.reason, why.hint, error);
      await sleep((options.backoffMs ?? 500) * 2 ** (attempt - 1));
    }
  }
}
