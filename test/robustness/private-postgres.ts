import { execFile, execFileSync } from 'node:child_process';
import { chownSync, existsSync, mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import pg from 'pg';

const run = promisify(execFile);
const BIN = process.env.PG_BIN ?? '/usr/lib/postgresql/15/bin';

/** Whether this machine has the PostgreSQL server binaries a private instance needs. */
export const canRunPrivatePostgres = existsSync(join(BIN, 'initdb')) && existsSync(join(BIN, 'pg_ctl'));

/**
 * A PostgreSQL server of the test's own, in a temporary directory on a free port, so a test can stop,
 * restart and kill its backends without disturbing the machine's shared server.
 */
export interface PrivatePostgres {
  /** Connection string of its `postgres` database. */
  readonly url: string;
  start(): Promise<void>;
  /** A fast shutdown: open sessions are cut, as in a restart or a failover. */
  stop(): Promise<void>;
  /** Ends every client backend connected to `database`; returns how many. */
  terminateBackends(database: string, state?: 'idle'): Promise<number>;
  destroy(): Promise<void>;
}

export async function startPrivatePostgres(): Promise<PrivatePostgres> {
  const root = mkdtempSync(join(tmpdir(), 'fcm-pg-'));
  const dataDir = join(root, 'data');
  const asRoot = process.getuid?.() === 0;
  // initdb refuses to run as root: the server files then belong to the postgres account.
  if (asRoot) chownSync(root, uidOf('postgres'), gidOf('postgres'));
  const port = await freePort();
  const pgRun = (bin: string, args: string[]) =>
    asRoot ? run('runuser', ['-u', 'postgres', '--', join(BIN, bin), ...args]) : run(join(BIN, bin), args);

  await pgRun('initdb', ['-D', dataDir, '-A', 'trust', '-U', 'postgres', '--no-sync', '-E', 'UTF8']);
  const options = `-p ${port} -k ${root} -c listen_addresses=127.0.0.1 -c fsync=off`;
  const start = () =>
    pgRun('pg_ctl', ['-D', dataDir, '-o', options, '-l', join(root, 'server.log'), '-w', 'start']).then(
      () => {},
    );
  const stop = () => pgRun('pg_ctl', ['-D', dataDir, '-m', 'fast', '-w', 'stop']).then(() => {});
  await start();
  const url = `postgres://postgres@127.0.0.1:${port}/postgres`;

  return {
    url,
    start,
    stop,
    async terminateBackends(database, state) {
      const client = new pg.Client({ connectionString: url });
      await client.connect();
      try {
        const { rows } = await client.query(
          `select pg_terminate_backend(pid) as ended from pg_stat_activity
           where datname = $1 and pid <> pg_backend_pid() and ($2::text is null or state = $2)`,
          [database, state ?? null],
        );
        return rows.length;
      } finally {
        await client.end();
      }
    },
    async destroy() {
      await stop().catch(() => {});
      rmSync(root, { recursive: true, force: true });
    },
  };
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => resolve(typeof address === 'object' && address ? address.port : 0));
    });
  });
}

function uidOf(user: string): number {
  return Number(execFileSync('id', ['-u', user]).toString().trim());
}

function gidOf(user: string): number {
  return Number(execFileSync('id', ['-g', user]).toString().trim());
}
