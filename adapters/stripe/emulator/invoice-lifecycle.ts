import type Stripe from 'stripe';
import { copy, type EmulatorContext, idOf, mustGet, newInvoiceState } from './emulator-store.js';
import type { EventOrigin } from './emulator-types.js';
import { emitEvent } from './event-log.js';
import { newId } from './ids.js';
import { previousAttributes } from './object-diff.js';
import { buildInvoice, buildSubscriptionLine } from './objects/invoice.js';
import { buildInvoicePayment } from './objects/invoice-payment.js';
import { buildPaymentIntent } from './objects/payment-intent.js';

/**
 * Invoice state changes that don't involve charging a card: creation, finalization, and the terminal
 * states (paid, void, uncollectible). Each emits the events Stripe emits for it.
 */

export interface NewSubscriptionInvoice {
  subscription: Stripe.Subscription;
  billingReason: 'subscription_create' | 'subscription_cycle';
  /** The invoice's own period (for a renewal, the period that just ended). */
  periodStart: number;
  periodEnd: number;
  at: number;
  origin: EventOrigin;
}

export function createSubscriptionInvoice(
  ctx: EmulatorContext,
  spec: NewSubscriptionInvoice,
): Stripe.Invoice {
  const { store } = ctx;
  const sub = spec.subscription;
  const customer = mustGet(store.customers, String(sub.customer), 'customer');
  const id = newId('invoice');
  const lines = sub.items.data.map((item) =>
    buildSubscriptionLine({
      id: newId('line_item'),
      invoice: id,
      subscription: sub.id,
      subscriptionItem: item,
      productName: productName(ctx, item.price),
      periodStart: item.current_period_start,
      periodEnd: item.current_period_end,
      metadata: { ...sub.metadata },
    }),
  );
  const invoice = buildInvoice({
    id,
    created: spec.at,
    customer,
    subscription: sub,
    billingReason: spec.billingReason,
    lines,
    periodStart: spec.periodStart,
    periodEnd: spec.periodEnd,
  });
  store.addInvoice(invoice);
  store.invoiceStates.set(id, newInvoiceState());
  emitEvent(ctx, 'invoice.created', invoice, spec.origin, spec.at);
  return invoice;
}

/** draft → open: number, PaymentIntent and default InvoicePayment, `invoice.finalized`. */
export function finalizeInvoice(
  ctx: EmulatorContext,
  invoice: Stripe.Invoice,
  at: number,
  origin: EventOrigin,
): void {
  const { store } = ctx;
  const customer = mustGet(store.customers, String(invoice.customer), 'customer');
  const pi = buildPaymentIntent({
    id: newId('payment_intent'),
    created: at,
    amount: invoice.amount_due,
    currency: invoice.currency,
    customer: customer.id,
    description:
      invoice.billing_reason === 'subscription_create' ? 'Subscription creation' : 'Subscription update',
    setupFutureUsage: invoice.billing_reason === 'subscription_create' ? 'off_session' : null,
  });
  store.paymentIntents.set(pi.id, pi);
  const payment = buildInvoicePayment({
    id: newId('invoice_payment'),
    created: at,
    invoice: invoice.id,
    paymentIntent: pi.id,
    amountRequested: invoice.amount_due,
    currency: invoice.currency,
  });
  store.addInvoicePayment(payment);

  const sequence = customer.next_invoice_sequence ?? 1;
  customer.next_invoice_sequence = sequence + 1;
  invoice.number = `${customer.invoice_prefix}-${String(sequence).padStart(4, '0')}`;
  invoice.status = 'open';
  invoice.status_transitions.finalized_at = at;
  invoice.effective_at = at;
  invoice.ending_balance = 0;
  invoice.webhooks_delivered_at = at;
  emitEvent(ctx, 'payment_intent.created', pi, origin, at);
  emitEvent(ctx, 'invoice.finalized', invoice, origin, at);
}

export type PaidVia = { charge: Stripe.Charge } | 'out_of_band';

/**
 * open/uncollectible → paid. Paid out of band: no charge, the PaymentIntent is canceled.
 * `before` is the snapshot `invoice.updated` reports changes against.
 */
