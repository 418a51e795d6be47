import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import Stripe from 'stripe';
import { type Harness, startHarness } from './support.js';

describe('Stripe emulator: API errors, idempotency and auth', () => {
  let h: Harness;
  before(async () => {
    h = await startHarness();
  });
  after(() => h.close());

  const isStripeError =
    (type: string, code?: string, param?: string) => (error: Stripe.errors.StripeError) => {
      assert.equal(error.type, type);
      if (code) assert.equal(error.code, code);
      if (param) assert.equal(error.param, param);
      return true;
    };

  it('answers an unknown parameter with 400 parameter_unknown, surfaced as StripeInvalidRequestError', async () => {
    await assert.rejects(
      h.stripe.customers.create({ emial: 'typo@example.com' } as Stripe.CustomerCreateParams),
      (error: Stripe.errors.StripeError) => {
        assert.ok(error instanceof Stripe.errors.StripeInvalidRequestError);
        assert.equal(error.statusCode, 400);
        assert.equal(error.code, 'parameter_unknown');
        assert.equal(error.param, 'emial');
        assert.equal(error.message, 'Received unknown parameter: emial');
        return true;
      },
    );
    await assert.rejects(
      h.stripe.subscriptions.create({
        customer: 'cus_x',
        items: [{ price: 'price_x', colour: 'red' }],
      } as never),
      isStripeError('StripeInvalidRequestError', 'parameter_unknown', 'items[0][colour]'),
    );
  });

  it('answers a missing required parameter with parameter_missing', async () => {
    await assert.rejects(
      h.stripe.subscriptions.create({ items: [{ price: 'price_x' }] } as Stripe.SubscriptionCreateParams),
      isStripeError('StripeInvalidRequestError', 'parameter_missing', 'customer'),
    );
  });

  it('answers malformed values the way Stripe does', async () => {
    await assert.rejects(
      h.stripe.prices.create({
        currency: 'eur',
        unit_amount: 'lots' as unknown as number,
        product_data: { name: 'x' },
      }),
      isStripeError('StripeInvalidRequestError', 'parameter_invalid_integer', 'unit_amount'),
    );
    await assert.rejects(
      h.stripe.subscriptions.list({ status: 'sleeping' as Stripe.SubscriptionListParams.Status }),
      /Invalid status: must be one of/,
    );
  });

  it('answers an unknown id with 404 resource_missing', async () => {
    await assert.rejects(
      h.stripe.invoices.retrieve('in_doesnotexist'),
      (error: Stripe.errors.StripeError) => {
        assert.equal(error.statusCode, 404);
        assert.equal(error.code, 'resource_missing');
        assert.equal(error.message, "No such invoice: 'in_doesnotexist'");
        return true;
      },
    );
    const response = await fetch(`${h.server.url}/v1/nothing_here`, {
      headers: { authorization: `Bearer ${h.emulator.apiKey}` },
    });
    assert.equal(response.status, 404);
    assert.match(
      ((await response.json()) as { error: { message: string } }).error.message,
      /Unrecognized request URL/,
    );
  });

  it('replays the stored response for a repeated Idempotency-Key with the same parameters', async () => {
    const first = await h.stripe.customers.create(
      { email: 'once@example.com' },
      { idempotencyKey: 'create-once' },
    );
    const again = await h.stripe.customers.create(
      { email: 'once@example.com' },
      { idempotencyKey: 'create-once' },
    );
    assert.equal(again.id, first.id);
    assert.equal(again.lastResponse.headers['idempotent-replayed'], 'true');
    assert.equal(
      h.emulator.events.filter((e) => e.type === 'customer.created' && e.objectId === first.id).length,
      1,
    );
    const listed = await h.stripe.customers.list({ email: 'once@example.com' });
    assert.equal(listed.data.length, 1);
  });

  it('rejects a repeated Idempotency-Key with different parameters as an idempotency_error', async () => {
    await h.stripe.customers.create({ email: 'a@example.com' }, { idempotencyKey: 'reused-key' });
    await assert.rejects(
      h.stripe.customers.create({ email: 'b@example.com' }, { idempotencyKey: 'reused-key' }),
      (error: Stripe.errors.StripeError) => {
        assert.ok(error instanceof Stripe.errors.StripeIdempotencyError);
        assert.equal(error.statusCode, 400);
        assert.match(error.message, /same parameters/);
        return true;
      },
    );
    await assert.rejects(
      h.stripe.products.create({ name: 'x' }, { idempotencyKey: 'reused-key' }),
      (error: Stripe.errors.StripeError) =>
        error.type === 'StripeIdempotencyError' && /same endpoint/.test(error.message),
    );
  });

  it('does not keep a result for a request that failed validation, so its key can be reused', async () => {
    await assert.rejects(h.stripe.customers.create({ bogus: 1 } as never, { idempotencyKey: 'after-typo' }));
    const created = await h.stripe.customers.create(
      { email: 'fixed@example.com' },
      { idempotencyKey: 'after-typo' },
    );
    assert.match(created.id, /^cus_/);
  });

  it('rejects a wrong API key with StripeAuthenticationError', async () => {
    const wrong = new Stripe('sk_test_wrongkey123456', {
      host: '127.0.0.1',
      port: h.server.port,
      protocol: 'http',
      maxNetworkRetries: 0,
    });
    await assert.rejects(wrong.customers.list(), (error: Stripe.errors.StripeError) => {
      assert.ok(error instanceof Stripe.errors.StripeAuthenticationError);
      assert.equal(error.statusCode, 401);
      assert.equal(error.message, 'Invalid API Key provided: sk_test_**********3456');
      return true;
    });
  });
});
