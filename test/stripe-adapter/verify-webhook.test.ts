import assert from 'node:assert/strict';
import { afterEach, beforeEach, describe, it } from 'node:test';
import { createStripeBillingAdapter } from '../../adapters/stripe/stripe-billing-adapter.js';
import { SignatureError } from '../../plugin/core/errors.js';
import { type AdapterHarness, startAdapterHarness, startWebhookReceiver, WEBHOOK_SECRET } from './support.js';

describe('Stripe adapter: verifyWebhook', () => {
  let h: AdapterHarness;
  let receiver: Awaited<ReturnType<typeof startWebhookReceiver>>;
  beforeEach(async () => {
    h = await startAdapterHarness();
    receiver = await startWebhookReceiver();
  });
  afterEach(async () => {
    await h.close();
    await receiver.close();
  });

  const nowSeconds = () => Math.floor(h.clock.now().getTime() / 1000);
  const sign = (payload: string, secret = WEBHOOK_SECRET, timestamp = nowSeconds()) =>
    h.stripe.webhooks.generateTestHeaderString({ payload, secret, timestamp });
  const event = JSON.stringify({
    id: 'evt_test_1',
    object: 'event',
    type: 'invoice.paid',
    created: 1_768_478_400,
    request: { id: null, idempotency_key: null },
    data: { object: { id: 'in_1', object: 'invoice' } },
  });

  it('accepts an event the emulator delivered, checking the raw bytes against the endpoint secret', async () => {
    const endpoint = await h.stripe.webhookEndpoints.create({
      url: receiver.url,
      enabled_events: ['customer.created'],
    });
    const adapter = createStripeBillingAdapter({
      stripe: h.stripe,
      webhookSecret: endpoint.secret ?? '',
      clock: h.clock,
    });
    const customer = await h.stripe.customers.create({ email: 'hook@example.com' });
    await h.emulator.deliverPendingWebhooks();
    const [delivery] = receiver.received;
    assert.ok(delivery);

    const verified = adapter.verifyWebhook(delivery.body, delivery.headers);
    const record = h.emulator.events.find((e) => e.type === 'customer.created');
    assert.equal(verified.id, record?.id);
    assert.equal(verified.type, 'customer.created');
    assert.equal(verified.createdAt.getTime(), (record?.created ?? 0) * 1000);
    assert.equal((verified.payload as { data: { object: { id: string } } }).data.object.id, customer.id);
  });

  it('accepts an event signed with generateTestHeaderString, whatever the header name’s case', () => {
    const verified = h.adapter.verifyWebhook(Buffer.from(event), { 'Stripe-Signature': sign(event) });
    assert.deepEqual(
      { id: verified.id, type: verified.type, createdAt: verified.createdAt.toISOString() },
      { id: 'evt_test_1', type: 'invoice.paid', createdAt: '2026-01-15T12:00:00.000Z' },
    );
  });

  it('refuses a tampered body with SignatureError', () => {
    const header = sign(event);
    const tampered = event.replace('in_1', 'in_2');
    assert.throws(
      () => h.adapter.verifyWebhook(Buffer.from(tampered), { 'stripe-signature': header }),
      (error: unknown) =>
        error instanceof SignatureError &&
        /No signatures found matching the expected signature/.test(error.message),
    );
  });

  it('refuses a signature made with another secret', () => {
    assert.throws(
      () => h.adapter.verifyWebhook(Buffer.from(event), { 'stripe-signature': sign(event, 'whsec_other') }),
      SignatureError,
    );
  });

  it('measures the 300 s tolerance against the injected clock, not the wall clock', () => {
    const signedAt = nowSeconds();
    const header = sign(event, WEBHOOK_SECRET, signedAt);
    h.clock.advance(300_000);
    assert.equal(
      h.adapter.verifyWebhook(Buffer.from(event), { 'stripe-signature': header }).id,
      'evt_test_1',
    );
    h.clock.advance(1_000);
    assert.throws(
      () => h.adapter.verifyWebhook(Buffer.from(event), { 'stripe-signature': header }),
      (error: unknown) => error instanceof SignatureError && /tolerance/.test(error.message),
    );
  });

  it('refuses a missing or repeated Stripe-Signature header', () => {
    assert.throws(() => h.adapter.verifyWebhook(Buffer.from(event), {}), /no Stripe-Signature header/);
    assert.throws(
      () => h.adapter.verifyWebhook(Buffer.from(event), { 'stripe-signature': [sign(event), sign(event)] }),
      SignatureError,
    );
  });

  it('refuses a correctly signed body that is not a Stripe event', () => {
    for (const body of ['{"hello":"world"}', 'null', 'not json']) {
      assert.throws(
        () => h.adapter.verifyWebhook(Buffer.from(body), { 'stripe-signature': sign(body) }),
        SignatureError,
        body,
      );
    }
  });
});
