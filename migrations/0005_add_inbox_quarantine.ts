import type { Kysely } from 'kysely';

// A signed webhook the database could not store as sent is stored made safe, with the signed bytes
// beside it (`raw_body`); one whose id or type could not be kept is also quarantined: stored and
// acknowledged, never worked on, left for a person (`quarantine_reason`).
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .withSchema('flexcharge_mit')
    .alterTable('inbox_events')
    .addColumn('raw_body', 'bytea')
    .addColumn('quarantine_reason', 'text')
    .execute();
}
