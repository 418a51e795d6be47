import { type Kysely, sql } from 'kysely';

// Migration 0009 (per-environment FlexCharge site ids) is numbered ahead of this one on another branch.
export async function up(db: Kysely<unknown>): Promise<void> {
  const s = db.schema.withSchema('flexcharge_mit');

  // A merchant's API keys. Only a SHA-256 of each key is kept: a key is 32 random bytes, so a fast
  // hash gives nothing away that a slow one would protect. The prefix (shown, never secret) finds the
  // row; the hash is then compared in constant time. A revoked key stays, so the audit log and the
  // list can still name it.
  await s
    .createTable('merchant_api_keys')
    .addColumn('id', 'uuid', (c) => c.primaryKey().defaultTo(sql`gen_random_uuid()`))
    .addColumn('merchant_id', 'text', (c) => c.notNull().references('flexcharge_mit.merchants.id'))
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('prefix', 'text', (c) => c.notNull().unique().check(sql`prefix ~ '^[0-9a-f]{12}$'`))
    .addColumn('key_hash', 'bytea', (c) => c.notNull().check(sql`octet_length(key_hash) = 32`))
    .addColumn('created_at', 'timestamptz', (c) => c.notNull())
    .addColumn('created_by', 'text', (c) => c.notNull())
    .addColumn('last_used_at', 'timestamptz')
    .addColumn('revoked_at', 'timestamptz')
    .execute();
  await s
    .createIndex('merchant_api_keys_merchant_idx')
    .on('merchant_api_keys')
    .column('merchant_id')
    .execute();

  // Who changed what, with the redacted views before and after. No foreign key to merchants: the
  // history outlives what it describes, and must never stand in the way of it.
  await s
    .createTable('audit_entries')
    .addColumn('id', 'bigserial', (c) => c.primaryKey())
    .addColumn('at', 'timestamptz', (c) => c.notNull())
    .addColumn('merchant_id', 'text')
    .addColumn('actor', 'text', (c) => c.notNull().check(sql`actor ~ '^[a-z]+(:[0-9a-z]+)?$'`))
    .addColumn('action', 'text', (c) => c.notNull().check(sql`action ~ '^[a-z_]+\\.[a-z_]+$'`))
    .addColumn('target', 'text')
    .addColumn('before', 'jsonb')
    .addColumn('after', 'jsonb')
    .execute();
  await s
    .createIndex('audit_entries_merchant_idx')
    .on('audit_entries')
    .columns(['merchant_id', 'id desc'])
    .execute();

  // Append-only in the database itself, not only in the repository: no code path, retention sweep or
  // hand-typed statement may rewrite or remove history.
  await sql`
    create function flexcharge_mit.refuse_audit_change() returns trigger language plpgsql as $$
    begin
      raise exception 'audit_entries is append-only: % refused', tg_op using errcode = 'insufficient_privilege';
    end
    $$`.execute(db);
  await sql`
    create trigger audit_entries_append_only before update or delete on flexcharge_mit.audit_entries
    for each row execute function flexcharge_mit.refuse_audit_change()`.execute(db);
  await sql`
    create trigger audit_entries_no_truncate before truncate on flexcharge_mit.audit_entries
    for each statement execute function flexcharge_mit.refuse_audit_change()`.execute(db);
}
