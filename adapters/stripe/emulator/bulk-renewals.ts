import { KNOWN_DECLINE_CODES } from './decline-codes.js';
import { type EmulatorContext, mustGet } from './emulator-store.js';
import { AUTOMATIC, type EventOrigin } from './emulator-types.js';
import { invalidRequest } from './errors.js';
import { emitEvent, updateAndEmit } from './event-log.js';
import { newId } from './ids.js';
import { buildCustomer } from './objects/customer.js';
import type { StripeAddress } from './param-schemas.js';
import { attachPaymentMethod, materializeTestPaymentMethod } from './payment-method-factory.js';
import { createSubscription, renewSubscription } from './subscription-lifecycle.js';
import { addIntervals } from './time.js';

/** What `POST /_emulator/bulk/failed_renewals` creates, `count` times over. */
export interface FailedRenewalsInput {
  count: number;
  /** A recurring monthly price of the account (create it through the API first). */
  price: string;
  /** How the renewal (and Stripe's retries after it) decline. */
  declineCode: string;
  /** Set on every card, e.g. `{ flexcharge_token: … }` as a checkout would leave it. */
  paymentMethodMetadata: Record<string, string>;
  subscriptionMetadata: Record<string, string>;
  /** `i` is the customer's number in this batch (0-based), for distinct emails. */
  customer: (i: number) => { email: string; name: string; phone: string | null; address: StripeAddress };
}

export interface FailedRenewalsResult {
  subscriptions: number;
  /** The renewal invoices, now open with one failed attempt. */
  invoices: string[];
  /** Unix seconds: when the renewals were attempted (the emulator clock's now, or just before). */
  renewedAt: number;
}

/** Enough for any benchmark the emulator's memory holds; stops a typo from filling it. */
export const MAX_BULK_RENEWALS = 200_000;

/**
 * A benchmark's fast path, not Stripe's API: `count` customers who subscribed a month ago with a card
 * that passed 3-D Secure (the first invoice paid on-session), whose renewal has just been attempted
 * off-session and declined with `declineCode`, so Stripe has scheduled its retries. The same
 * functions as the API's routes and the billing cycle build every object and event, in one go and
 * without HTTP, so seeding is not what a benchmark measures. The sign-up month's events are kept
 * without webhook deliveries, as if they happened before today's endpoints were registered; the
 * renewals' events are delivered as usual.
 */
export function seedFailedRenewals(
  ctx: EmulatorContext,
  input: FailedRenewalsInput,
  now: number,
): FailedRenewalsResult {
  if (!Number.isInteger(input.count) || input.count < 1 || input.count > MAX_BULK_RENEWALS)
    throw invalidRequest(`count must be a whole number from 1 to ${MAX_BULK_RENEWALS}.`, { param: 'count' });
  if (!KNOWN_DECLINE_CODES.includes(input.declineCode))
    throw invalidRequest(`Unknown decline_code '${input.declineCode}'.`, { param: 'decline_code' });
  const price = mustGet(ctx.store.prices, input.price, 'price', 'price');
  if (price.recurring?.interval !== 'month' || price.recurring.interval_count !== 1)
    throw invalidRequest('The price must recur every month.', { param: 'price' });

  const { store } = ctx;
  const signedUpAt = addIntervals(now, 'month', -1);
  const origin = AUTOMATIC;
  const firstNewEvent = store.events.size;
  const subscriptions = Array.from({ length: input.count }, (_, i) =>
    signUp(ctx, input, i, signedUpAt, origin),
  );
  for (const state of [...store.events.values()].slice(firstNewEvent)) {
    state.deliveries = [];
    state.event.pending_webhooks = 0;
  }

  const invoices: string[] = [];
  let renewedAt = now;
  for (const sub of subscriptions) {
    const card = store.cards.get(String(sub.default_payment_method));
    if (card) card.override = { declineCode: input.declineCode };
    const at = Math.min(...sub.items.data.map((item) => item.current_period_end));
    renewedAt = Math.min(renewedAt, at);
    renewSubscription(ctx, sub, at);
    invoices.push(String(sub.latest_invoice));
  }
  return { subscriptions: subscriptions.length, invoices, renewedAt };
}

function signUp(
  ctx: EmulatorContext,
  input: FailedRenewalsInput,
  i: number,
  at: number,
  origin: EventOrigin,
) {
  const details = input.customer(i);
  const customer = buildCustomer({
    id: newId('customer'),
    created: at,
    email: details.email,
    name: details.name,
    phone: details.phone,
    description: null,
    address: details.address,
    metadata: {},
    defaultPaymentMethod: null,
  });
  ctx.store.customers.set(customer.id, customer);
  emitEvent(ctx, 'customer.created', customer, origin, at);
  const pm = materializeTestPaymentMethod(ctx, 'pm_card_authenticationRequiredOnSetup', at);
  if (!pm) throw new Error('stripe-emulator: the 3-D Secure test card is missing');
  attachPaymentMethod(ctx, pm, customer.id, at, origin);
  updateAndEmit(ctx, 'payment_method.updated', pm, origin, at, (p) => {
    p.metadata = { ...input.paymentMethodMetadata };
  });
  updateAndEmit(ctx, 'customer.updated', customer, origin, at, (c) => {
    c.invoice_settings.default_payment_method = pm.id;
  });
  return createSubscription(
    ctx,
    {
      customer: customer.id,
      items: [{ price: input.price, quantity: 1, metadata: {} }],
      defaultPaymentMethod: pm.id,
      description: null,
      metadata: { ...input.subscriptionMetadata },
      paymentBehavior: 'allow_incomplete',
      offSession: false,
      cancelAtPeriodEnd: false,
    },
    at,
    origin,
  );
}
