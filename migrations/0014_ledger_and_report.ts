import type { Kysely } from 'kysely';

// The ledger and the report read rescues by merchant and failure time, in (failed_at, id) order (the
// ledger's keyset cursor): one index serves a merchant's month and, from its second column on, the
// partner's. The decline's message, as the billing engine wrote it, is kept beside its code so finance
// can read why a renewal failed without opening the engine.
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .withSchema('flexcharge_mit')
    .alterTable('rescues')
    .addColumn('decline_message', 'text')
    .execute();
  const s = db.schema.withSchema('flexcharge_mit');
  await s
    .createIndex('rescues_ledger_idx')
    .on('rescues')
    .columns(['merchant_id', 'failed_at', 'id'])
    .execute();
  await s.createIndex('rescues_failed_at_idx').on('rescues').columns(['failed_at', 'id']).execute();
}
