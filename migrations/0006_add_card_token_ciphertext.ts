import { type Kysely, sql } from 'kysely';

// Card tokens are kept encrypted (AES-256-GCM) with the id of the key beside the ciphertext. The key
// is known only to the running process (ENCRYPTION_KEY, or the local key file under DATA_DIR), so
// this migration only makes room: rows still in clear are encrypted by the start-up step
// `sealClearCardTokens`, and a later migration drops `token` once every deployment has run it.
export async function up(db: Kysely<unknown>): Promise<void> {
  const table = db.schema.withSchema('flexcharge_mit').alterTable('card_tokens');
  await table.addColumn('token_ciphertext', 'bytea').execute();
  await table.addColumn('token_key_id', 'text').execute();
  await table.alterColumn('token', (c) => c.dropNotNull()).execute();
  await table
    .addCheckConstraint(
      'card_tokens_clear_or_sealed',
      sql`(token is null) <> (token_ciphertext is null) and (token_ciphertext is null) = (token_key_id is null)`,
    )
    .execute();
}
