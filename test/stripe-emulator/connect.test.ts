import assert from 'node:assert/strict';
import { afterEach, beforeEach, describe, it } from 'node:test';
import Stripe from 'stripe';
import { type Harness, startHarness, startWebhookReceiver, subscribe } from './support.js';

/** The real SDK on the emulator with another key and/or a connected account for every call. */
function clientFor(h: Harness, key: string, stripeAccount?: string): Stripe {
  return new Stripe(key, {
    host: '127.0.0.1',
    port: h.server.port,
    protocol: 'http',
    maxNetworkRetries: 0,
    ...(stripeAccount ? { stripeAccount } : {}),
  });
}

async function control(h: Harness, path: string, body: unknown, headers: Record<string, string> = {}) {
  const response = await fetch(`${h.server.url}/_emulator/${path}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body: JSON.stringify(body),
  });
  return { status: response.status, body: (await response.json()) as Record<string, unknown> };
}

async function connectedAccount(h: Harness): Promise<Stripe.Account> {
  return h.stripe.accounts.create({
    type: 'express',
    country: 'DE',
    email: 'merchant@example.com',
    capabilities: { card_payments: { requested: true }, transfers: { requested: true } },
    metadata: { partner_merchant: 'm-1' },
  });
}

describe('Stripe emulator: Connect and separate accounts', () => {
  let h: Harness;
  beforeEach(async () => {
    h = await startHarness();
  });
  afterEach(() => h.close());

  it('creates, retrieves and lists connected accounts of the platform', async () => {
    const account = await connectedAccount(h);
    assert.match(account.id, /^acct_1[A-Za-z0-9]{15}$/);
    assert.equal(account.object, 'account');
    assert.equal(account.type, 'express');
    assert.equal(account.country, 'DE');
    assert.equal(account.default_currency, 'eur');
    assert.equal(account.charges_enabled, true);
    assert.deepEqual(account.capabilities, { card_payments: 'active', transfers: 'active' });
    assert.equal(account.controller?.type, 'application');
    assert.deepEqual(account.metadata, { partner_merchant: 'm-1' });
    assert.deepEqual(await h.stripe.accounts.retrieve(account.id), account);
    const list = await h.stripe.accounts.list();
    assert.deepEqual(
      list.data.map((a) => a.id),
      [account.id],
    );

    const platform = await h.stripe.accounts.retrieveCurrent();
    assert.equal(platform.id, h.emulator.accountId);
    assert.equal(platform.controller?.type, 'account');
    const self = await h.stripe.accounts.retrieveCurrent({}, { stripeAccount: account.id });
    assert.equal(self.id, account.id);
  });

  it('refuses account parameters Stripe refuses', async () => {
    await assert.rejects(h.stripe.accounts.create({ type: 'custom', country: 'US' }), {
      type: 'StripeInvalidRequestError',
      param: 'capabilities',
    });
    await assert.rejects(
      h.stripe.accounts.create({ type: 'standard', controller: { fees: { payer: 'account' } } }),
      { type: 'StripeInvalidRequestError', param: 'controller' },
    );
    await assert.rejects(
      h.stripe.accounts.create({ type: 'standard', tos_shown_and_accepted: true } as never),
      {
        code: 'parameter_unknown',
      },
    );
    const connected = await connectedAccount(h);
    await assert.rejects(h.stripe.accounts.create({ type: 'standard' }, { stripeAccount: connected.id }), {
      type: 'StripeInvalidRequestError',
    });
  });

  it("keeps a connected account's objects apart from the platform's, both ways", async () => {
    const account = await connectedAccount(h);
    const onAccount = clientFor(h, h.emulator.apiKey, account.id);
    const { customer, subscription } = await subscribe(onAccount);
    assert.equal(subscription.status, 'active');
    const viaOption = await h.stripe.subscriptions.retrieve(
      subscription.id,
      {},
      { stripeAccount: account.id },
    );
    assert.equal(viaOption.id, subscription.id);

    await assert.rejects(h.stripe.customers.retrieve(customer.id), {
      type: 'StripeInvalidRequestError',
      code: 'resource_missing',
      statusCode: 404,
    });
    await assert.rejects(h.stripe.subscriptions.retrieve(subscription.id), { code: 'resource_missing' });
    assert.equal((await h.stripe.invoices.list()).data.length, 0);
    assert.equal((await onAccount.invoices.list()).data.length, 1);

    const platformCustomer = await h.stripe.customers.create({ email: 'own@example.com' });
    await assert.rejects(onAccount.customers.retrieve(platformCustomer.id), { code: 'resource_missing' });
    assert.deepEqual(
      (await onAccount.customers.list()).data.map((c) => c.id),
      [customer.id],
    );
    const events = await onAccount.events.list({ limit: 100 });
    assert.ok(events.data.length > 0);
    assert.ok(events.data.every((e) => e.account === account.id));
    assert.ok((await h.stripe.events.list({ limit: 100 })).data.every((e) => e.account === undefined));
  });

  it('refuses an unknown or unconnected account as Stripe does: 403 account_invalid', async () => {
    const unknown = 'acct_1UnknownAccount0';
    const error = await h.stripe.customers.list({}, { stripeAccount: unknown }).then(
      () => assert.fail('expected a refusal'),
      (e: unknown) => e,
    );
    assert.ok(error instanceof Stripe.errors.StripePermissionError);
    assert.equal(error.statusCode, 403);
    assert.equal(error.code, 'account_invalid');
    assert.equal(error.raw && (error.raw as { type?: string }).type, 'invalid_request_error');
    assert.match(error.message, /does not have access to account 'acct_1UnknownAccount0'/);
    assert.doesNotMatch(error.message, /sk_test_emulator/, 'the key is masked');
    await assert.rejects(h.stripe.accounts.retrieve(unknown), { statusCode: 403, code: 'account_invalid' });

    const standalone = h.emulator.createStandaloneAccount();
    const other = clientFor(h, standalone.apiKey);
    const connected = await connectedAccount(h);
    await assert.rejects(other.customers.list({}, { stripeAccount: connected.id }), {
      statusCode: 403,
      code: 'account_invalid',
    });
    await assert.rejects(h.stripe.customers.list({}, { stripeAccount: standalone.id }), {
      statusCode: 403,
      code: 'account_invalid',
    });
  });

  it("sends a connected account's invoice.payment_failed to the Connect endpoint only, with account set", async () => {
    const connectHook = await startWebhookReceiver();
    const plainHook = await startWebhookReceiver();
    try {
      const connectEndpoint = await h.stripe.webhookEndpoints.create({
        url: connectHook.url,
        enabled_events: ['invoice.payment_failed', 'customer.created'],
        connect: true,
      });
      const plainEndpoint = await h.stripe.webhookEndpoints.create({
        url: plainHook.url,
        enabled_events: ['invoice.payment_failed', 'customer.created'],
      });
      assert.equal('connect' in connectEndpoint, false, "Stripe's endpoint object has no connect field");
      const account = await connectedAccount(h);
      const onAccount = clientFor(h, h.emulator.apiKey, account.id);
      const { subscription, paymentMethod } = await subscribe(onAccount);
      const behavior = await control(
        h,
        `payment_methods/${paymentMethod.id}/behavior`,
        { decline_code: 'insufficient_funds' },
        { 'stripe-account': account.id },
      );
      assert.equal(behavior.status, 200);
      await h.stripe.customers.create({ email: 'platform-own@example.com' });
      const advanced = await control(h, 'clock/advance', { seconds: 31 * 86_400 });
      assert.equal(advanced.status, 200);
      await h.emulator.deliverPendingWebhooks();

      const connectEvents = connectHook.received.map((r) =>
        h.stripe.webhooks.constructEvent(
          r.body,
          String(r.headers['stripe-signature']),
          connectEndpoint.secret ?? '',
        ),
      );
      const failed = connectEvents.find((e) => e.type === 'invoice.payment_failed');
      assert.ok(failed, 'the Connect endpoint got the renewal failure');
      assert.equal(failed.account, account.id);
      const invoice = failed.data.object as Stripe.Invoice;
      assert.equal(invoice.parent?.subscription_details?.subscription, subscription.id);
      assert.ok(
        connectEvents.every((e) => e.account === account.id),
        'no platform event on the Connect endpoint',
      );

      const plainEvents = plainHook.received.map((r) =>
        h.stripe.webhooks.constructEvent(
          r.body,
          String(r.headers['stripe-signature']),
          plainEndpoint.secret ?? '',
        ),
      );
      assert.deepEqual(
        plainEvents.map((e) => [e.type, e.account]),
        [['customer.created', undefined]],
        "the plain endpoint gets only the platform's own events",
      );
      const record = h.emulator.events.find((e) => e.id === failed.id);
      assert.equal(record?.accountId, account.id);
    } finally {
      await connectHook.close();
      await plainHook.close();
    }
  });

  it("gives a standalone account's key only that account's objects", async () => {
    const created = await control(h, 'accounts', {});
    assert.equal(created.status, 200);
    const standaloneKey = String(created.body.secret_key);
    assert.match(standaloneKey, /^sk_test_/);
    assert.notEqual(standaloneKey, h.emulator.apiKey);
    const other = clientFor(h, standaloneKey);
    assert.equal((await other.accounts.retrieveCurrent()).id, created.body.id);

    const theirs = await subscribe(other);
    const ours = await h.stripe.customers.create({ email: 'platform@example.com' });
    assert.deepEqual(
      (await other.customers.list()).data.map((c) => c.id),
      [theirs.customer.id],
    );
    await assert.rejects(h.stripe.customers.retrieve(theirs.customer.id), { code: 'resource_missing' });
    await assert.rejects(other.customers.retrieve(ours.id), { code: 'resource_missing' });
    assert.equal((await other.accounts.list()).data.length, 0);

    const state = (await (
      await fetch(`${h.server.url}/_emulator/state?account=${created.body.id}`)
    ).json()) as { account: string; subscriptions: Array<{ id: string }> };
    assert.equal(state.account, created.body.id);
    assert.deepEqual(
      state.subscriptions.map((s) => s.id),
      [theirs.subscription.id],
    );
    const listing = (await (await fetch(`${h.server.url}/_emulator/accounts`)).json()) as {
      data: Array<{ id: string; kind: string }>;
    };
    assert.deepEqual(
      listing.data.map((a) => a.kind),
      ['platform', 'standalone'],
    );
  });

  it('bills every account when the shared clock moves', async () => {
    const account = await connectedAccount(h);
    const onAccount = clientFor(h, h.emulator.apiKey, account.id);
    const other = clientFor(h, h.emulator.createStandaloneAccount().apiKey);
    const subs = [await subscribe(h.stripe), await subscribe(onAccount), await subscribe(other)];
    await control(h, 'clock/advance', { seconds: 31 * 86_400 });
    const clients = [h.stripe, onAccount, other];
    for (const [i, { subscription }] of subs.entries()) {
      const invoices = await clients[i]?.invoices.list({ subscription: subscription.id });
      assert.deepEqual(
        invoices?.data.map((inv) => inv.billing_reason),
        ['subscription_cycle', 'subscription_create'],
        `account ${i} renewed`,
      );
    }
  });

  it('keeps idempotency keys per account', async () => {
    const account = await connectedAccount(h);
    const key = 'create-customer-1';
    const onPlatform = await h.stripe.customers.create({ email: 'a@example.com' }, { idempotencyKey: key });
    const onAccount = await h.stripe.customers.create(
      { email: 'a@example.com' },
      { idempotencyKey: key, stripeAccount: account.id },
    );
    assert.notEqual(onAccount.id, onPlatform.id, 'the same key on another account is a new request');
    const replay = await h.stripe.customers.create(
      { email: 'a@example.com' },
      { idempotencyKey: key, stripeAccount: account.id },
    );
    assert.equal(replay.id, onAccount.id);
    await assert.rejects(
      h.stripe.customers.create(
        { email: 'b@example.com' },
        { idempotencyKey: key, stripeAccount: account.id },
      ),
      Stripe.errors.StripeIdempotencyError,
    );
  });

  it("injects a fault on one account's requests only", async () => {
    const account = await connectedAccount(h);
    const armed = await control(
      h,
      'faults',
      { path: '/v1/customers', method: 'POST', status: 500 },
      { 'stripe-account': account.id },
    );
    assert.equal(armed.status, 200);
    await h.stripe.customers.create({ email: 'platform@example.com' });
    await assert.rejects(
      h.stripe.customers.create({ email: 'x@example.com' }, { stripeAccount: account.id }),
      Stripe.errors.StripeAPIError,
    );
    await h.stripe.customers.create({ email: 'x@example.com' }, { stripeAccount: account.id });
  });
});
