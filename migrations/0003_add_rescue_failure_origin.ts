import type { Kysely } from 'kysely';

// Whether the failed attempt was the engine's own, as its (verified) webhook said; saves re-deriving
// it from the engine's event log on every step.
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .withSchema('flexcharge_mit')
    .alterTable('rescues')
    .addColumn('engine_initiated', 'boolean')
    .execute();
}