export function markInvoicePaid(
  ctx: EmulatorContext,
  invoice: Stripe.Invoice,
  via: PaidVia,
  at: number,
  origin: EventOrigin,
  before: Stripe.Invoice = copy(invoice),
): void {
  const payment = defaultInvoicePayment(ctx, invoice.id);
  if (via === 'out_of_band') {
    cancelInvoicePaymentIntent(ctx, invoice, 'automatic', at, origin);
  } else if (payment) {
    payment.status = 'paid';
    payment.amount_paid = via.charge.amount;
    payment.status_transitions.paid_at = at;
    emitEvent(ctx, 'invoice_payment.paid', payment, origin, at);
  }
  invoice.status = 'paid';
  invoice.amount_paid = invoice.amount_due;
  invoice.amount_remaining = 0;
  invoice.auto_advance = false;
  invoice.next_payment_attempt = null;
  invoice.status_transitions.paid_at = at;
  emitEvent(ctx, 'invoice.updated', invoice, origin, at, previousAttributes(before, invoice));
  emitEvent(ctx, 'invoice.paid', invoice, origin, at);
  if (via !== 'out_of_band') emitEvent(ctx, 'invoice.payment_succeeded', invoice, origin, at);
}

export function voidInvoice(
  ctx: EmulatorContext,
  invoice: Stripe.Invoice,
  at: number,
  origin: EventOrigin,
): void {
  const before = copy(invoice);
  cancelInvoicePaymentIntent(ctx, invoice, 'void_invoice', at, origin);
  invoice.status = 'void';
  invoice.auto_advance = false;
  invoice.next_payment_attempt = null;
  invoice.status_transitions.voided_at = at;
  emitEvent(ctx, 'invoice.updated', invoice, origin, at, previousAttributes(before, invoice));
  emitEvent(ctx, 'invoice.voided', invoice, origin, at);
}

export function markInvoiceUncollectible(
  ctx: EmulatorContext,
  invoice: Stripe.Invoice,
  reason: Stripe.Invoice.StatusDetails.Uncollectible.Reason,
  at: number,
  origin: EventOrigin,
): void {
  const before = copy(invoice);
  invoice.status = 'uncollectible';
  invoice.auto_advance = false;
  invoice.next_payment_attempt = null;
  invoice.status_transitions.marked_uncollectible_at = at;
  invoice.status_details = { uncollectible: { reason } };
  emitEvent(ctx, 'invoice.updated', invoice, origin, at, previousAttributes(before, invoice));
  emitEvent(ctx, 'invoice.marked_uncollectible', invoice, origin, at);
}

/** The invoice's default InvoicePayment (the one tied to its PaymentIntent). */
export function defaultInvoicePayment(
  ctx: EmulatorContext,
  invoiceId: string,
): Stripe.InvoicePayment | undefined {
  return ctx.store.paymentsOfInvoice(invoiceId).find((payment) => payment.is_default);
}

export function invoicePaymentIntent(
  ctx: EmulatorContext,
  invoice: Stripe.Invoice,
): Stripe.PaymentIntent | undefined {
  const payment = defaultInvoicePayment(ctx, invoice.id);
  const piId = payment?.payment.payment_intent ? idOf(payment.payment.payment_intent) : null;
  return piId ? ctx.store.paymentIntents.get(piId) : undefined;
}

/** The subscription an invoice belongs to (`parent.subscription_details.subscription`). */
export function invoiceSubscriptionId(invoice: Stripe.Invoice): string | null {
  return idOf(invoice.parent?.subscription_details?.subscription ?? null);
}

function cancelInvoicePaymentIntent(
  ctx: EmulatorContext,
  invoice: Stripe.Invoice,
  reason: Stripe.PaymentIntent.CancellationReason,
  at: number,
  origin: EventOrigin,
): void {
  const pi = invoicePaymentIntent(ctx, invoice);
  const payment = defaultInvoicePayment(ctx, invoice.id);
  if (payment && payment.status === 'open') {
    payment.status = 'canceled';
    payment.status_transitions.canceled_at = at;
  }
  if (!pi || pi.status === 'succeeded' || pi.status === 'canceled') return;
  pi.status = 'canceled';
  pi.canceled_at = at;
  pi.cancellation_reason = reason;
  emitEvent(ctx, 'payment_intent.canceled', pi, origin, at);
}

function productName(ctx: EmulatorContext, price: Stripe.Price): string {
  const productId = idOf(price.product as string | { id: string });
  return (productId && ctx.store.products.get(productId)?.name) || 'Subscription';
}
