import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import Stripe from 'stripe';
import { type Harness, startHarness } from './support.js';

describe('Stripe emulator: restricted keys and the events list filters', () => {
  let h: Harness;
  before(async () => {
    h = await startHarness();
  });
  after(() => h.close());

  const clientFor = (key: string) =>
    new Stripe(key, { host: '127.0.0.1', port: h.server.port, protocol: 'http', maxNetworkRetries: 0 });

  it('lets a restricted key do what its permissions allow, and answers 403 for the rest', async () => {
    const key = h.emulator.createRestrictedKey({ webhook_endpoints: 'read', customers: 'write' });
    assert.match(key, /^rk_test_/);
    const restricted = clientFor(key);
    const customer = await restricted.customers.create({ email: 'rk@example.com' });
    assert.equal((await h.stripe.customers.retrieve(customer.id)).id, customer.id, 'same account');
    assert.deepEqual((await restricted.webhookEndpoints.list()).object, 'list');

    await assert.rejects(
      restricted.webhookEndpoints.create({ url: 'https://example.com/hook', enabled_events: ['*'] }),
      (error: Stripe.errors.StripeError) => {
        assert.ok(error instanceof Stripe.errors.StripePermissionError);
        assert.equal(error.statusCode, 403);
        assert.match(error.message, /does not have the required permissions for this endpoint on account/);
        assert.match(error.message, /'rak_webhook_endpoints_write'/);
        assert.ok(!error.message.includes(key), 'the key is masked');
        assert.ok(error.message.includes(key.slice(-4)));
        return true;
      },
    );
    // Refused before the object is looked up: a write to an id no object has is 403, not 404.
    await assert.rejects(
      restricted.invoices.update('in_doesnotexist', { metadata: { a: 'b' } }),
      Stripe.errors.StripePermissionError,
    );
    await assert.rejects(restricted.events.list(), Stripe.errors.StripePermissionError);
    assert.deepEqual((await h.stripe.webhookEndpoints.list()).data, [], 'nothing was created');
  });

  it('makes restricted keys over the control route, for the platform or a named account', async () => {
    const other = h.emulator.createStandaloneAccount();
    const response = await fetch(`${h.server.url}/_emulator/restricted_keys?account=${other.id}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ permissions: { account: 'read' } }),
    });
    assert.equal(response.status, 200);
    const made = (await response.json()) as { account: string; secret_key: string };
    assert.equal(made.account, other.id);
    const account = (await clientFor(made.secret_key).rawRequest('GET', '/v1/account')) as { id: string };
    assert.equal(account.id, other.id);

    const bad = await fetch(`${h.server.url}/_emulator/restricted_keys`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ permissions: { invoices: 'admin' } }),
    });
    assert.equal(bad.status, 400);
  });

  it('filters events by created, as a range or an exact time, and pages through them', async () => {
    const first = await h.stripe.customers.create({ email: 'a@example.com' });
    h.clock.set(h.clock.now().getTime() + 3_600_000);
    const boundary = Math.floor(h.clock.now().getTime() / 1000);
    const second = await h.stripe.customers.create({ email: 'b@example.com' });
    const third = await h.stripe.customers.create({ email: 'c@example.com' });

    const since = await h.stripe.events.list({ type: 'customer.created', created: { gte: boundary } });
    assert.deepEqual(
      since.data.map((e) => (e.data.object as Stripe.Customer).id),
      [third.id, second.id],
    );
    const before = await h.stripe.events.list({ type: 'customer.created', created: { lt: boundary } });
    assert.ok(before.data.some((e) => (e.data.object as Stripe.Customer).id === first.id));
    assert.ok(before.data.every((e) => e.created < boundary));
    const exact = await h.stripe.events.list({ type: 'customer.created', created: boundary });
    assert.equal(exact.data.length, 2);

    const paged: string[] = [];
    for await (const event of h.stripe.events.list({
      type: 'customer.created',
      created: { gte: boundary },
      limit: 1,
    }))
      paged.push(event.id);
    assert.deepEqual(
      paged,
      since.data.map((e) => e.id),
    );
    await assert.rejects(
      h.stripe.events.list({ created: { after: 1 } } as never),
      Stripe.errors.StripeInvalidRequestError,
    );
  });
});
