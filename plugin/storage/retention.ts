import type { Kysely } from 'kysely';
import { DEFAULT_MAX_SKEW_MS } from '../../adapters/flexcharge/webhook-signature.js';
import { DAY_MS } from '../core/clock.js';
import { FINAL_STATES } from '../core/rescue-states.js';
import type { Database } from './schema.js';

/**
 * How long each kind of row is kept, and `pruneExpired`, which the worker runs hourly. Rows go in
 * small batches, each its own short statement, so the first prune of a large table neither holds
 * locks for minutes nor stalls the worker's pass: what a prune leaves, the next one takes.
 */
export interface RetentionPolicy {
  /** Processed inbox rows older than this go; an unprocessed row waiting for work stays whatever its age. */
  readonly inboxDays: number;
  /**
   * FlexCharge call-log rows older than this go, but none made since the oldest open rescue began.
   * Quarantined inbox rows (signed webhooks kept for a person, never processed) are evidence of the
   * same kind, what a vendor told us, and go after the same time from their receipt.
   */
  readonly callLogDays: number;
  /**
   * A final rescue and its history go this long after its last change; an open one never does. A
   * settled charge report (`/transmit` sent, skipped, shadowed or given up) goes this long after it
   * was made; a pending one never does.
   */
  readonly historyDays: number;
  /** Webhook nonces go once no signature carrying them could verify any more, plus a margin. */
  readonly nonceMs: number;
  /** Rows per delete. Default 1000. */
  readonly batchSize?: number;
  /** Batches per table per prune. Default 20. */
  readonly maxBatches?: number;
}

/** Rows deleted per table. A type, not an interface, so it passes as a plain record of counts. */
export type PruneCounts = {
  readonly inboxEvents: number;
  readonly quarantinedEvents: number;
  readonly flexchargeCalls: number;
  readonly transmissions: number;
  readonly rescues: number;
  readonly rescueEvents: number;
  readonly webhookNonces: number;
};

/** A nonce is refused as a replay only while its signature's date is within tolerance; a day on, it is noise. */
export const NONCE_RETENTION_MS = DEFAULT_MAX_SKEW_MS + DAY_MS;

export function retentionPolicyFromConfig(config: {
  RETENTION_INBOX_DAYS: number;
  RETENTION_CALL_LOG_DAYS: number;
  RETENTION_HISTORY_DAYS: number;
}): RetentionPolicy {
  return {
    inboxDays: config.RETENTION_INBOX_DAYS,
    callLogDays: config.RETENTION_CALL_LOG_DAYS,
    historyDays: config.RETENTION_HISTORY_DAYS,
    nonceMs: NONCE_RETENTION_MS,
  };
}

export function createRetention(db: Kysely<Database>, policy: RetentionPolicy) {
  return { prune: (now: Date) => pruneExpired(db, policy, now) };
}

const FINAL = [...FINAL_STATES];

/**
 * Deletes what the policy no longer keeps, as of `now`. Each batch picks its rows `for update skip
 * locked`, so workers pruning at once split the rows between them instead of queueing on each other.
 */
