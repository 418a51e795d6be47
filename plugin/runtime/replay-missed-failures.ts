import type { Kysely } from 'kysely';
import type Stripe from 'stripe';
import { listRenewalFailures, type RenewalFailureEvent } from '../../adapters/stripe/list-missed-failures.js';
import type { Money } from '../core/money.js';
import { createInboxRepository } from '../storage/inbox-repository.js';
import { createRescueRepository } from '../storage/rescue-repository.js';
import type { Database } from '../storage/schema.js';
import { prepareForStorage } from '../storage/storable-event.js';

/** The inbox source of Stripe's events (the engine id, as the webhook route stores them). */
const STRIPE_SOURCE = 'stripe';

export type ReplayVerdict =
  /** Put in the inbox now, as if its webhook had just arrived: the worker takes it from there. */
  | 'handed_over'
  /** Fresh, but `--dry-run`: would have been handed over. */
  | 'would_hand_over'
  /** Older than the freshness window: the worker would refuse it as stale, so it is only reported. */
  | 'stale'
  /** Paid, voided or written off since it failed: nothing to rescue. */
  | 'settled';

export interface ReplayedFailure {
  readonly invoiceId: string;
  readonly subscriptionId: string | null;
  readonly eventId: string;
  readonly amount: Money;
  readonly failedAt: Date;
  readonly verdict: ReplayVerdict;
  /** Why it was not handed over; null when it was (or would be). */
  readonly why: string | null;
}

export interface ReplayReport {
  readonly since: Date;
  readonly failures: readonly ReplayedFailure[];
  /** Renewal failures the plugin already has (its webhook arrived, or an earlier replay). */
  readonly alreadyKnown: number;
  /** Other `invoice.payment_failed` events, by reason. */
  readonly passedOver: Readonly<Record<string, number>>;
}

/**
 * Backfill: the first automatic failures of renewals since `since` that the plugin never saw (it was
 * installed later that day, or down), from Stripe's event list. Those still fresh — by the rule the
 * worker applies, the failure's age when first seen — go into the inbox exactly as their webhook
 * would have; older ones and settled invoices are only reported. The inbox is unique per event id
 * and rescues per invoice, so running it again hands nothing over twice.
 */
export async function replayMissedFailures(input: {
  stripe: Stripe;
  db: Kysely<Database>;
  merchantId: string;
  since: Date;
  now: Date;
  freshnessWindowMs: number;
  dryRun: boolean;
}): Promise<ReplayReport> {
  const { db, merchantId, now } = input;
  const scan = await listRenewalFailures(input.stripe, input.since);
  const inbox = createInboxRepository(db);
  const rescues = createRescueRepository(db);
  const failures: ReplayedFailure[] = [];
  let alreadyKnown = 0;
  for (const failure of scan.failures) {
    if (await isKnown(db, rescues, merchantId, failure)) {
      alreadyKnown += 1;
      continue;
    }
    const { verdict, why } = judge(failure, now, input.freshnessWindowMs, input.dryRun);
    if (verdict === 'handed_over') {
      const outcome = await inbox.insert({
        ...storable(failure.event),
        source: STRIPE_SOURCE,
        merchantId,
        receivedAt: now,
      });
      // Another replay (or the webhook) stored it in between: it is known, not ours to report.
      if (outcome !== 'inserted') {
        alreadyKnown += 1;
        continue;
      }
    }
    failures.push({
      invoiceId: failure.invoiceId,
      subscriptionId: failure.subscriptionId,
      eventId: failure.event.id,
      amount: failure.amount,
      failedAt: failure.failedAt,
      verdict,
      why,
    });
  }
  return { since: input.since, failures, alreadyKnown, passedOver: scan.passedOver };
}

function judge(
  failure: RenewalFailureEvent,
  now: Date,
  freshnessWindowMs: number,
  dryRun: boolean,
): { verdict: ReplayVerdict; why: string | null } {
  if (failure.invoiceStatusNow !== 'open')
    return { verdict: 'settled', why: `the invoice is ${failure.invoiceStatusNow} now` };
  const age = now.getTime() - failure.failedAt.getTime();
  if (age > freshnessWindowMs)
    return {
      verdict: 'stale',
      why: `failed ${Math.round(age / 3_600_000)}h ago, past the ${Math.round(freshnessWindowMs / 3_600_000)}h FlexCharge takes (RESCUE_FRESHNESS_HOURS)`,
    };
  return dryRun ? { verdict: 'would_hand_over', why: null } : { verdict: 'handed_over', why: null };
}

/** Known when its event is in the inbox, or its invoice already has a rescue (any outcome). */
async function isKnown(
  db: Kysely<Database>,
  rescues: ReturnType<typeof createRescueRepository>,
  merchantId: string,
  failure: RenewalFailureEvent,
): Promise<boolean> {
  const stored = await db
    .selectFrom('flexcharge_mit.inbox_events')
    .select('id')
    .where('source', '=', STRIPE_SOURCE)
    .where('event_id', '=', failure.event.id)
    .executeTakeFirst();
  if (stored) return true;
  return (await rescues.findByInvoice(merchantId, STRIPE_SOURCE, failure.invoiceId)) !== undefined;
}

/** The event as the API listed it, stored as its webhook body would be. */
function storable(event: Stripe.Event) {
  return prepareForStorage({
    eventId: event.id,
    eventType: event.type,
    payload: event,
    rawBody: Buffer.from(JSON.stringify(event)),
  });
}
