import type Stripe from 'stripe';
import { copy, type EmulatorContext } from './emulator-store.js';
import type { EventOrigin } from './emulator-types.js';
import { invalidRequest } from './errors.js';
import { emitEvent, emitUpdated } from './event-log.js';
import { newId } from './ids.js';
import {
  defaultInvoicePayment,
  invoicePaymentIntent,
  invoiceSubscriptionId,
  markInvoicePaid,
} from './invoice-lifecycle.js';
import { syncSubscriptionStatus } from './subscription-status.js';

/**
 * `attach_payment` with a Payment Record: the invoice gains an InvoicePayment of type
 * `payment_record`. A guaranteed record is credited at once (`invoice_payment.paid`); once the
 * invoice is covered it is paid like out of band (its PaymentIntent canceled, `invoice.paid`, no
 * charge), and short of that `amount_paid` and `amount_remaining` move and it stays open.
 */
export function attachPaymentRecord(
  ctx: EmulatorContext,
  invoice: Stripe.Invoice,
  record: Stripe.PaymentRecord,
  at: number,
  origin: EventOrigin,
): void {
  const state = ctx.store.paymentRecordStates.get(record.id);
  if (invoice.status !== 'open') {
    throw invalidRequest(
      `You can only attach payments to open invoices; this invoice is ${invoice.status}.`,
      { code: 'invoice_not_editable' },
    );
  }
  if (state?.invoice) {
    throw invalidRequest(`Payment Record ${record.id} is already attached to invoice ${state.invoice}.`, {
      param: 'payment_record',
    });
  }
  if (state?.outcome === 'failed' || state?.outcome === 'canceled') {
    throw invalidRequest(`Payment Record ${record.id} is ${state.outcome}; it cannot pay an invoice.`, {
      param: 'payment_record',
    });
  }
  if (record.amount.currency !== invoice.currency) {
    throw invalidRequest(
      `The Payment Record's currency (${record.amount.currency}) must match the invoice's currency (${invoice.currency}).`,
      { param: 'payment_record' },
    );
  }
  if (record.amount.value > invoice.amount_remaining) {
    throw invalidRequest(
      `The Payment Record's amount (${record.amount.value}) is more than the invoice's amount remaining (${invoice.amount_remaining}).`,
      { param: 'payment_record' },
    );
  }
  const guaranteed = state?.outcome === 'guaranteed';
  const payment: Stripe.InvoicePayment = {
    id: newId('invoice_payment'),
    object: 'invoice_payment',
    amount_paid: guaranteed ? record.amount.value : null,
    amount_requested: record.amount.value,
    created: at,
    currency: invoice.currency,
    invoice: invoice.id,
    is_default: false,
    livemode: false,
    payment: { type: 'payment_record', payment_record: record.id },
    status: guaranteed ? 'paid' : 'open',
    status_transitions: { canceled_at: null, paid_at: guaranteed ? at : null },
  };
  ctx.store.addInvoicePayment(payment);
  if (state) state.invoice = invoice.id;
  if (!guaranteed) return;
  emitEvent(ctx, 'invoice_payment.paid', payment, origin, at);

  const before = copy(invoice);
  if (record.amount.value < invoice.amount_remaining) {
    invoice.amount_paid += record.amount.value;
    invoice.amount_remaining -= record.amount.value;
    followRemaining(ctx, invoice);
    emitUpdated(ctx, 'invoice.updated', before, invoice, origin, at);
    return;
  }
  markInvoicePaid(ctx, invoice, 'out_of_band', at, origin, before);
  const subscription = invoiceSubscriptionId(invoice);
  if (subscription) syncSubscriptionStatus(ctx, subscription, at, origin);
}

/** The default payment and its PaymentIntent ask for what is still owed. */
function followRemaining(ctx: EmulatorContext, invoice: Stripe.Invoice): void {
  const payment = defaultInvoicePayment(ctx, invoice.id);
  if (payment?.status === 'open') payment.amount_requested = invoice.amount_remaining;
  const pi = invoicePaymentIntent(ctx, invoice);
  if (pi && pi.status !== 'succeeded' && pi.status !== 'canceled') pi.amount = invoice.amount_remaining;
}
