import type Stripe from 'stripe';
import { type EmulatorContext, mustGet, newInvoiceState } from './emulator-store.js';
import type { EventOrigin } from './emulator-types.js';
import { emitEvent } from './event-log.js';
import { newId } from './ids.js';
import { buildInvoice, buildSubscriptionLine } from './objects/invoice.js';

/**
 * A subscription that starts with a free trial (`trial_period_days`): its items run until the trial
 * ends, which becomes the billing cycle anchor, and its first invoice (`subscription_create`) is for 0
 * and paid at once with no PaymentIntent and no charge, as Stripe does for an invoice of 0. The first
 * money is asked at the trial's end, by an off-session `subscription_cycle` renewal. The customer's
 * only on-session step is the card setup (a SetupIntent), which is where they authenticate.
 */
export function startTrial(
  ctx: EmulatorContext,
  sub: Stripe.Subscription,
  at: number,
  origin: EventOrigin,
): void {
  const trialEnd = sub.items.data[0]?.current_period_end ?? at;
  sub.status = 'trialing';
  sub.trial_start = at;
  sub.trial_end = trialEnd;
  sub.billing_cycle_anchor = trialEnd;
  const state = ctx.store.subscriptionStates.get(sub.id);
  // Renewals count whole periods from the anchor; the first period starts at the anchor itself.
  if (state) state.periodIndex = -1;
  const invoice = trialInvoice(ctx, sub, at);
  sub.latest_invoice = invoice.id;
  emitEvent(ctx, 'invoice.created', invoice, origin, at);
  emitEvent(ctx, 'invoice.finalized', invoice, origin, at);
  emitEvent(ctx, 'invoice.paid', invoice, origin, at);
  emitEvent(ctx, 'invoice.payment_succeeded', invoice, origin, at);
}

/** The trial's invoice: one line per item at 0, finalized and paid in the same moment. */
function trialInvoice(ctx: EmulatorContext, sub: Stripe.Subscription, at: number): Stripe.Invoice {
  const { store } = ctx;
  const customer = mustGet(store.customers, String(sub.customer), 'customer');
  const id = newId('invoice');
  const lines = sub.items.data.map((item) => {
    const line = buildSubscriptionLine({
      id: newId('line_item'),
      invoice: id,
      subscription: sub.id,
      subscriptionItem: item,
      productName: '',
      periodStart: item.current_period_start,
      periodEnd: item.current_period_end,
      metadata: { ...sub.metadata },
    });
    return {
      ...line,
      amount: 0,
      subtotal: 0,
      description: `Trial period for ${productName(ctx, item.price)}`,
    };
  });
  const invoice = buildInvoice({
    id,
    created: at,
    customer,
    subscription: sub,
    billingReason: 'subscription_create',
    lines,
    periodStart: at,
    periodEnd: at,
  });
  const sequence = customer.next_invoice_sequence ?? 1;
  customer.next_invoice_sequence = sequence + 1;
  invoice.number = `${customer.invoice_prefix}-${String(sequence).padStart(4, '0')}`;
  invoice.status = 'paid';
  invoice.attempted = true;
  invoice.auto_advance = false;
  invoice.effective_at = at;
  invoice.ending_balance = 0;
  invoice.webhooks_delivered_at = at;
  invoice.status_transitions.finalized_at = at;
  invoice.status_transitions.paid_at = at;
  store.addInvoice(invoice);
  store.invoiceStates.set(id, newInvoiceState());
  return invoice;
}

function productName(ctx: EmulatorContext, price: Stripe.Price): string {
  const productId = typeof price.product === 'string' ? price.product : price.product.id;
  return ctx.store.products.get(productId)?.name || 'Subscription';
}
