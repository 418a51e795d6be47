import type Stripe from 'stripe';
import type { Money } from '../../plugin/core/money.js';
import { invoiceStatusOf } from './invoice-fields.js';
import { stripeCall } from './map-stripe-error.js';
import { mapStripeEvent } from './map-stripe-event.js';
import { fromUnix, moneyOf } from './stripe-values.js';

/** Stripe keeps events for 30 days: `GET /v1/events` has nothing older. */
export const STRIPE_EVENT_RETENTION_MS = 30 * 24 * 3_600_000;

/** A first automatic failure of a renewal invoice, from Stripe's event list. */
export interface RenewalFailureEvent {
  readonly event: Stripe.Event;
  readonly invoiceId: string;
  readonly subscriptionId: string | null;
  readonly amount: Money;
  readonly failedAt: Date;
  /** The invoice's status now (it may have been paid or voided since). */
  readonly invoiceStatusNow: string;
}

export interface RenewalFailureScan {
  readonly failures: readonly RenewalFailureEvent[];
  /** `invoice.payment_failed` events that are not a first automatic renewal failure, by reason. */
  readonly passedOver: Readonly<Record<string, number>>;
}

/**
 * Stripe's `invoice.payment_failed` events since `since` (every page), kept as the plugin's webhook
 * path keeps them: the invoice of a subscription's renewal (`billing_reason: subscription_cycle`),
 * failed by Stripe Billing itself (no API request) on its first attempt; one per invoice. Each kept
 * invoice is read again for its status now. Not narrowed with `delivery_success=false`: an event from
 * before the endpoint existed had no delivery to fail, and is exactly one the plugin missed; the
 * caller compares with what the plugin stored instead.
 */
export async function listRenewalFailures(stripe: Stripe, since: Date): Promise<RenewalFailureScan> {
  const events = await stripeCall('list invoice.payment_failed events', async () => {
    const all: Stripe.Event[] = [];
    const created = { gte: Math.floor(since.getTime() / 1000) };
    // Every page: a busy account fails many renewals a day.
    for await (const event of stripe.events.list({ type: 'invoice.payment_failed', created, limit: 100 }))
      all.push(event);
    return all;
  });
  const passedOver: Record<string, number> = {};
  const skip = (reason: string) => {
    passedOver[reason] = (passedOver[reason] ?? 0) + 1;
  };
  const failures = new Map<string, RenewalFailureEvent>();
  // Oldest first, so an invoice is reported with the event of its first failure.
  for (const event of [...events].sort((a, b) => a.created - b.created)) {
    const normalized = mapStripeEvent({
      id: event.id,
      type: event.type,
      createdAt: fromUnix(event.created),
      account: event.account ?? null,
      payload: event,
    });
    if (normalized.kind !== 'renewal_failed') {
      skip(normalized.kind === 'ignored' ? normalized.reason : 'not a renewal failure');
      continue;
    }
    const invoice = event.data.object as Stripe.Invoice;
    if (invoice.billing_reason !== 'subscription_cycle') {
      skip(`billing reason ${invoice.billing_reason ?? 'unknown'}, not subscription_cycle`);
      continue;
    }
    if (!normalized.automatic) {
      skip('attempted through the API, not by Stripe Billing');
      continue;
    }
    if (normalized.attemptCount !== 1) {
      skip("a retry: Stripe's own retries had begun");
      continue;
    }
    if (failures.has(normalized.invoiceId)) continue;
    const now = await stripeCall(`retrieve invoice ${normalized.invoiceId}`, () =>
      stripe.invoices.retrieve(normalized.invoiceId),
    );
    failures.set(normalized.invoiceId, {
      event,
      invoiceId: normalized.invoiceId,
      subscriptionId: subscriptionOf(invoice),
      amount: moneyOf(invoice.amount_due, invoice.currency),
      failedAt: normalized.failedAt,
      invoiceStatusNow: invoiceStatusOf(now),
    });
  }
  return { failures: [...failures.values()], passedOver };
}

function subscriptionOf(invoice: Stripe.Invoice): string | null {
  const ref = invoice.parent?.subscription_details?.subscription;
  if (!ref) return null;
  return typeof ref === 'string' ? ref : ref.id;
}
