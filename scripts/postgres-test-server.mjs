#!/usr/bin/env node
// Throwaway PostgreSQL server for tests.
//
//   node scripts/postgres-test-server.mjs start [--state FILE]   # prints the connection URL
//   node scripts/postgres-test-server.mjs stop  [--state FILE]
//
// The state file (default: $TMPDIR/hindsight-test-postgres.json) remembers where the cluster lives
// so `stop` can find it. The vitest globalSetup uses the exported startPostgres/stopPostgres instead.
//
// Plain Node ESM with no dependencies so it runs before any build or `npm ci`.
// Binaries: $HINDSIGHT_TEST_PG_BINDIR, `pg_config --bindir`, /usr/lib/postgresql/*/bin, then PATH.
// When none is found and we are root, the Debian package `postgresql` is installed with apt-get.

import { execFileSync, spawn } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const DEFAULT_DATABASE = 'hindsight_test';
const SUPERUSER = 'postgres';
const isRoot = () => process.getuid?.() === 0;

/** Runs a command synchronously; on failure the error message carries the command's output. */
function run(file, args, opts = {}) {
  try {
    return execFileSync(file, args, {
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'pipe'],
      timeout: 120_000,
      ...opts,
    });
  } catch (err) {
    const why = err.status != null ? `exit code ${err.status}` : (err.signal ?? err.code ?? err.message);
    const out = [err.stdout, err.stderr].filter(Boolean).join('\n').trim();
    throw new Error(`\`${path.basename(file)} ${args.join(' ')}\` failed (${why})${out ? `:\n${out}` : ''}`);
  }
}

const hasInitdb = (dir) => Boolean(dir) && fs.existsSync(path.join(dir, 'initdb'));

function findBinDir() {
  const candidates = [process.env.HINDSIGHT_TEST_PG_BINDIR];
  try {
    // Debian's pg_config may come from libpq-dev and point at a dir without server binaries,
    // hence the initdb check below.
    candidates.push(run('pg_config', ['--bindir']).trim());
  } catch {
    /* no pg_config */
  }
  try {
    const versions = fs
      .readdirSync('/usr/lib/postgresql')
      .filter((v) => /^\d+$/.test(v))
      .sort((a, b) => Number(b) - Number(a)); // newest first
    candidates.push(...versions.map((v) => `/usr/lib/postgresql/${v}/bin`));
  } catch {
    /* not a Debian-style install */
  }
  candidates.push(...(process.env.PATH ?? '').split(path.delimiter));
  return candidates.find(hasInitdb);
}

function installDebianPostgres(log) {
  log('PostgreSQL server binaries not found; installing the Debian package `postgresql` ...');
  const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
  const opts = { env, timeout: 20 * 60_000 };
  run('apt-get', ['update'], opts);
  // Install postgresql-common first and turn off its automatic "main" cluster, which would
  // otherwise be created (and on some hosts started on port 5432) by the postgresql package.
  run('apt-get', ['install', '-y', '--no-install-recommends', 'postgresql-common'], opts);
  const conf = '/etc/postgresql-common/createcluster.conf';
  if (fs.existsSync(conf)) {
    const text = fs.readFileSync(conf, 'utf8');
    fs.writeFileSync(conf, text.replace(/^#?\s*create_main_cluster\s*=.*$/m, 'create_main_cluster = false'));
  }
  run('apt-get', ['install', '-y', '--no-install-recommends', 'postgresql'], opts);
}

function resolveBinDir(log) {
  let binDir = findBinDir();
  if (binDir) return binDir;
  if (!isRoot()) {
    throw new Error(
      'PostgreSQL server binaries (initdb, postgres) not found. Install PostgreSQL >= 13 ' +
        '(Debian/Ubuntu: `sudo apt-get install -y postgresql`), put its bin directory on PATH, ' +
        'or set HINDSIGHT_TEST_PG_BINDIR. To run without Postgres tests set HINDSIGHT_TEST_POSTGRES=skip.',
    );
  }
  installDebianPostgres(log);
  binDir = findBinDir();
  if (!binDir) throw new Error('installed the `postgresql` package but still cannot find initdb');
  return binDir;
}

/** Postgres refuses to run as root, so as root we run the server as an unprivileged OS user. */
function resolveServerUser() {
  if (!isRoot()) return null;
  const name = 'postgres';
  const id = (flag) => Number(run('id', [flag, name]).trim());
  try {
    return { name, uid: id('-u'), gid: id('-g') };
  } catch {
    run('useradd', ['--system', '--user-group', '--no-create-home', '--shell', '/usr/sbin/nologin', name]);
    return { name, uid: id('-u'), gid: id('-g') };
  }
}

/** A port that was free a moment ago (there is a small race; start() retries on failure). */
function freePort() {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.unref();
    srv.on('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address();
      srv.close(() => resolve(port));
    });
  });
}

