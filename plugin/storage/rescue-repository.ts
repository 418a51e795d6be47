import { type Kysely, sql } from 'kysely';
import { InvalidTransitionError, LeaseLostError } from '../core/errors.js';
import type { RescuePatch, StepOutcome } from '../core/rescue.js';
import {
  canTransition,
  FINAL_STATES,
  REOPENABLE_STATES,
  RESCUE_STATES,
  type RescueState,
} from '../core/rescue-states.js';
import { backoffFrom, type ClaimFairness, claimRows } from './claim-due.js';
import { appendHistory, readHistory } from './rescue-history.js';
import { patchColumns, type RescueRow } from './rescue-row.js';
import type { Database } from './schema.js';

export { type RescueRow, toRescue } from './rescue-row.js';

const T = 'flexcharge_mit.rescues' as const;
/** States an event can give work to: every open one, parked ones included (their obligations live on). */
const WAKEABLE_STATES = RESCUE_STATES.filter((state) => !FINAL_STATES.has(state));
/** A provider event can also reopen a rescue that ended without its money: an approval is never ignored. */
const PROVIDER_WAKEABLE_STATES = [...WAKEABLE_STATES, ...REOPENABLE_STATES];

/** Default lease on a claimed rescue; the worker renews it while the step runs. */
export const RESCUE_LEASE_MS = 120_000;

/** What this table's claim takes; its `pending` is the predicate of the table's partial due index. */
export const RESCUE_CLAIM = {
  table: 'rescues',
  dueColumn: 'next_action_at',
  pending: sql`next_action_at is not null`,
} as const;

