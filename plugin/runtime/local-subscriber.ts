import type Stripe from 'stripe';
import type { RunningPlugin } from './start-plugin.js';

/** FlexCharge sandbox test cards: one it rescues, one it never does (see its README's rule table). */
export const FLEXCHARGE_RESCUED_PAN = '4000002760003184';
export const FLEXCHARGE_NEVER_RESCUED_PAN = '4000300011112220';

export interface LocalSubscriber {
  customer: Stripe.Customer;
  paymentMethod: Stripe.PaymentMethod;
  price: Stripe.Price;
  subscription: Stripe.Subscription;
}

/**
 * Makes `paymentMethodId` the customer's default and subscribes them to a new EUR 29.00 monthly
 * Pro plan; Stripe charges the first invoice at once.
 */
export async function subscribeMonthly(
  stripe: Stripe,
  customerId: string,
  paymentMethodId: string,
  metadata: Record<string, string> = {},
): Promise<{ price: Stripe.Price; subscription: Stripe.Subscription }> {
  await stripe.customers.update(customerId, {
    invoice_settings: { default_payment_method: paymentMethodId },
  });
  const price = await stripe.prices.create({
    currency: 'eur',
    unit_amount: 2900,
    recurring: { interval: 'month' },
    product_data: { name: 'Pro plan' },
  });
  const subscription = await stripe.subscriptions.create({
    customer: customerId,
    items: [{ price: price.id }],
    metadata,
  });
  return { price, subscription };
}

/**
 * What a merchant's checkout does, against the local Stripe emulator and FlexCharge sandbox: a
 * customer pays the first month of a €29 plan with a card that passes 3-D Secure, and the same card
 * is tokenized with FlexCharge and registered with the plugin (admin API) or in the payment method's
 * metadata, so a later declined renewal can be rescued.
 */
export async function subscribeLocalCustomer(
  plugin: RunningPlugin,
  options: { adminToken?: string; flexchargePan?: string; register?: 'admin' | 'metadata' | 'none' } = {},
): Promise<LocalSubscriber> {
  const stripe = plugin.stripe.stripe;
  const customer = await stripe.customers.create({
    email: 'jenny@example.com',
    name: 'Jenny Rosen',
    phone: '+33 1 23 45 67 89',
    address: { line1: '1 Rue de Rivoli', city: 'Paris', postal_code: '75001', country: 'FR' },
  });
  const paymentMethod = await stripe.paymentMethods.attach('pm_card_authenticationRequiredOnSetup', {
    customer: customer.id,
  });
  const { price, subscription } = await subscribeMonthly(stripe, customer.id, paymentMethod.id);

  const register = options.register ?? 'admin';
  if (register !== 'none') {
    const client = plugin.flexcharge.client;
    if (!client) throw new Error('FlexCharge is not configured');
    const { token } = await client.tokenize({
      payment_method: {
        credit_card: {
          first_name: 'Jenny',
          last_name: 'Rosen',
          number: options.flexchargePan ?? FLEXCHARGE_RESCUED_PAN,
          month: '12',
          year: '2030',
        },
      },
    });
    if (register === 'metadata') {
      await stripe.paymentMethods.update(paymentMethod.id, { metadata: { flexcharge_token: token } });
    } else {
      const response = await fetch(`${plugin.url}/admin/card-tokens/stripe/${paymentMethod.id}`, {
        method: 'PUT',
        headers: { authorization: `Bearer ${options.adminToken}`, 'content-type': 'application/json' },
        body: JSON.stringify({ token }),
      });
      if (response.status !== 204)
        throw new Error(`token registration failed: ${response.status} ${await response.text()}`);
    }
  }
  return { customer, paymentMethod, price, subscription };
}