function logTail(file, lines = 30) {
  return fs.readFileSync(file, 'utf8').trimEnd().split('\n').slice(-lines).join('\n');
}

/**
 * Creates and starts a throwaway cluster. See postgres-test-server.d.mts for the types.
 * @param {{ database?: string, detached?: boolean, log?: (msg: string) => void }} [options]
 */
export async function startPostgres(options = {}) {
  const database = options.database ?? DEFAULT_DATABASE;
  const log = options.log ?? ((msg) => console.error(`[postgres-test-server] ${msg}`));
  const binDir = resolveBinDir(log);
  const user = resolveServerUser();
  const baseDir = fs.mkdtempSync(path.join(os.tmpdir(), 'hindsight-pg-'));
  const dataDir = path.join(baseDir, 'data');
  const logFile = path.join(baseDir, 'server.log');
  const server = { url: '', port: 0, database, baseDir, dataDir, binDir, logFile };

  // Everything runs as the server user, from a directory it can read, with a clean PG* env.
  const env = Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith('PG')));
  const asUser = { cwd: baseDir, env: { ...env, HOME: baseDir, LC_ALL: 'C' } };
  if (user) {
    fs.chownSync(baseDir, user.uid, user.gid);
    Object.assign(asUser, { uid: user.uid, gid: user.gid });
  }
  const bin = (name) => path.join(binDir, name);

  try {
    // --no-sync: no fsync during initdb; the cluster is thrown away anyway.
    run(bin('initdb'), ['-D', dataDir, '-U', SUPERUSER, '-A', 'trust', '-E', 'UTF8', '--no-locale', '--no-sync'], asUser);
    // Trust auth, but only over the private unix socket and TCP on 127.0.0.1.
    fs.writeFileSync(
      path.join(dataDir, 'pg_hba.conf'),
      'local all all trust\nhost all all 127.0.0.1/32 trust\n',
    );
    fs.appendFileSync(
      path.join(dataDir, 'postgresql.conf'),
      [
        '',
        '# hindsight test server: speed over durability',
        "listen_addresses = '127.0.0.1'",
        `unix_socket_directories = '${baseDir}'`, // not /var/run/postgresql, which may be missing
        'fsync = off',
        'synchronous_commit = off',
        'full_page_writes = off',
        'max_connections = 200',
        "timezone = 'UTC'",
        // Files instead of /dev/shm, which is tiny (64 MB) in many containers.
        'dynamic_shared_memory_type = mmap',
        '',
      ].join('\n'),
    );

    for (let attempt = 1; ; attempt++) {
      server.port = await freePort();
      try {
        await launch(server, bin('postgres'), asUser, options.detached ?? false);
        break;
      } catch (err) {
        if (attempt >= 3) throw err; // most likely someone grabbed the port; try another
        log(`postgres failed to start on port ${server.port}, retrying: ${err.message.split('\n')[0]}`);
      }
    }
    run(bin('createdb'), ['-h', '127.0.0.1', '-p', String(server.port), '-U', SUPERUSER, database], asUser);
  } catch (err) {
    const tail = fs.existsSync(logFile) ? `\n--- server log (${logFile}) ---\n${logTail(logFile)}` : '';
    await stopPostgres(server).catch(() => {});
    throw new Error(`could not start the PostgreSQL test server: ${err.message}${tail}`);
  }

  server.url = `postgres://${SUPERUSER}@127.0.0.1:${server.port}/${database}`;
  return server;
}

// Postmasters started by this process, so stop can wait for (and thereby reap) its own children.
const children = new Map();

/**
 * Runs the postmaster directly instead of via `pg_ctl start`: then it is our child and we reap it
 * when it exits. With pg_ctl it is re-parented to PID 1, and in some sandboxes PID 1 never reaps,
 * leaving a <defunct> postgres behind after every run.
 * `detached` (CLI use) lets it outlive this process and ignore our terminal's Ctrl-C.
 */
