import { z } from 'zod';
import type { BillingEvent, VerifiedEngineEvent } from '../../plugin/core/billing-engine.js';
import { invoiceSubscriptionId } from './invoice-fields.js';
import { writeBackRescueId } from './invoice-metadata.js';
import { fromUnix, moneyOf } from './stripe-values.js';

/**
 * Only the fields we read, checked loosely: the payload is rendered in the webhook endpoint's API
 * version, which may be older or newer than the SDK's, so nothing else may be assumed. Whatever
 * does not fit becomes `ignored` with the reason, never an exception.
 */
const ref = z.union([z.string(), z.looseObject({ id: z.string() })]);

const envelope = z.looseObject({
  id: z.string(),
  type: z.string(),
  created: z.number(),
  // Events from before 2017-05-25 carry the request id as a bare string.
  request: z.union([z.null(), z.string(), z.looseObject({ id: z.string().nullish() })]).optional(),
  data: z.looseObject({ object: z.looseObject({ id: z.string().optional() }) }),
});

const invoiceObject = z.looseObject({
  id: z.string(),
  object: z.literal('invoice'),
  attempt_count: z.number().int().nonnegative().optional(),
  metadata: z.record(z.string(), z.string()).nullish(),
  subscription: ref.nullish(),
  parent: z
    .looseObject({ subscription_details: z.looseObject({ subscription: ref.nullish() }).nullish() })
    .nullish(),
});

const chargeObject = z.looseObject({
  id: z.string(),
  object: z.literal('charge'),
  amount: z.number().int(),
  currency: z.string().regex(/^[A-Za-z]{3}$/),
});

const subscriptionObject = z.looseObject({ id: z.string(), object: z.literal('subscription') });

/** Stripe event type → what the workflow acts on. */
export function mapStripeEvent(event: VerifiedEngineEvent): BillingEvent {
  const parsed = envelope.safeParse(event.payload);
  if (!parsed.success) return ignored(`not a Stripe event: ${describeIssue(parsed.error)}`);
  const { type, data } = parsed.data;
  const object = data.object;

  switch (type) {
    case 'invoice.payment_failed': {
      const invoice = invoiceObject.safeParse(object);
      if (!invoice.success) return ignored(`${type} without an invoice: ${describeIssue(invoice.error)}`);
      if (!invoiceSubscriptionId(invoice.data)) return ignored(`${type}: invoice belongs to no subscription`);
      if (invoice.data.attempt_count === undefined) return ignored(`${type}: invoice has no attempt_count`);
      const request = parsed.data.request;
      return {
        kind: 'renewal_failed',
        invoiceId: invoice.data.id,
        failedAt: fromUnix(parsed.data.created),
        // No request id: Stripe Billing made the attempt itself, not an API call.
        automatic: request == null || (typeof request === 'object' && request.id == null),
        attemptCount: invoice.data.attempt_count,
      };
    }
    case 'invoice.paid': {
      const invoice = invoiceObject.safeParse(object);
      if (!invoice.success) return ignored(`${type} without an invoice: ${describeIssue(invoice.error)}`);
      return {
        kind: 'invoice_paid',
        invoiceId: invoice.data.id,
        byRescueId: writeBackRescueId(invoice.data.metadata),
      };
    }
    case 'invoice.voided':
    case 'invoice.marked_uncollectible': {
      const invoice = invoiceObject.safeParse(object);
      if (!invoice.success) return ignored(`${type} without an invoice: ${describeIssue(invoice.error)}`);
      const kind = type === 'invoice.voided' ? 'invoice_voided' : 'invoice_uncollectible';
      return { kind, invoiceId: invoice.data.id };
    }
    case 'customer.subscription.deleted': {
      const subscription = subscriptionObject.safeParse(object);
      if (!subscription.success)
        return ignored(`${type} without a subscription: ${describeIssue(subscription.error)}`);
      return { kind: 'subscription_cancelled', subscriptionId: subscription.data.id };
    }
    case 'charge.succeeded':
    case 'charge.failed': {
      const charge = chargeObject.safeParse(object);
      if (!charge.success) return ignored(`${type} without a charge: ${describeIssue(charge.error)}`);
      return {
        kind: 'charge',
        chargeId: charge.data.id,
        succeeded: type === 'charge.succeeded',
        amount: moneyOf(charge.data.amount, charge.data.currency),
      };
    }
    default:
      return ignored(`${type} is not an event the plugin acts on`);
  }
}

function ignored(reason: string): BillingEvent {
  return { kind: 'ignored', reason };
}

function describeIssue(error: z.ZodError): string {
  const issue = error.issues[0];
  if (!issue) return 'unexpected shape';
  const path = issue.path.length > 0 ? issue.path.join('.') : 'payload';
  return `${path}: ${issue.message}`;
}
