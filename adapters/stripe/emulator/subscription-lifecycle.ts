import type Stripe from 'stripe';
import { decideCardCharge } from './card-decision.js';
import { declineSpec } from './decline-codes.js';
import { copy, type EmulatorContext, idOf, mustGet } from './emulator-store.js';
import { AUTOMATIC, type EventOrigin } from './emulator-types.js';
import { cardError, invalidRequest, resourceMissing } from './errors.js';
import { emitEvent, emitUpdated } from './event-log.js';
import { newId } from './ids.js';
import { collectInvoice } from './invoice-collection.js';
import { createSubscriptionInvoice, finalizeInvoice, voidInvoice } from './invoice-lifecycle.js';
import { buildSubscription, buildSubscriptionItem } from './objects/subscription.js';
import { cancelSubscriptionNow } from './subscription-cancel.js';
import { startTrial } from './subscription-trial.js';
import { testCardByKey } from './test-cards.js';
import { addIntervals, HOUR_SECONDS, type Interval } from './time.js';

export type PaymentBehavior =
  | 'allow_incomplete'
  | 'default_incomplete'
  | 'error_if_incomplete'
  | 'pending_if_incomplete';

export interface NewSubscription {
  customer: string;
  items: { price: string; quantity: number; metadata: Record<string, string> }[];
  defaultPaymentMethod: string | null;
  description: string | null;
  metadata: Record<string, string>;
  paymentBehavior: PaymentBehavior;
  offSession: boolean;
  cancelAtPeriodEnd: boolean;
  /** The end of a free trial (`trial_period_days`), or null for none. */
  trialEnd?: number | null;
}

/** Incomplete subscriptions expire 23 hours after creation if the first invoice stays unpaid. */
export const INCOMPLETE_EXPIRY_SECONDS = 23 * HOUR_SECONDS;

/**
 * Creates a subscription and collects its first invoice in the same request, like Stripe: the
 * invoice (`billing_reason: subscription_create`) is finalized and charged on-session (a CIT), so a
 * card that needs 3D Secure authenticates here. The subscription is announced once, with the status
 * that payment left it in (`active`, or `incomplete` after a decline with `allow_incomplete`).
 */
export function createSubscription(
  ctx: EmulatorContext,
  input: NewSubscription,
  at: number,
  origin: EventOrigin,
): Stripe.Subscription {
  const { store } = ctx;
  const customer = mustGet(store.customers, input.customer, 'customer', 'customer');
  const prices = input.items.map((item, i) => recurringPrice(ctx, item.price, `items[${i}][price]`));
  const first = prices[0];
  if (!first?.recurring)
    throw invalidRequest('Missing required param: items.', { code: 'parameter_missing', param: 'items' });
  for (const price of prices) {
    if (price.currency !== first.currency || price.recurring?.interval !== first.recurring.interval) {
      throw invalidRequest(
        'All prices on a subscription must have the same `currency` and `recurring[interval]`.',
        {
          param: 'items',
        },
      );
    }
  }
  const pmId = input.defaultPaymentMethod ?? idOf(customer.invoice_settings.default_payment_method);
  if (input.defaultPaymentMethod)
    assertAttachedTo(ctx, input.defaultPaymentMethod, customer.id, 'default_payment_method');
  if (!pmId && input.paymentBehavior !== 'default_incomplete') {
    throw invalidRequest(
      'This customer has no attached payment source or default payment method. Please consider adding a default payment method. For more information, visit https://docs.stripe.com/billing/subscriptions/payment-methods-setting#payment-method-priority.',
      { code: 'resource_missing' },
    );
  }
  if (pmId && input.paymentBehavior === 'error_if_incomplete')
    assertWouldSucceed(ctx, pmId, input.offSession);

  const id = newId('subscription');
  const interval = first.recurring.interval as Interval;
  const periodEnd = input.trialEnd ?? addIntervals(at, interval, first.recurring.interval_count);
  const items = input.items.map((item, i) =>
    buildSubscriptionItem({
      id: newId('subscription_item'),
      created: at,
      subscription: id,
      price: prices[i] as Stripe.Price,
      quantity: item.quantity,
      periodStart: at,
      periodEnd,
      metadata: item.metadata,
    }),
  );
  const sub = buildSubscription({
    id,
    created: at,
    customer: customer.id,
    currency: first.currency,
    items,
    defaultPaymentMethod: input.defaultPaymentMethod,
    description: input.description,
    metadata: input.metadata,
    cancelAtPeriodEnd: input.cancelAtPeriodEnd,
  });
  store.subscriptions.set(id, sub);
  store.subscriptionStates.set(id, { announced: false, periodIndex: 0 });
  customer.currency ??= first.currency;
  if (input.trialEnd) {
    startTrial(ctx, sub, at, origin);
    const trial = store.subscriptionStates.get(id);
    if (trial) trial.announced = true;
    emitEvent(ctx, 'customer.subscription.created', sub, origin, at);
    return sub;
  }

  const invoice = createSubscriptionInvoice(ctx, {
    subscription: sub,
    billingReason: 'subscription_create',
    periodStart: at,
    periodEnd: at,
    at,
    origin,
  });
  sub.latest_invoice = invoice.id;
  finalizeInvoice(ctx, invoice, at, origin);
  if (input.paymentBehavior !== 'default_incomplete') {
    collectInvoice(ctx, invoice, { kind: 'manual', offSession: input.offSession, at, origin });
  }
  const state = store.subscriptionStates.get(id);
  if (state) state.announced = true;
  emitEvent(ctx, 'customer.subscription.created', sub, origin, at);
  return sub;
}

