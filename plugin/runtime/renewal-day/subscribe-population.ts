import type Stripe from 'stripe';
import { FLEXCHARGE_NEVER_RESCUED_PAN, FLEXCHARGE_RESCUED_PAN } from '../local-subscriber.js';
import type { RunningPlugin } from '../start-plugin.js';
import type { DemoMerchant } from './demo-merchant.js';
import { type DemoCustomer, PLANS } from './population.js';

/** How many customers are signed up at once: enough to keep both emulators busy, few enough for PGlite. */
export const SUBSCRIBE_CONCURRENCY = 20;

export interface SubscribedCustomer {
  readonly customer: DemoCustomer;
  readonly customerId: string;
  readonly paymentMethodId: string;
  readonly subscriptionId: string;
}

/** Runs `work` over `items`, at most `limit` at a time, results in item order. */
export async function inPool<T, R>(
  items: readonly T[],
  limit: number,
  work: (item: T) => Promise<R>,
): Promise<R[]> {
  const results = new Array<R>(items.length);
  let next = 0;
  const runner = async () => {
    while (next < items.length) {
      const at = next++;
      results[at] = await work(items[at] as T);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, runner));
  return results;
}

/** One monthly price per plan, in the emulator. */
export async function createPlanPrices(stripe: Stripe): Promise<Map<string, string>> {
  const prices = new Map<string, string>();
  for (const plan of PLANS) {
    const price = await stripe.prices.create({
      currency: plan.currency,
      unit_amount: plan.amount,
      recurring: { interval: 'month' },
      product_data: { name: plan.name },
    });
    prices.set(plan.key, price.id);
  }
  return prices;
}

/**
 * What the merchant's checkout did for one customer, a month before the renewal day: the first
 * payment passed 3-D Secure; the card was tokenized with FlexCharge (unless this customer's never
 * was) and the token left in the payment method's metadata; the subscription names its site. A
 * customer whose renewal is to be declined gets the emulator's decline behaviour on the card now:
 * the first payment is behind them, so only the renewal (and Stripe's own retries) decline.
 */
export async function subscribeDemoCustomer(
  plugin: RunningPlugin,
  merchant: DemoMerchant,
  prices: ReadonlyMap<string, string>,
  customer: DemoCustomer,
  /** Idempotency keys are this plus what is created: a sign-up played again creates nothing twice. */
  keyPrefix: string,
): Promise<SubscribedCustomer> {
  const stripe = plugin.stripe.stripe;
  // The FlexCharge token does not depend on Stripe: asked for while Stripe signs the customer up.
  const token: Promise<string | null> = customer.tokenized
    ? tokenizeWithFlexCharge(plugin, customer)
    : Promise.resolve(null);
  const test = 'pm_card_authenticationRequiredOnSetup';
  const created = await stripe.customers.create(
    {
      email: customer.email,
      name: `${customer.firstName} ${customer.lastName}`,
      address: customer.address,
      payment_method: test,
      invoice_settings: { default_payment_method: test },
    },
    { idempotencyKey: `${keyPrefix}-customer` },
  );
  const paymentMethodId = created.invoice_settings.default_payment_method as string;
  const subscription = await stripe.subscriptions.create(
    {
      customer: created.id,
      items: [{ price: prices.get(customer.plan.key) as string }],
      metadata: { [merchant.siteMetadataKey]: merchant.siteMetadata[customer.site] },
    },
    { idempotencyKey: `${keyPrefix}-subscription` },
  );
  const { fate } = customer;
  await Promise.all([
    token.then((t) =>
      t ? stripe.paymentMethods.update(paymentMethodId, { metadata: { flexcharge_token: t } }) : null,
    ),
    fate.kind === 'declined' ? setDeclineBehavior(plugin, paymentMethodId, fate.declineCode) : null,
  ]);
  return {
    customer,
    customerId: created.id,
    paymentMethodId,
    subscriptionId: subscription.id,
  };
}

/** The card's FlexCharge token: one FlexCharge rescues, or one it never does, as the customer's fate says. */
async function tokenizeWithFlexCharge(plugin: RunningPlugin, customer: DemoCustomer): Promise<string> {
  const client = plugin.flexcharge.client;
  if (!client) throw new Error('FlexCharge is not configured');
  const rescuable = customer.fate.kind === 'paid' || customer.fate.rescuable;
  const { token } = await client.tokenize({
    payment_method: {
      credit_card: {
        first_name: customer.firstName,
        last_name: customer.lastName,
        number: rescuable ? FLEXCHARGE_RESCUED_PAN : FLEXCHARGE_NEVER_RESCUED_PAN,
        month: '12',
        year: '2030',
      },
    },
  });
  return token;
}

/** The emulator's control route: from now on, charges of this card decline with `declineCode`. */
async function setDeclineBehavior(plugin: RunningPlugin, paymentMethodId: string, declineCode: string) {
  const response = await fetch(
    `${plugin.stripe.emulator?.url}/_emulator/payment_methods/${paymentMethodId}/behavior`,
    {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ decline_code: declineCode }),
    },
  );
  if (!response.ok)
    throw new Error(`emulator behaviour refused: ${response.status} ${await response.text()}`);
}

/** The customer updates their card and pays the open renewal invoice themselves, during the hold. */
export async function payRenewalThemselves(plugin: RunningPlugin, subscribed: SubscribedCustomer) {
  const stripe = plugin.stripe.stripe;
  const [invoice] = (await stripe.invoices.list({ subscription: subscribed.subscriptionId, limit: 1 })).data;
  if (invoice?.status !== 'open' || !invoice.id) return false;
  const card = await stripe.paymentMethods.attach('pm_card_visa', { customer: subscribed.customerId });
  await stripe.invoices.pay(invoice.id, { payment_method: card.id });
  return true;
}
