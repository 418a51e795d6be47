import { type Kysely, sql } from 'kysely';

// Every claim query reads its due rows through a partial index whose predicate is the claim's own
// `pending` condition, so finished rows (the bulk of every table after a few months) cost nothing.
// Transmissions had no index for pending rows: each worker pass scanned the whole table. The inbox's
// index now also leaves out quarantined rows, which are kept but never claimed.
export async function up(db: Kysely<unknown>): Promise<void> {
  const s = db.schema.withSchema('flexcharge_mit');
  await s
    .createIndex('transmissions_due_idx')
    .on('transmissions')
    .columns(['next_attempt_at', 'id'])
    .where(sql.ref('state'), '=', 'pending')
    .execute();
  await s.dropIndex('inbox_events_due_idx').execute();
  await s
    .createIndex('inbox_events_due_idx')
    .on('inbox_events')
    .columns(['next_attempt_at', 'id'])
    .where(sql<boolean>`processed_at is null and quarantine_reason is null`)
    .execute();
  await s.dropIndex('rescues_due_idx').execute();
  await s
    .createIndex('rescues_due_idx')
    .on('rescues')
    .columns(['next_action_at', 'id'])
    .where(sql.ref('next_action_at'), 'is not', null)
    .execute();
}