/**
 * The subscription reached the end of its period: move every item to the next period (anchored on
 * the billing cycle anchor, so periods never drift), then invoice the new period and charge it
 * off-session with the default payment method (a recurring MIT, `request.id: null`).
 */
export function renewSubscription(ctx: EmulatorContext, sub: Stripe.Subscription, at: number): void {
  const origin = AUTOMATIC;
  if (sub.cancel_at_period_end) {
    cancelSubscriptionNow(ctx, sub, { reason: 'cancellation_requested' }, at, origin);
    return;
  }
  const state = ctx.store.subscriptionStates.get(sub.id);
  if (!state) return;
  const before = copy(sub);
  const previous = sub.items.data[0];
  const periodStart = previous?.current_period_start ?? at;
  const periodEnd = previous?.current_period_end ?? at;
  state.periodIndex += 1;
  for (const item of sub.items.data) {
    const recurring = item.price.recurring;
    if (!recurring) continue;
    item.current_period_start = item.current_period_end;
    item.current_period_end = addIntervals(
      sub.billing_cycle_anchor,
      recurring.interval as Interval,
      recurring.interval_count * (state.periodIndex + 1),
    );
  }
  const invoice = createSubscriptionInvoice(ctx, {
    subscription: sub,
    billingReason: 'subscription_cycle',
    periodStart,
    periodEnd,
    at,
    origin,
  });
  sub.latest_invoice = invoice.id;
  emitUpdated(ctx, 'customer.subscription.updated', before, sub, origin, at);
  finalizeInvoice(ctx, invoice, at, origin);
  if (sub.status === 'unpaid') {
    // Stripe keeps invoicing an unpaid subscription but doesn't attempt those invoices.
    invoice.auto_advance = false;
    return;
  }
  collectInvoice(ctx, invoice, { kind: 'automatic', offSession: true, at, origin });
}

/** An incomplete subscription whose first invoice stayed unpaid for 23 hours. */
export function expireIncompleteSubscription(
  ctx: EmulatorContext,
  sub: Stripe.Subscription,
  at: number,
): void {
  const origin = AUTOMATIC;
  const invoice = ctx.store.invoices.get(idOf(sub.latest_invoice) ?? '');
  if (invoice && invoice.status === 'open') voidInvoice(ctx, invoice, at, origin);
  const before = copy(sub);
  sub.status = 'incomplete_expired';
  sub.ended_at = at;
  emitUpdated(ctx, 'customer.subscription.updated', before, sub, origin, at);
}

export function assertAttachedTo(
  ctx: EmulatorContext,
  pmId: string,
  customerId: string,
  param: string,
): void {
  const pm = ctx.store.paymentMethods.get(pmId);
  if (!pm) throw resourceMissing('PaymentMethod', pmId, param);
  if (idOf(pm.customer) !== customerId) {
    throw invalidRequest(
      `The customer does not have a payment method with the ID ${pmId}. The payment method must be attached to the customer.`,
      { code: 'resource_missing', param },
    );
  }
}

function recurringPrice(ctx: EmulatorContext, priceId: string, param: string): Stripe.Price {
  const price = mustGet(ctx.store.prices, priceId, 'price', param);
  if (!price.recurring) {
    throw invalidRequest(
      'The price specified is set to `type=one_time` but this field only accepts prices with `type=recurring`.',
      { param },
    );
  }
  return price;
}

/** `payment_behavior=error_if_incomplete`: a declining card fails the request and creates nothing. */
function assertWouldSucceed(ctx: EmulatorContext, pmId: string, offSession: boolean): void {
  const state = ctx.store.cards.get(pmId);
  const card = state ? testCardByKey(state.testCardKey) : undefined;
  if (!state || !card) return;
  const decision = decideCardCharge(card, state, offSession);
  if (decision.approved) return;
  const spec = declineSpec(decision.declineCode ?? 'generic_decline');
  throw cardError({
    code: spec.failureCode,
    declineCode: spec.declineCode,
    message: spec.message,
    adviceCode: spec.adviceCode,
    networkDeclineCode: spec.networkDeclineCode,
  });
}
