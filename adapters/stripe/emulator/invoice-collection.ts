import type Stripe from 'stripe';
import { attemptCardPayment } from './card-payments.js';
import type { DeclineSpec } from './decline-codes.js';
import { copy, type EmulatorContext, type InvoiceState, idOf } from './emulator-store.js';
import type { EventOrigin } from './emulator-types.js';
import { invalidRequest } from './errors.js';
import { emitEvent, emitUpdated } from './event-log.js';
import {
  invoicePaymentIntent,
  invoiceSubscriptionId,
  markInvoicePaid,
  markInvoiceUncollectible,
} from './invoice-lifecycle.js';
import { refreshNextPaymentAttempt, retriesRemain } from './retry-schedule.js';
import { cancelSubscriptionNow } from './subscription-cancel.js';
import { syncSubscriptionStatus } from './subscription-status.js';

export interface InvoiceAttempt {
  /** `automatic`: Stripe's own attempt (first or retry); `manual`: `POST /v1/invoices/:id/pay`. */
  kind: 'automatic' | 'manual';
  /** Explicit payment method (`pay` with `payment_method`); otherwise the invoice's default chain. */
  paymentMethodId?: string;
  offSession: boolean;
  /** A MOTO confirmation of the invoice's PaymentIntent (`POST /v1/payment_intents/:id/confirm`). */
  moto?: boolean;
  at: number;
  origin: EventOrigin;
}

export interface InvoiceAttemptOutcome {
  paid: boolean;
  charge: Stripe.Charge | null;
  decline: DeclineSpec | null;
}

/**
 * One collection attempt on an open invoice, with Stripe's bookkeeping: `attempt_count` counts the
 * first attempt of any kind and then only automatic retries; retries follow the schedule from the
 * first failure; a hard decline (or no usable payment method) is not charged again until the
 * payment method changes, though the schedule still advances; after the last retry the configured
 * final action applies.
 */
export function collectInvoice(
  ctx: EmulatorContext,
  invoice: Stripe.Invoice,
  attempt: InvoiceAttempt,
): InvoiceAttemptOutcome {
  const state = invoiceState(ctx, invoice.id);
  const pmId = attempt.paymentMethodId ?? usablePaymentMethod(ctx, invoice);
  const before = copy(invoice);
  if (attempt.kind === 'automatic' && (pmId === null || state.hardDecline?.paymentMethod === pmId)) {
    recordFailure(ctx, invoice, state, attempt);
    if (pmId === null) emitEvent(ctx, 'invoice.payment_failed', invoice, attempt.origin, attempt.at);
    emitUpdated(ctx, 'invoice.updated', before, invoice, attempt.origin, attempt.at);
    afterFailure(ctx, invoice, state, attempt);
    return { paid: false, charge: null, decline: null };
  }
  if (pmId === null) {
    throw invalidRequest(
      'This customer has no attached payment source or default payment method. Please consider adding a default payment method.',
      { code: 'resource_missing' },
    );
  }
  const paymentMethod = ctx.store.paymentMethods.get(pmId);
  const pi = invoicePaymentIntent(ctx, invoice);
  if (!paymentMethod || !pi) throw new Error(`invoice ${invoice.id} cannot be charged`);
  const { charge, decline } = attemptCardPayment(ctx, {
    paymentIntent: pi,
    paymentMethod,
    offSession: attempt.offSession,
    recurringMit: attempt.offSession && !attempt.moto && invoice.billing_reason === 'subscription_cycle',
    moto: attempt.moto ?? false,
    origin: attempt.origin,
    at: attempt.at,
  });
  if (!decline) {
    invoice.attempted = true;
    if (attempt.kind === 'automatic' || invoice.attempt_count === 0) invoice.attempt_count += 1;
    markInvoicePaid(ctx, invoice, { charge }, attempt.at, attempt.origin, before);
    syncSubscription(ctx, invoice, attempt);
    return { paid: true, charge, decline: null };
  }
  recordFailure(ctx, invoice, state, attempt);
  state.hardDecline = decline.hard
    ? { paymentMethod: paymentMethod.id, declineCode: decline.declineCode }
    : null;
  emitEvent(ctx, 'invoice.payment_failed', invoice, attempt.origin, attempt.at);
  emitUpdated(ctx, 'invoice.updated', before, invoice, attempt.origin, attempt.at);
  afterFailure(ctx, invoice, state, attempt);
  return { paid: false, charge, decline };
}

