import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { type DatabaseHandle, openDatabase } from '../../plugin/storage/database.js';
import { migrateToLatest, migrateUpTo } from '../../plugin/storage/migrate.js';

/**
 * A migrated database of the test file's own: a fresh database on the PostgreSQL server named by
 * DATABASE_URL (dropped on close), or an in-memory PGlite when DATABASE_URL is unset. `upTo` stops
 * after that migration, for a test of what a later one makes of older rows.
 */
export async function createTestDatabase(options: { upTo?: string } = {}): Promise<DatabaseHandle> {
  const migrate = (db: DatabaseHandle['db']) =>
    options.upTo === undefined ? migrateToLatest(db) : migrateUpTo(db, options.upTo);
  const serverUrl = process.env.DATABASE_URL;
  if (!serverUrl) {
    const handle = await openDatabase({ kind: 'pglite' });
    await migrate(handle.db);
    return handle;
  }
  const name = `fcm_test_${randomBytes(6).toString('hex')}`;
  await adminQuery(serverUrl, `create database ${name}`);
  const url = new URL(serverUrl);
  url.pathname = `/${name}`;
  const handle = await openDatabase({ kind: 'postgres', url: url.toString(), poolSize: 5 });
  await migrate(handle.db);
  return {
    ...handle,
    async close() {
      await handle.close();
      await adminQuery(serverUrl, `drop database if exists ${name} with (force)`);
    },
  };
}

async function adminQuery(serverUrl: string, text: string): Promise<void> {
  const client = new pg.Client({ connectionString: serverUrl });
  await client.connect();
  try {
    await client.query(text);
  } finally {
    await client.end();
  }
}
