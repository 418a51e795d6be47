import { type Kysely, type Selectable, sql } from 'kysely';
import { backoffFrom, claimDue } from './claim-due.js';
import type { Database, InboxEventsTable } from './schema.js';

export type InboxEvent = Selectable<InboxEventsTable>;

const T = 'flexcharge_mit.inbox_events' as const;

export function createInboxRepository(db: Kysely<Database>) {
  return {
    /** Stores a verified webhook once; a redelivery of the same event id is a no-op by construction. */
    async insert(event: {
      source: string;
      merchantId: string;
      eventId: string;
      eventType: string;
      payload: object;
      receivedAt: Date;
    }): Promise<'inserted' | 'duplicate'> {
      const row = await db
        .insertInto(T)
        .values({
          source: event.source,
          merchant_id: event.merchantId,
          event_id: event.eventId,
          event_type: event.eventType,
          payload: JSON.stringify(event.payload),
          received_at: event.receivedAt,
          next_attempt_at: event.receivedAt,
        })
        .onConflict((oc) => oc.columns(['source', 'event_id']).doNothing())
        .returning('id')
        .executeTakeFirst();
      return row ? 'inserted' : 'duplicate';
    },

    claim(workerId: string, now: Date, limit = 20, leaseMs = 60_000): Promise<InboxEvent[]> {
      return claimDue<InboxEvent>(db, {
        table: 'inbox_events',
        dueColumn: 'next_attempt_at',
        pending: sql`processed_at is null`,
        workerId,
        now,
        leaseMs,
        limit,
      });
    },

    /** Only the lease holder may complete a row; a lost lease means another worker owns it now. */
    async complete(id: number, workerId: string, now: Date): Promise<void> {
      await db
        .updateTable(T)
        .set({ processed_at: now, locked_by: null, locked_until: null, last_error: null })
        .where('id', '=', id)
        .where('locked_by', '=', workerId)
        .execute();
    },

    async fail(id: number, workerId: string, now: Date, error: string): Promise<void> {
      await db
        .updateTable(T)
        .set({
          attempts: sql`attempts + 1`,
          next_attempt_at: backoffFrom(now, 'attempts'),
          last_error: error.slice(0, 2000),
          locked_by: null,
          locked_until: null,
        })
        .where('id', '=', id)
        .where('locked_by', '=', workerId)
        .execute();
    },

    count(source?: string): Promise<number> {
      let q = db.selectFrom(T).select((eb) => eb.fn.countAll<number>().as('n'));
      if (source) q = q.where('source', '=', source);
      return q.executeTakeFirstOrThrow().then((r) => Number(r.n));
    },
  };
}

export type InboxRepository = ReturnType<typeof createInboxRepository>;
