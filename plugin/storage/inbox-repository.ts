import { type Kysely, type Selectable, sql } from 'kysely';
import type { FlexChargeEnvironment } from '../core/merchant-settings.js';
import { backoffFrom, claimDue } from './claim-due.js';
import type { Database, InboxEventsTable } from './schema.js';
import type { StorableEvent } from './storable-event.js';
import { createWebhookNonceRepository } from './webhook-nonce-repository.js';

export type InboxEvent = Selectable<InboxEventsTable>;

const T = 'flexcharge_mit.inbox_events' as const;

/** A verified webhook on its way into the inbox; made storable first (`prepareForStorage`). */
export interface IncomingEvent extends Pick<StorableEvent, 'eventId' | 'eventType' | 'payload'> {
  readonly source: string;
  readonly merchantId: string;
  readonly receivedAt: Date;
  /** Default null. */
  readonly rawBody?: StorableEvent['rawBody'];
  /** Default null. */
  readonly quarantineReason?: StorableEvent['quarantineReason'];
  /** Default true; false for events acknowledged and kept but never acted on (FlexCharge payouts). */
  readonly actionable?: boolean;
  /** The signed request's nonce, when its source signs with one: spent only if the row is written. */
  readonly nonce?: string;
  /** A FlexCharge webhook: the environment whose subscriber key verified it. */
  readonly environment?: FlexChargeEnvironment;
}

export type InsertOutcome = 'inserted' | 'duplicate' | 'replayed';

/** What this table's claim takes; its `pending` is the predicate of the table's partial due index. */
export const INBOX_CLAIM = {
  table: 'inbox_events',
  dueColumn: 'next_attempt_at',
  pending: sql`processed_at is null and quarantine_reason is null`,
} as const;

export function createInboxRepository(db: Kysely<Database>) {
  return {
    /**
     * Stores a verified webhook once; a redelivery of the same event id is a no-op by construction.
     * With a nonce, nonce and row are written in one transaction: a request that fails to be stored
     * (an outage) spends no nonce, so the sender's re-send of it is not taken for a replay.
     */
    insert(event: IncomingEvent): Promise<InsertOutcome> {
      const { nonce } = event;
      if (nonce === undefined) return insertRow(db, event);
      return db.transaction().execute(async (trx) => {
        const fresh = await createWebhookNonceRepository(trx).remember(event.source, nonce, event.receivedAt);
        return fresh ? insertRow(trx, event) : 'replayed';
      });
    },

    /**
     * Events kept but never worked (what made them unstorable as sent), newest first, for a person:
     * what they are and why, never their payload. Ids are cut short, since their length may be the cause.
     */
    async listQuarantined(merchantId: string, limit: number) {
      const rows = await db
        .selectFrom(T)
        .select(['id', 'source', 'event_type', 'event_id', 'quarantine_reason', 'received_at'])
        .where('merchant_id', '=', merchantId)
        .where('quarantine_reason', 'is not', null)
        .orderBy('received_at', 'desc')
        .orderBy('id', 'desc')
        .limit(limit)
        .execute();
      return rows.map((r) => ({
        id: Number(r.id),
        source: r.source,
        eventType: r.event_type,
        eventId: r.event_id.length > 80 ? `${r.event_id.slice(0, 80)}…` : r.event_id,
        reason: r.quarantine_reason,
        receivedAt: r.received_at,
      }));
    },

    claim(workerId: string, now: Date, limit = 20, leaseMs = 60_000): Promise<InboxEvent[]> {
      return claimDue<InboxEvent>(db, {
        ...INBOX_CLAIM,
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

async function insertRow(db: Kysely<Database>, event: IncomingEvent): Promise<InsertOutcome> {
  const row = await db
    .insertInto(T)
    .values({
      source: event.source,
      merchant_id: event.merchantId,
      event_id: event.eventId,
      event_type: event.eventType,
      payload: JSON.stringify(event.payload),
      raw_body: event.rawBody ?? null,
      quarantine_reason: event.quarantineReason ?? null,
      environment: event.environment ?? null,
      received_at: event.receivedAt,
      next_attempt_at: event.receivedAt,
      // Nothing to do for it: done on arrival, so no worker ever claims it.
      processed_at: event.actionable === false ? event.receivedAt : null,
    })
    .onConflict((oc) => oc.columns(['source', 'event_id']).doNothing())
    .returning('id')
    .executeTakeFirst();
  return row ? 'inserted' : 'duplicate';
}
