import type { Kysely } from 'kysely';

// The Stripe webhook endpoint `flexcharge-mit install` created for the connection, so a later install
// knows the stored signing secret is that endpoint's (Stripe shows a secret only when it creates one).
// Null for connections set by hand: their secret belongs to an endpoint the plugin did not make.
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .withSchema('flexcharge_mit')
    .alterTable('merchant_engine_connections')
    .addColumn('webhook_endpoint_id', 'text')
    .execute();
}
