import assert from 'node:assert/strict';
import { afterEach, beforeEach, describe, it } from 'node:test';
import type Stripe from 'stripe';
import { type AdapterHarness, passPeriodEnd, setCardBehavior, startAdapterHarness } from './support.js';

/**
 * A subscription that began with a free trial: the customer saved the card with a SetupIntent (and
 * authenticated there), the first invoice asked for nothing, and the first money was asked
 * off-session when the trial ended.
 */
describe('Stripe adapter: a renewal after a free trial', () => {
  let h: AdapterHarness;
  beforeEach(async () => {
    h = await startAdapterHarness();
  });
  afterEach(() => h.close());

  async function trialSubscriber() {
    const customer = await h.stripe.customers.create({ email: 'ada@example.com', name: 'Ada Lovelace' });
    const setup = await h.stripe.setupIntents.create({
      customer: customer.id,
      payment_method: 'pm_card_authenticationRequiredSetupForOffSession',
      usage: 'off_session',
      confirm: true,
    });
    const paymentMethodId = String(setup.payment_method);
    await h.stripe.customers.update(customer.id, {
      invoice_settings: { default_payment_method: paymentMethodId },
    });
    const price = await h.stripe.prices.create({
      currency: 'eur',
      unit_amount: 2900,
      recurring: { interval: 'month' },
      product_data: { name: 'Pro plan' },
    });
    const subscription = await h.stripe.subscriptions.create({
      customer: customer.id,
      items: [{ price: price.id }],
      trial_period_days: 14,
    });
    return { customer, setup, paymentMethodId, subscription };
  }

  it('starts trialing, with a paid first invoice of 0 and no payment', async () => {
    const { setup, subscription, customer, paymentMethodId } = await trialSubscriber();
    assert.equal(setup.status, 'succeeded');
    assert.equal(subscription.status, 'trialing');
    assert.equal((subscription.trial_end ?? 0) - (subscription.trial_start ?? 0), 14 * 86_400);
    const first = await h.stripe.invoices.retrieve(String(subscription.latest_invoice));
    assert.equal(first.billing_reason, 'subscription_create');
    assert.equal(first.status, 'paid');
    assert.equal(first.amount_due, 0);
    assert.deepEqual((await h.stripe.invoicePayments.list({ invoice: first.id })).data, []);
    const pm = await h.stripe.paymentMethods.retrieve(paymentMethodId);
    assert.equal(pm.customer, customer.id);
  });

  it('takes the 3-D Secure of the card setup, where the customer authenticated', async () => {
    const { setup, subscription, paymentMethodId } = await trialSubscriber();
    await setCardBehavior(h, paymentMethodId, 'insufficient_funds');
    await passPeriodEnd(h, subscription.id);
    const renewal = (await h.stripe.invoices.list({ subscription: subscription.id })).data.find(
      (invoice) => invoice.billing_reason === 'subscription_cycle',
    );
    assert.ok(renewal);
    assert.equal(renewal.amount_due, 2900);
    assert.equal(renewal.status, 'open');

    const failure = await h.adapter.loadRenewalFailure(renewal.id);
    const [attempt] = (await h.stripe.setupAttempts.list({ setup_intent: setup.id })).data;
    const tds = (attempt as Stripe.SetupAttempt).payment_method_details.card?.three_d_secure;
    assert.ok(attempt && tds);
    assert.equal(failure.subscription.paymentNumber, 1, 'the trial’s invoice of 0 is no payment');
    assert.equal(failure.failedPayment.declineCode, 'insufficient_funds');
    assert.deepEqual(failure.originalAuthentication, {
      source: { kind: 'setup', id: attempt.id },
      networkTransactionId: null,
      threeDSecure: {
        version: '2.2.0',
        eci: '05',
        result: 'authenticated',
        resultReason: null,
        authenticationFlow: 'challenge',
        dsTransactionId: tds.transaction_id,
        xid: null,
      },
    });
  });

  it('does not take the setup of another card', async () => {
    const { subscription, customer } = await trialSubscriber();
    const other = await h.stripe.paymentMethods.attach('pm_card_mastercard', { customer: customer.id });
    await h.stripe.customers.update(customer.id, { invoice_settings: { default_payment_method: other.id } });
    await setCardBehavior(h, other.id, 'insufficient_funds');
    await passPeriodEnd(h, subscription.id);
    const [renewal] = (await h.stripe.invoices.list({ subscription: subscription.id })).data;
    assert.ok(renewal);
    const failure = await h.adapter.loadRenewalFailure(renewal.id);
    assert.equal(failure.card?.paymentMethodId, other.id);
    assert.equal(failure.originalAuthentication, null);
  });
});
