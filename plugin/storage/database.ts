import { mkdirSync } from 'node:fs';
import { resolve } from 'node:path';
import { PGlite } from '@electric-sql/pglite';
import { Kysely, PostgresDialect } from 'kysely';
import pg from 'pg';
import type { Logger } from '../core/logger.js';
import { PGliteDialect } from './pglite-dialect.js';
import type { Database } from './schema.js';

/** Where the plugin's data lives: a PostgreSQL server, or PGlite on disk or in memory. */
export type DatabaseTarget =
  | { kind: 'postgres'; url: string; poolSize?: number }
  | { kind: 'pglite'; dataDir?: string /* absent: in memory */ };

export interface DatabaseHandle {
  readonly db: Kysely<Database>;
  readonly kind: DatabaseTarget['kind'];
  close(): Promise<void>;
}

// int8 (count(*), bigserial, bigint money) arrives as a string from pg; money in minor units stays
// far below 2^53, so numbers are safe and keep the types honest across both drivers.
const INT8_OID = 20;
pg.types.setTypeParser(INT8_OID, (value) => toSafeNumber(value));

function toSafeNumber(value: string): number {
  const n = Number(value);
  if (!Number.isSafeInteger(n)) throw new RangeError(`int8 value ${value} exceeds the safe integer range`);
  return n;
}

export function targetFromConfig(config: {
  DATABASE_URL?: string | undefined;
  DATA_DIR: string;
  DATABASE_POOL_SIZE?: number | undefined;
}): DatabaseTarget {
  return config.DATABASE_URL
    ? {
        kind: 'postgres',
        url: config.DATABASE_URL,
        ...(config.DATABASE_POOL_SIZE ? { poolSize: config.DATABASE_POOL_SIZE } : {}),
      }
    : { kind: 'pglite', dataDir: resolve(config.DATA_DIR, 'pglite') };
}

export async function openDatabase(
  target: DatabaseTarget,
  options: { logger?: Logger } = {},
): Promise<DatabaseHandle> {
  if (target.kind === 'postgres') {
    const pool = createPool(target, options.logger);
    const db = new Kysely<Database>({ dialect: new PostgresDialect({ pool }) });
    return { db, kind: 'postgres', close: () => db.destroy() };
  }
  if (target.dataDir) mkdirSync(target.dataDir, { recursive: true });
  const pglite = new PGlite(target.dataDir, { parsers: { [INT8_OID]: toSafeNumber } });
  await pglite.waitReady;
  const db = new Kysely<Database>({ dialect: new PGliteDialect(pglite) });
  return { db, kind: 'pglite', close: () => db.destroy() };
}

/** Connections per process when none is configured (DATABASE_POOL_SIZE's default). */
export const DEFAULT_POOL_SIZE = 20;

/**
 * A pool that survives its server going away. pg reports a dead connection as an `'error'` event on
 * the idle client's pool or on a checked-out client, and an unheard `'error'` event ends the process;
 * so both are heard here. The broken client is discarded (pg marks it unqueryable), the query in
 * flight fails with a connection error the HTTP layer answers 503, and the next checkout connects anew.
 */
function createPool(target: { url: string; poolSize?: number }, logger: Logger | undefined): pg.Pool {
  const pool = new pg.Pool({
    connectionString: target.url,
    max: target.poolSize ?? DEFAULT_POOL_SIZE,
    // A failover that drops packets instead of refusing them must not hang every request forever.
    connectionTimeoutMillis: 10_000,
    keepAlive: true,
  });
  pool.on('connect', (client) =>
    client.on('error', (err: Error & { code?: string }) =>
      logger?.warn('database connection lost; the pool reconnects on next use', {
        error: err.message,
        ...(err.code ? { code: err.code } : {}),
      }),
    ),
  );
  // Every client's own listener above has reported it; the pool re-emits idle clients' errors.
  pool.on('error', () => {});
  return pool;
}