async function launch(server, postgresBin, asUser, detached) {
  const logFd = fs.openSync(server.logFile, 'a');
  const child = spawn(postgresBin, ['-D', server.dataDir, '-p', String(server.port)], {
    ...asUser,
    detached,
    stdio: ['ignore', logFd, logFd],
  });
  fs.closeSync(logFd);
  const exited = new Promise((resolve) => child.once('exit', (code, signal) => resolve(signal ?? code)));
  child.once('error', () => {}); // surfaces as an exit below
  child.unref(); // never keep this process alive just for the server

  // Ready when the postmaster writes status "ready" as line 8 of postmaster.pid (what pg_ctl -w checks).
  const pidFile = path.join(server.dataDir, 'postmaster.pid');
  const deadline = Date.now() + 60_000;
  let status = 'running';
  exited.then(() => (status = 'exited'));
  while (status === 'running') {
    const lines = fs.existsSync(pidFile) ? fs.readFileSync(pidFile, 'utf8').split('\n') : [];
    if (lines[7]?.trim() === 'ready') {
      children.set(server.baseDir, { child, exited });
      return;
    }
    if (Date.now() > deadline) {
      child.kill('SIGKILL');
      throw new Error('postgres did not become ready within 60 s');
    }
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`postgres exited during startup (${await exited})`);
}

/**
 * Stops the server (immediate shutdown: no checkpoint, the data is thrown away) and deletes its
 * directory. Works both in the process that started it and from another one (CLI `stop`).
 * @param {{ baseDir: string, dataDir: string, binDir: string }} server
 */
export async function stopPostgres(server) {
  const own = children.get(server.baseDir);
  children.delete(server.baseDir);
  const pidFile = path.join(server.dataDir, 'postmaster.pid');
  const pid = own?.child.pid ?? (fs.existsSync(pidFile) ? Number(fs.readFileSync(pidFile, 'utf8').split('\n')[0]) : 0);
  // The postmaster deletes postmaster.pid when it is done (a "kill -0" probe would also see a zombie).
  const gone = own ? () => own.child.exitCode !== null || own.child.signalCode !== null : () => !fs.existsSync(pidFile);
  if (pid > 0 && !gone()) {
    signal(pid, 'SIGQUIT'); // postgres' "immediate shutdown"
    for (let i = 0; i < 100 && !gone(); i++) await new Promise((r) => setTimeout(r, 100));
    if (!gone()) signal(pid, 'SIGKILL');
    if (own) await own.exited;
  }
  fs.rmSync(server.baseDir, { recursive: true, force: true });
}

function signal(pid, sig) {
  try {
    process.kill(pid, sig);
  } catch {
    /* already gone */
  }
}

// ---------------------------------------------------------------- CLI
async function main(argv) {
  const [command, ...rest] = argv;
  const i = rest.indexOf('--state');
  const stateFile = i >= 0 ? rest[i + 1] : path.join(os.tmpdir(), 'hindsight-test-postgres.json');
  if (command === 'start') {
    if (fs.existsSync(stateFile)) {
      throw new Error(`${stateFile} exists: a server is probably running; run \`stop\` first or pass --state`);
    }
    const server = await startPostgres({ detached: true });
    fs.writeFileSync(stateFile, JSON.stringify(server, null, 2) + '\n');
    console.error(`[postgres-test-server] started (state: ${stateFile}, log: ${server.logFile})`);
    console.log(server.url);
  } else if (command === 'stop') {
    if (!fs.existsSync(stateFile)) throw new Error(`${stateFile} not found: nothing to stop`);
    await stopPostgres(JSON.parse(fs.readFileSync(stateFile, 'utf8')));
    fs.rmSync(stateFile);
    console.error('[postgres-test-server] stopped');
  } else {
    throw new Error('usage: postgres-test-server.mjs start|stop [--state FILE]');
  }
}

if (process.argv[1] && fs.realpathSync(process.argv[1]) === fileURLToPath(import.meta.url)) {
  main(process.argv.slice(2)).catch((err) => {
    console.error(`[postgres-test-server] ${err.message}`);
    process.exit(1);
  });
}