export function createRescueRepository(db: Kysely<Database>) {
  /** A step's result, as the lease holder; `keepLeaseMs` null hands the row back to the queue. */
  function recordStep(
    row: RescueRow,
    outcome: StepOutcome,
    workerId: string,
    now: Date,
    keepLeaseMs: number | null,
  ): Promise<RescueRow | null> {
    if (outcome.to && !canTransition(row.state, outcome.to))
      throw new InvalidTransitionError(row.state, outcome.to);
    return db.transaction().execute(async (trx) => {
      const updated = await trx
        .updateTable(T)
        .set({
          ...patchColumns(outcome.patch),
          ...(outcome.to ? { state: outcome.to } : {}),
          // The hand-off finance counts: the first time FlexCharge took the order.
          ...(outcome.to === 'held' || outcome.to === 'challenged'
            ? { handed_off_at: sql<Date>`coalesce(handed_off_at, ${now}::timestamptz)` }
            : {}),
          // A wake that arrived during the step asks for another look at once.
          next_action_at: sql<Date | null>`case when wake_pending then ${now}::timestamptz else ${outcome.nextActionAt}::timestamptz end`,
          wake_pending: false,
          // A parked rescue keeps the error a person must see until it leaves needs_attention.
          ...(row.state === 'needs_attention' && !outcome.to ? {} : { attempts: 0, last_error: null }),
          ...(keepLeaseMs === null
            ? { locked_by: null, locked_until: null }
            : { locked_until: new Date(now.getTime() + keepLeaseMs) }),
          updated_at: now,
        })
        .where('id', '=', row.id)
        .where('locked_by', '=', workerId)
        .where('state', '=', row.state)
        .returningAll()
        .executeTakeFirst();
      if (!updated) return null;
      if (outcome.to) {
        await appendHistory(trx, {
          rescueId: row.id,
          at: now,
          from: row.state,
          to: outcome.to,
          note: outcome.note,
          ...(outcome.details ? { details: outcome.details } : {}),
        });
      }
      return updated;
    });
  }

  return {
    /** One rescue per (merchant, engine, invoice): a second failure event for the invoice finds the first. */
    async createIfAbsent(input: {
      merchantId: string;
      engine: string;
      invoiceId: string;
      failedAt: Date;
      engineInitiated?: boolean;
      now: Date;
    }): Promise<{ created: boolean; id: string }> {
      return db.transaction().execute(async (trx) => {
        const inserted = await trx
          .insertInto(T)
          .values({
            merchant_id: input.merchantId,
            engine: input.engine,
            invoice_id: input.invoiceId,
            state: 'received',
            failed_at: input.failedAt,
            engine_initiated: input.engineInitiated ?? null,
            next_action_at: input.now,
            created_at: input.now,
            updated_at: input.now,
          })
          .onConflict((oc) => oc.columns(['merchant_id', 'engine', 'invoice_id']).doNothing())
          .returning('id')
          .executeTakeFirst();
        if (inserted) {
          await appendHistory(trx, {
            rescueId: inserted.id,
            at: input.now,
            from: null,
            to: 'received',
            note: 'renewal failure received',
          });
          return { created: true, id: inserted.id };
        }
        const existing = await trx
          .selectFrom(T)
          .select('id')
          .where('merchant_id', '=', input.merchantId)
          .where('engine', '=', input.engine)
          .where('invoice_id', '=', input.invoiceId)
          .executeTakeFirstOrThrow();
        return { created: false, id: existing.id };
      });
    },

    /**
     * Claims due rescues; a wake that comes after this is remembered for the holder (`wake_pending`).
     * With `fairness`, merchants share the claim in turn (`claimDueFairly`).
     */
    claim(
      workerId: string,
      now: Date,
      limit = 10,
      leaseMs = RESCUE_LEASE_MS,
      fairness?: ClaimFairness,
    ): Promise<RescueRow[]> {
      return claimRows<RescueRow>(
        db,
        { ...RESCUE_CLAIM, workerId, now, leaseMs, limit, alsoSet: sql`, wake_pending = false` },
        fairness,
      );
    },

    /**
     * Extends this worker's lease; false when the row is no longer ours. A lease that ran out but was
     * not claimed by anyone else is still ours to extend: claiming is what takes it away.
     */
    async renewLease(id: string, workerId: string, now: Date, leaseMs = RESCUE_LEASE_MS): Promise<boolean> {
      const result = await db
        .updateTable(T)
        .set({ locked_until: new Date(now.getTime() + leaseMs) })
        .where('id', '=', id)
        .where('locked_by', '=', workerId)
        .executeTakeFirst();
      return Number(result.numUpdatedRows) === 1;
    },

    /**
     * Records part of a step's result before an outside call, as the lease holder only (the lease is
     * renewed on the way); throws `LeaseLostError` when the row is no longer ours.
     */
    async checkpoint(
      row: RescueRow,
      patch: RescuePatch,
      workerId: string,
      now: Date,
      leaseMs = RESCUE_LEASE_MS,
    ): Promise<void> {
      const result = await db
        .updateTable(T)
        .set({ ...patchColumns(patch), locked_until: new Date(now.getTime() + leaseMs), updated_at: now })
        .where('id', '=', row.id)
        .where('locked_by', '=', workerId)
        .where('state', '=', row.state)
        .executeTakeFirst();
      if (Number(result.numUpdatedRows) !== 1)
        throw new LeaseLostError(`rescue ${row.id} is no longer leased by ${workerId}`);
    },

    /** Records a step's result; only the lease holder may, and only along the state machine's edges. */
    async applyStep(row: RescueRow, outcome: StepOutcome, workerId: string, now: Date): Promise<boolean> {
      return (await recordStep(row, outcome, workerId, now, null)) !== null;
    },

    /**
     * Records a step's result like `applyStep` but keeps the lease (extended by `leaseMs`), for a
     * holder that goes straight on to the next step; returns the row as it now stands, or null when
     * the row was no longer this worker's. A wake that came during the step is taken as seen: the
     * next step reads everything afresh.
     */
    advance(
      row: RescueRow,
      outcome: StepOutcome,
      workerId: string,
      now: Date,
      leaseMs = RESCUE_LEASE_MS,
    ): Promise<RescueRow | null> {
      return recordStep(row, outcome, workerId, now, leaseMs);
    },

    /**
     * Puts the rescue off until `until` without counting a failed attempt: the outside service asked
     * us to slow down (429), which says nothing about the rescue. Only the lease holder may.
     */
    async defer(row: RescueRow, until: Date, reason: string, workerId: string, now: Date): Promise<boolean> {
      const result = await db
        .updateTable(T)
        .set({
          // A wake still asks for a look, but not before the service lets us call again.
          next_action_at: until,
          wake_pending: false,
          last_error: reason.slice(0, 2000),
          locked_by: null,
          locked_until: null,
          updated_at: now,
        })
        .where('id', '=', row.id)
        .where('locked_by', '=', workerId)
        .where('state', '=', row.state)
        .executeTakeFirst();
      return Number(result.numUpdatedRows) === 1;
    },

    /**
     * A step failed. Retryable faults back off (`backoffFrom`) until `maxAttempts`;
     * then, or at once for a fault that needs a fix, the rescue moves to needs_attention.
     */
    async failStep(
      row: RescueRow,
      failure: { error: string; retryable: boolean; maxAttempts: number },
      workerId: string,
      now: Date,
    ): Promise<'retrying' | 'needs_attention'> {
      // Parked and ended rescues only honour obligations: they keep trying, they cannot park again.
      const keepsTrying = row.state === 'needs_attention' || FINAL_STATES.has(row.state);
      const giveUp = !keepsTrying && (!failure.retryable || row.attempts + 1 >= failure.maxAttempts);
      return db.transaction().execute(async (trx) => {
        const base = trx
          .updateTable(T)
          .where('id', '=', row.id)
          .where('locked_by', '=', workerId)
          .where('state', '=', row.state);
        if (!giveUp) {
          await base
            .set({
              attempts: sql`attempts + 1`,
              next_action_at: sql<Date>`case when wake_pending then ${now}::timestamptz else ${backoffFrom(now, 'attempts')} end`,
              wake_pending: false,
              last_error: failure.error.slice(0, 2000),
              locked_by: null,
              locked_until: null,
              updated_at: now,
            })
            .execute();
          return 'retrying';
        }
        const updated = await base
          .set({
            state: 'needs_attention',
            state_before_attention: row.state,
            attempts: sql`attempts + 1`,
            // A live hold or order is still honoured while parked (`honourObligations`).
            next_action_at: sql<Date | null>`case when hold_active or order_open then ${now}::timestamptz end`,
            wake_pending: false,
            last_error: failure.error.slice(0, 2000),
            locked_by: null,
            locked_until: null,
            updated_at: now,
          })
          .executeTakeFirst();
        if (Number(updated.numUpdatedRows) === 1) {
          await appendHistory(trx, {
            rescueId: row.id,
            at: now,
            from: row.state,
            to: 'needs_attention',
            note: `needs attention after ${row.attempts + 1} attempt(s): ${failure.error.slice(0, 500)}`,
          });
        }
        return 'needs_attention';
      });
    },

    /**
     * Asks the worker to look at matching rescues now; what happened is read from the source. A
     * rescue leased at the moment keeps the wake in `wake_pending`, so its holder looks again.
     */
    async wake(
      match: {
        merchantId: string;
        engine?: string;
        invoiceId?: string;
        subscriptionId?: string;
        providerOrderId?: string;
      },
      now: Date,
    ): Promise<number> {
      let q = db
        .updateTable(T)
        .set({ next_action_at: now, wake_pending: true, updated_at: now })
        .where('merchant_id', '=', match.merchantId)
        .where('state', 'in', match.providerOrderId ? PROVIDER_WAKEABLE_STATES : WAKEABLE_STATES);
      if (match.engine) q = q.where('engine', '=', match.engine);
      if (match.invoiceId) q = q.where('invoice_id', '=', match.invoiceId);
      if (match.subscriptionId) q = q.where('subscription_id', '=', match.subscriptionId);
      if (match.providerOrderId) q = q.where('flexcharge_order_id', '=', match.providerOrderId);
      const result = await q.executeTakeFirst();
      return Number(result.numUpdatedRows);
    },

    /**
     * Records FlexCharge's order id on the rescue of `invoiceId` that may have an order but does not
     * know its id (the evaluate's answer was lost), so the order's outcome reaches it.
     */
    async adoptOrder(merchantId: string, invoiceId: string, orderId: string, now: Date): Promise<boolean> {
      const result = await db
        .updateTable(T)
        .set({ flexcharge_order_id: orderId, order_open: true, updated_at: now })
        .where('merchant_id', '=', merchantId)
        .where('invoice_id', '=', invoiceId)
        .where('flexcharge_order_id', 'is', null)
        .where('order_open', '=', true)
        .executeTakeFirst();
      return Number(result.numUpdatedRows) === 1;
    },

    /** A person fixed the cause: put a needs-attention rescue back where it stopped. */
    async retry(id: string, now: Date): Promise<boolean> {
      return db.transaction().execute(async (trx) => {
        const row = await trx.selectFrom(T).selectAll().where('id', '=', id).forUpdate().executeTakeFirst();
        if (row?.state !== 'needs_attention' || !row.state_before_attention) return false;
        await trx
          .updateTable(T)
          .set({
            state: row.state_before_attention,
            state_before_attention: null,
            attempts: 0,
            next_action_at: now,
            updated_at: now,
          })
          .where('id', '=', id)
          .execute();
        await appendHistory(trx, {
          rescueId: id,
          at: now,
          from: 'needs_attention',
          to: row.state_before_attention,
          note: 'retried by an operator',
        });
        return true;
      });
    },

    get(id: string): Promise<RescueRow | undefined> {
      return db.selectFrom(T).selectAll().where('id', '=', id).executeTakeFirst();
    },

    findByInvoice(merchantId: string, engine: string, invoiceId: string): Promise<RescueRow | undefined> {
      return db
        .selectFrom(T)
        .selectAll()
        .where('merchant_id', '=', merchantId)
        .where('engine', '=', engine)
        .where('invoice_id', '=', invoiceId)
        .executeTakeFirst();
    },

    /** Newest first; `state` narrows to one state, e.g. needs_attention for the support queue. */
    list(merchantId: string, filter: { state?: RescueState; limit: number }): Promise<RescueRow[]> {
      let q = db.selectFrom(T).selectAll().where('merchant_id', '=', merchantId);
      if (filter.state) q = q.where('state', '=', filter.state);
      return q.orderBy('created_at', 'desc').orderBy('id').limit(filter.limit).execute();
    },

    history(id: string) {
      return readHistory(db, id);
    },

    isFinal(state: RescueState): boolean {
      return FINAL_STATES.has(state);
    },
  };
}

export type RescueRepository = ReturnType<typeof createRescueRepository>;