/**
 * The payment method Stripe would charge: the invoice's, else the subscription's default, else the
 * customer's invoice default; only if it is still attached to the invoice's customer.
 */
export function usablePaymentMethod(ctx: EmulatorContext, invoice: Stripe.Invoice): string | null {
  const { store } = ctx;
  const sub = store.subscriptions.get(invoiceSubscriptionId(invoice) ?? '');
  const customer = store.customers.get(String(invoice.customer));
  const candidate =
    idOf(invoice.default_payment_method) ??
    idOf(sub?.default_payment_method) ??
    idOf(customer?.invoice_settings.default_payment_method);
  if (!candidate) return null;
  const pm = store.paymentMethods.get(candidate);
  return pm && idOf(pm.customer) === String(invoice.customer) ? candidate : null;
}

export function invoiceState(ctx: EmulatorContext, invoiceId: string): InvoiceState {
  const state = ctx.store.invoiceStates.get(invoiceId);
  if (!state) throw new Error(`invoice ${invoiceId} has no collection state`);
  return state;
}

function recordFailure(
  ctx: EmulatorContext,
  invoice: Stripe.Invoice,
  state: InvoiceState,
  attempt: InvoiceAttempt,
): void {
  invoice.attempted = true;
  if (invoice.attempt_count === 0) {
    invoice.attempt_count = 1;
    state.retryAnchor = attempt.at;
    state.retriesDone = 0;
    state.firstAttemptAt = null;
  } else if (attempt.kind === 'automatic') {
    invoice.attempt_count += 1;
    state.retriesDone += 1;
  }
  const retried = invoice.billing_reason !== 'subscription_create';
  if (attempt.kind === 'automatic' && retried && !retriesRemain(ctx, state)) state.exhausted = true;
  refreshNextPaymentAttempt(ctx, invoice, state);
}

/** The subscription follows the failure (past_due); after the last retry the final action decides instead. */
function afterFailure(
  ctx: EmulatorContext,
  invoice: Stripe.Invoice,
  state: InvoiceState,
  attempt: InvoiceAttempt,
): void {
  syncSubscription(ctx, invoice, attempt);
  if (state.exhausted) applyFinalRetryPolicy(ctx, invoice, attempt.at, attempt.origin);
}

/**
 * Stripe's "after the final retry" settings: what happens to the subscription and to the invoice.
 * Taken after the last retry failed, or when a hold is released with nothing left of the schedule
 * (`releaseRetry: 'final_action'`).
 */
export function applyFinalRetryPolicy(
  ctx: EmulatorContext,
  invoice: Stripe.Invoice,
  at: number,
  origin: EventOrigin,
): void {
  const policy = ctx.settings.afterFinalRetry;
  if (policy.invoice === 'mark_uncollectible' && invoice.status === 'open') {
    markInvoiceUncollectible(ctx, invoice, 'max_payment_attempts', at, origin);
  }
  const sub = ctx.store.subscriptions.get(invoiceSubscriptionId(invoice) ?? '');
  if (!sub || sub.status === 'canceled' || sub.status === 'incomplete_expired') return;
  if (policy.subscription === 'cancel') {
    cancelSubscriptionNow(ctx, sub, { reason: 'payment_failed' }, at, origin);
  } else if (policy.subscription === 'mark_unpaid' && sub.status !== 'unpaid') {
    const before = copy(sub);
    sub.status = 'unpaid';
    emitUpdated(ctx, 'customer.subscription.updated', before, sub, origin, at);
  }
}

function syncSubscription(ctx: EmulatorContext, invoice: Stripe.Invoice, attempt: InvoiceAttempt): void {
  const subId = invoiceSubscriptionId(invoice);
  if (subId) syncSubscriptionStatus(ctx, subId, attempt.at, attempt.origin);
}
