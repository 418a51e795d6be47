import type { Kysely, Transaction } from 'kysely';
import type { RescueState } from '../core/rescue-states.js';
import type { Database } from './schema.js';

const H = 'flexcharge_mit.rescue_events' as const;

/** Appends to a rescue's history, inside the transaction that moves its state. */
export async function appendHistory(
  trx: Transaction<Database> | Kysely<Database>,
  entry: {
    rescueId: string;
    at: Date;
    from: RescueState | null;
    to: RescueState;
    note: string;
    details?: object;
  },
): Promise<void> {
  await trx
    .insertInto(H)
    .values({
      rescue_id: entry.rescueId,
      at: entry.at,
      from_state: entry.from,
      to_state: entry.to,
      note: entry.note,
      details: entry.details ? JSON.stringify(entry.details) : null,
    })
    .execute();
}

export function readHistory(db: Kysely<Database>, rescueId: string) {
  return db.selectFrom(H).selectAll().where('rescue_id', '=', rescueId).orderBy('id').execute();
}
