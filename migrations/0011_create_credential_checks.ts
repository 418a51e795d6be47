import { type Kysely, sql } from 'kysely';

// The last "test connection" of a merchant's FlexCharge credentials per environment, for the
// readiness checklist. Apart from the credentials table, so a check does not count as a change of
// the merchant's settings (the runtime's fingerprint); removed with the credentials it checked.
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .withSchema('flexcharge_mit')
    .createTable('credential_checks')
    .addColumn('merchant_id', 'text', (c) => c.notNull())
    .addColumn('environment', 'text', (c) => c.notNull().check(sql`environment in ('sandbox', 'production')`))
    .addColumn('checked_at', 'timestamptz', (c) => c.notNull())
    .addColumn('ok', 'boolean', (c) => c.notNull())
    .addColumn('message', 'text', (c) => c.notNull())
    .addPrimaryKeyConstraint('credential_checks_pkey', ['merchant_id', 'environment'])
    .addForeignKeyConstraint(
      'credential_checks_credentials_fkey',
      ['merchant_id', 'environment'],
      'flexcharge_mit.merchant_flexcharge_credentials',
      ['merchant_id', 'environment'],
      (fk) => fk.onDelete('cascade'),
    )
    .execute();
}
