import { type Kysely, type Selectable, sql } from 'kysely';
import type { FlexChargeEnvironment, MerchantFlow, OrderSource } from '../core/merchant-settings.js';
import type { Money } from '../core/money.js';
import { backoffFrom, type ClaimFairness, claimRows } from './claim-due.js';
import type { Database, TransmissionsTable } from './schema.js';

export type TransmissionRow = Selectable<TransmissionsTable>;

const T = 'flexcharge_mit.transmissions' as const;

/** The merchant context a charge was handled under. */
export interface TransmissionContext {
  readonly flow: MerchantFlow;
  readonly environment: FlexChargeEnvironment | null;
  readonly siteId: string | null;
  readonly orderSource: OrderSource;
}

export type TransmissionResult =
  | { state: 'sent'; transmitId: string | null; context: TransmissionContext }
  | { state: 'skipped'; reason: string; context: TransmissionContext }
  | { state: 'shadowed'; request: object; context: TransmissionContext };

/** Every charge the engine reports goes to /transmit once; an outage only delays it. */
/** What this table's claim takes; its `pending` is the predicate of the table's partial due index. */
export const TRANSMISSION_CLAIM = {
  table: 'transmissions',
  dueColumn: 'next_attempt_at',
  pending: sql`state = 'pending'`,
} as const;

export function createTransmissionRepository(db: Kysely<Database>) {
  return {
    async enqueue(input: {
      merchantId: string;
      engine: string;
      chargeId: string;
      succeeded: boolean;
      amount: Money;
      now: Date;
    }): Promise<'queued' | 'duplicate'> {
      const row = await db
        .insertInto(T)
        .values({
          merchant_id: input.merchantId,
          engine: input.engine,
          charge_id: input.chargeId,
          succeeded: input.succeeded,
          amount: input.amount.amount,
          currency: input.amount.currency,
          state: 'pending',
          next_attempt_at: input.now,
          created_at: input.now,
        })
        .onConflict((oc) => oc.columns(['merchant_id', 'engine', 'charge_id']).doNothing())
        .returning('id')
        .executeTakeFirst();
      return row ? 'queued' : 'duplicate';
    },

    /** Claims due reports; with `fairness`, merchants share the claim (`claimDueFairly`). */
    claim(
      workerId: string,
      now: Date,
      limit = 20,
      leaseMs = 60_000,
      fairness?: ClaimFairness,
    ): Promise<TransmissionRow[]> {
      return claimRows<TransmissionRow>(
        db,
        { ...TRANSMISSION_CLAIM, workerId, now, leaseMs, limit },
        fairness,
      );
    },

    /**
     * Records how the charge was handled, with the merchant context it was handled under: sent, or
     * skipped (its flow is off), or shadowed (the request recorded, not sent).
     */
    async finish(id: number, workerId: string, now: Date, result: TransmissionResult): Promise<void> {
      await db
        .updateTable(T)
        .set({
          state: result.state,
          transmit_id: result.state === 'sent' ? result.transmitId : null,
          sent_at: result.state === 'sent' ? now : null,
          shadow_request: result.state === 'shadowed' ? JSON.stringify(result.request) : null,
          last_error: result.state === 'skipped' ? result.reason : null,
          flow: result.context.flow,
          environment: result.context.environment,
          site_id: result.context.siteId,
          order_source: result.context.orderSource,
          next_attempt_at: null,
          locked_by: null,
          locked_until: null,
        })
        .where('id', '=', id)
        .where('locked_by', '=', workerId)
        .execute();
    },

    /** Retryable failures stay pending with backoff (at most an hour apart), forever; others are marked failed. */
    async fail(id: number, workerId: string, now: Date, error: string, retryable: boolean): Promise<void> {
      await db
        .updateTable(T)
        .set({
          attempts: sql`attempts + 1`,
          state: retryable ? 'pending' : 'failed',
          next_attempt_at: retryable ? backoffFrom(now, 'attempts') : null,
          last_error: error.slice(0, 2000),
          locked_by: null,
          locked_until: null,
        })
        .where('id', '=', id)
        .where('locked_by', '=', workerId)
        .execute();
    },

    list(merchantId: string) {
      return db.selectFrom(T).selectAll().where('merchant_id', '=', merchantId).orderBy('id').execute();
    },
  };
}

export type TransmissionRepository = ReturnType<typeof createTransmissionRepository>;
