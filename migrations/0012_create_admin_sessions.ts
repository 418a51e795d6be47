import { type Kysely, sql } from 'kysely';

export async function up(db: Kysely<unknown>): Promise<void> {
  // Sessions of the onboarding pages. The cookie carries 32 random bytes; only their SHA-256 is the
  // key here, so a read of this table gives no one a session. A merchant's session names the API key
  // it was opened with: revoking that key ends the session too.
  await db.schema
    .withSchema('flexcharge_mit')
    .createTable('admin_sessions')
    .addColumn('id', 'bytea', (c) => c.primaryKey().check(sql`octet_length(id) = 32`))
    .addColumn('principal', 'text', (c) => c.notNull().check(sql`principal in ('partner', 'merchant')`))
    .addColumn('merchant_id', 'text', (c) => c.references('flexcharge_mit.merchants.id').onDelete('cascade'))
    .addColumn('api_key_id', 'uuid', (c) =>
      c.references('flexcharge_mit.merchant_api_keys.id').onDelete('cascade'),
    )
    .addColumn('csrf_token', 'text', (c) => c.notNull())
    .addColumn('created_at', 'timestamptz', (c) => c.notNull())
    .addColumn('last_seen_at', 'timestamptz', (c) => c.notNull())
    .addColumn('expires_at', 'timestamptz', (c) => c.notNull())
    .addCheckConstraint(
      'admin_sessions_principal_check_parts',
      sql`(principal = 'partner') = (merchant_id is null and api_key_id is null)`,
    )
    .execute();
  await db.schema
    .withSchema('flexcharge_mit')
    .createIndex('admin_sessions_expires_idx')
    .on('admin_sessions')
    .column('expires_at')
    .execute();
}
