import { type Kysely, sql } from 'kysely';
import type { RescueState } from '../core/rescue-states.js';
import type { Database } from './schema.js';

/** The work queues the worker drains, as `/metrics` names them. */
export type QueueName = 'inbox' | 'rescues' | 'transmissions';

export interface QueueStats {
  readonly queue: QueueName;
  /** Rows due now and not done: what the worker has yet to get to (or is working on). */
  readonly waiting: number;
  /** When the longest-waiting of them became due; null when none waits. */
  readonly oldestDueAt: Date | null;
}

export interface OperationalStats {
  readonly queues: readonly QueueStats[];
  readonly rescues: readonly { merchantId: string; state: RescueState; count: number }[];
  /** Minor units per currency of recovered rescues still stored (finished rescues age out with retention). */
  readonly recovered: readonly { currency: string; amount: number }[];
  /**
   * Rescues parked in `needs_attention` that still owe something: our hold on the invoice
   * (`hold_active`) or an order FlexCharge may still settle (`order_open`).
   */
  readonly parked: readonly { merchantId: string; holdActive: number; orderOpen: number }[];
}

/**
 * What `/metrics` reports from the database, read at scrape time in a handful of grouped counts.
 * The queue counts ride the partial "due" indexes; the per-state counts read the rescues table once.
 */
export async function readOperationalStats(db: Kysely<Database>, now: Date): Promise<OperationalStats> {
  const queue = async (
    name: QueueName,
    rows: Promise<{ waiting: string | number; oldest: Date | null } | undefined>,
  ): Promise<QueueStats> => {
    const row = await rows;
    return { queue: name, waiting: Number(row?.waiting ?? 0), oldestDueAt: row?.oldest ?? null };
  };
  const [inbox, rescues, transmissions, byState, recovered, parked] = await Promise.all([
    queue(
      'inbox',
      db
        .selectFrom('flexcharge_mit.inbox_events')
        .select([
          (e) => e.fn.countAll<string>().as('waiting'),
          (e) => e.fn.min('next_attempt_at').as('oldest'),
        ])
        .where('processed_at', 'is', null)
        .where('quarantine_reason', 'is', null)
        .where('next_attempt_at', '<=', now)
        .executeTakeFirst(),
    ),
    queue(
      'rescues',
      db
        .selectFrom('flexcharge_mit.rescues')
        .select([
          (e) => e.fn.countAll<string>().as('waiting'),
          (e) => e.fn.min('next_action_at').as('oldest'),
        ])
        .where('next_action_at', 'is not', null)
        .where('next_action_at', '<=', now)
        .executeTakeFirst(),
    ),
    queue(
      'transmissions',
      db
        .selectFrom('flexcharge_mit.transmissions')
        .select([
          (e) => e.fn.countAll<string>().as('waiting'),
          (e) => e.fn.min('next_attempt_at').as('oldest'),
        ])
        .where('state', '=', 'pending')
        .where('next_attempt_at', '<=', now)
        .executeTakeFirst(),
    ),
    db
      .selectFrom('flexcharge_mit.rescues')
      .select(['merchant_id', 'state', (e) => e.fn.countAll<string>().as('count')])
      .groupBy(['merchant_id', 'state'])
      .execute(),
    // What FlexCharge said it collected, else the invoice's amount the rescue was for.
    db
      .selectFrom('flexcharge_mit.rescues')
      .select(['currency', sql<string>`sum(coalesce(collected_amount, amount))`.as('amount')])
      .where('state', '=', 'recovered')
      .where('currency', 'is not', null)
      .groupBy('currency')
      .execute(),
    db
      .selectFrom('flexcharge_mit.rescues')
      .select([
        'merchant_id',
        sql<string>`count(*) filter (where hold_active)`.as('hold_active'),
        sql<string>`count(*) filter (where order_open)`.as('order_open'),
      ])
      .where('state', '=', 'needs_attention')
      .where((e) => e.or([e('hold_active', '=', true), e('order_open', '=', true)]))
      .groupBy('merchant_id')
      .execute(),
  ]);
  return {
    queues: [inbox, rescues, transmissions],
    rescues: byState.map((r) => ({ merchantId: r.merchant_id, state: r.state, count: Number(r.count) })),
    recovered: recovered.map((r) => ({ currency: (r.currency ?? '').trim(), amount: Number(r.amount) })),
    parked: parked.map((r) => ({
      merchantId: r.merchant_id,
      holdActive: Number(r.hold_active),
      orderOpen: Number(r.order_open),
    })),
  };
}
