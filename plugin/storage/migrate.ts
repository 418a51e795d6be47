import { promises as fs } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  FileMigrationProvider,
  type Kysely,
  type MigrationResult,
  type MigrationResultSet,
  Migrator,
} from 'kysely';
import { type Database, SCHEMA } from './schema.js';

const MIGRATIONS_DIR = fileURLToPath(new URL('../../migrations', import.meta.url));

function createMigrator(db: Kysely<Database>): Migrator {
  return new Migrator({
    db,
    provider: new FileMigrationProvider({ fs, path, migrationFolder: MIGRATIONS_DIR }),
    migrationTableSchema: SCHEMA,
    migrationTableName: 'kysely_migration',
    migrationLockTableName: 'kysely_migration_lock',
  });
}

/** Runs every pending migration; throws if one fails (Kysely's Migrator reports rather than throws). */
export async function migrateToLatest(db: Kysely<Database>): Promise<MigrationResult[]> {
  return checked(await createMigrator(db).migrateToLatest());
}

/**
 * Runs the pending migrations up to and including `name` (e.g. `0008_carry_merchant_context`), so a
 * test can store rows as an older release did and check what a later migration makes of them.
 */
export async function migrateUpTo(db: Kysely<Database>, name: string): Promise<MigrationResult[]> {
  return checked(await createMigrator(db).migrateTo(name));
}

function checked({ error, results = [] }: MigrationResultSet): MigrationResult[] {
  if (error) {
    const failed = results.find((r) => r.status === 'Error')?.migrationName ?? 'unknown';
    throw new Error(`migration ${failed} failed: ${error instanceof Error ? error.message : String(error)}`, {
      cause: error,
    });
  }
  return results;
}

/** Names of migrations not yet applied; empty when the database is current. */
export async function pendingMigrations(db: Kysely<Database>): Promise<string[]> {
  const all = await createMigrator(db).getMigrations();
  return all.filter((m) => !m.executedAt).map((m) => m.name);
}