export async function pruneExpired(
  db: Kysely<Database>,
  policy: RetentionPolicy,
  now: Date,
): Promise<PruneCounts> {
  const size = policy.batchSize ?? 1000;
  const inBatches = (deleteBatch: () => Promise<number>) =>
    repeat(deleteBatch, size, policy.maxBatches ?? 20);
  const before = (days: number) => new Date(now.getTime() - days * DAY_MS);

  const inboxCutoff = before(policy.inboxDays);
  const inboxEvents = await inBatches(async () => {
    const r = await db
      .deleteFrom('flexcharge_mit.inbox_events')
      .where('id', 'in', (eb) =>
        eb
          .selectFrom('flexcharge_mit.inbox_events')
          .select('id')
          .where('processed_at', 'is not', null)
          .where('processed_at', '<', inboxCutoff)
          .limit(size)
          .forUpdate()
          .skipLocked(),
      )
      .executeTakeFirst();
    return Number(r.numDeletedRows);
  });

  const quarantineCutoff = before(policy.callLogDays);
  const quarantinedEvents = await inBatches(async () => {
    const r = await db
      .deleteFrom('flexcharge_mit.inbox_events')
      .where('id', 'in', (eb) =>
        eb
          .selectFrom('flexcharge_mit.inbox_events')
          .select('id')
          .where('processed_at', 'is', null)
          .where('quarantine_reason', 'is not', null)
          .where('received_at', '<', quarantineCutoff)
          .limit(size)
          .forUpdate()
          .skipLocked(),
      )
      .executeTakeFirst();
    return Number(r.numDeletedRows);
  });

  const callCutoff = await callLogCutoff(db, before(policy.callLogDays));
  const flexchargeCalls = await inBatches(async () => {
    const r = await db
      .deleteFrom('flexcharge_mit.flexcharge_calls')
      .where('id', 'in', (eb) =>
        eb
          .selectFrom('flexcharge_mit.flexcharge_calls')
          .select('id')
          .where('started_at', '<', callCutoff)
          .limit(size)
          .forUpdate()
          .skipLocked(),
      )
      .executeTakeFirst();
    return Number(r.numDeletedRows);
  });

  const history = { rescues: 0, rescueEvents: 0 };
  const historyCutoff = before(policy.historyDays);
  await inBatches(() =>
    db.transaction().execute(async (trx) => {
      const ids = (
        await trx
          .selectFrom('flexcharge_mit.rescues')
          .select('id')
          .where('state', 'in', FINAL)
          .where('updated_at', '<', historyCutoff)
          .limit(size)
          .forUpdate()
          .skipLocked()
          .execute()
      ).map((row) => row.id);
      if (ids.length === 0) return 0;
      const events = await trx
        .deleteFrom('flexcharge_mit.rescue_events')
        .where('rescue_id', 'in', ids)
        .executeTakeFirst();
      const rescues = await trx
        .deleteFrom('flexcharge_mit.rescues')
        .where('id', 'in', ids)
        .executeTakeFirst();
      history.rescueEvents += Number(events.numDeletedRows);
      history.rescues += Number(rescues.numDeletedRows);
      return ids.length;
    }),
  );

  const transmissions = await inBatches(async () => {
    const r = await db
      .deleteFrom('flexcharge_mit.transmissions')
      .where('id', 'in', (eb) =>
        eb
          .selectFrom('flexcharge_mit.transmissions')
          .select('id')
          .where('state', '!=', 'pending')
          .where('created_at', '<', historyCutoff)
          .limit(size)
          .forUpdate()
          .skipLocked(),
      )
      .executeTakeFirst();
    return Number(r.numDeletedRows);
  });

  const nonceCutoff = new Date(now.getTime() - policy.nonceMs);
  const webhookNonces = await inBatches(async () => {
    const r = await db
      .deleteFrom('flexcharge_mit.webhook_nonces')
      .where((eb) =>
        eb(
          eb.refTuple('source', 'nonce'),
          'in',
          eb
            .selectFrom('flexcharge_mit.webhook_nonces')
            .select(['source', 'nonce'])
            .where('seen_at', '<', nonceCutoff)
            .limit(size)
            .forUpdate()
            .skipLocked()
            .$asTuple('source', 'nonce'),
        ),
      )
      .executeTakeFirst();
    return Number(r.numDeletedRows);
  });

  return { inboxEvents, quarantinedEvents, flexchargeCalls, transmissions, ...history, webhookNonces };
}

/**
 * The call log is what FlexCharge was told and answered (evaluate, cancel, refund): evidence for a
 * rescue still in play, so nothing younger than the oldest open rescue goes, however old it is.
 */
async function callLogCutoff(db: Kysely<Database>, byAge: Date): Promise<Date> {
  const { oldest } = await db
    .selectFrom('flexcharge_mit.rescues')
    .select((eb) => eb.fn.min('created_at').as('oldest'))
    .where('state', 'not in', FINAL)
    .executeTakeFirstOrThrow();
  const open = oldest === null ? null : new Date(oldest);
  return open && open < byAge ? open : byAge;
}

/** Runs `deleteBatch` until it deletes less than a full batch, at most `maxBatches` times; returns the total. */
async function repeat(deleteBatch: () => Promise<number>, size: number, maxBatches: number): Promise<number> {
  let total = 0;
  for (let i = 0; i < maxBatches; i++) {
    const deleted = await deleteBatch();
    total += deleted;
    if (deleted < size) break;
  }
  return total;
}
