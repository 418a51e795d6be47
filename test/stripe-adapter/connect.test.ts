import assert from 'node:assert/strict';
import { afterEach, beforeEach, describe, it } from 'node:test';
import type Stripe from 'stripe';
import { createStripeBillingAdapter } from '../../adapters/stripe/stripe-billing-adapter.js';
import { createStripeClient } from '../../adapters/stripe/stripe-config.js';
import { ConfigError } from '../../plugin/core/errors.js';
import {
  type AdapterHarness,
  type ReceivedWebhook,
  startAdapterHarness,
  startWebhookReceiver,
  subscribe,
} from './support.js';

describe('Stripe adapter: Connect', () => {
  let h: AdapterHarness;
  let account: Stripe.Account;
  let onAccount: Stripe;
  beforeEach(async () => {
    h = await startAdapterHarness();
    account = await h.stripe.accounts.create({
      type: 'express',
      country: 'DE',
      capabilities: { card_payments: { requested: true }, transfers: { requested: true } },
    });
    onAccount = createStripeClient({
      secretKey: h.emulator.apiKey,
      apiBase: h.server.url,
      maxNetworkRetries: 0,
      stripeAccount: account.id,
    });
  });
  afterEach(() => h.close());

  it('makes every call of a client built with stripeAccount on that connected account', async () => {
    const { customer, subscription } = await subscribe(onAccount);
    assert.equal((await onAccount.customers.retrieve(customer.id)).id, customer.id);
    await assert.rejects(h.stripe.customers.retrieve(customer.id), { code: 'resource_missing' });

    const adapter = createStripeBillingAdapter({
      stripe: onAccount,
      webhookSecret: 'whsec_x',
      clock: h.clock,
    });
    const invoiceId = String(subscription.latest_invoice);
    const snapshot = await adapter.invoiceStatus(invoiceId);
    assert.equal(snapshot.status, 'paid');
    await assert.rejects(
      createStripeBillingAdapter({
        stripe: h.stripe,
        webhookSecret: 'whsec_x',
        clock: h.clock,
      }).invoiceStatus(invoiceId),
      'the platform key alone does not reach the connected account',
    );
  });

  it('refuses a stripeAccount that is not an account id before any request', () => {
    assert.throws(
      () => createStripeClient({ secretKey: 'sk_test_x', stripeAccount: 'cus_123' }),
      (error: unknown) => error instanceof ConfigError && /acct_/.test(error.message),
    );
  });

  it("returns the verified event's Connect account, and null for the platform's own events", async () => {
    const connectHook = await startWebhookReceiver();
    const plainHook = await startWebhookReceiver();
    try {
      const connectEndpoint = await h.stripe.webhookEndpoints.create({
        url: connectHook.url,
        enabled_events: ['customer.created'],
        connect: true,
      });
      const plainEndpoint = await h.stripe.webhookEndpoints.create({
        url: plainHook.url,
        enabled_events: ['customer.created'],
      });
      await onAccount.customers.create({ email: 'connected@example.com' });
      await h.stripe.customers.create({ email: 'platform@example.com' });
      await h.emulator.deliverPendingWebhooks();

      const verify = (secret: string, received: ReceivedWebhook) =>
        createStripeBillingAdapter({ stripe: h.stripe, webhookSecret: secret, clock: h.clock }).verifyWebhook(
          received.body,
          received.headers,
        );
      const [connected] = connectHook.received;
      const [own] = plainHook.received;
      assert.ok(connected && own);
      assert.equal(verify(connectEndpoint.secret ?? '', connected).account, account.id);
      assert.equal(verify(plainEndpoint.secret ?? '', own).account, null);
      assert.equal(connectHook.received.length, 1);
      assert.equal(plainHook.received.length, 1);
    } finally {
      await connectHook.close();
      await plainHook.close();
    }
  });
});
