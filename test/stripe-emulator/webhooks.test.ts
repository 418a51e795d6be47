import assert from 'node:assert/strict';
import { afterEach, beforeEach, describe, it } from 'node:test';
import { type Harness, startHarness, startWebhookReceiver, subscribe } from './support.js';

describe('Stripe emulator: webhooks', () => {
  let h: Harness;
  let receiver: Awaited<ReturnType<typeof startWebhookReceiver>>;
  let failuresLeft: number;
  beforeEach(async () => {
    failuresLeft = 0;
    receiver = await startWebhookReceiver(() => (failuresLeft-- > 0 ? 500 : 200));
    h = await startHarness({ webhookRetrySchedule: [60, 300, 1800] });
  });
  afterEach(async () => {
    await h.close();
    await receiver.close();
  });

  it('signs deliveries so stripe.webhooks.constructEvent accepts them', async () => {
    const endpoint = await h.stripe.webhookEndpoints.create({
      url: receiver.url,
      enabled_events: ['invoice.paid', 'customer.subscription.created'],
    });
    assert.match(endpoint.secret ?? '', /^whsec_/);
    const { subscription } = await subscribe(h.stripe);
    await h.emulator.deliverPendingWebhooks();

    const events = receiver.received.map((r) =>
      h.stripe.webhooks.constructEvent(r.body, String(r.headers['stripe-signature']), endpoint.secret ?? ''),
    );
    assert.deepEqual(
      events.map((e) => e.type),
      ['invoice.paid', 'customer.subscription.created'],
    );
    assert.equal((events[1]?.data.object as { id: string } | undefined)?.id, subscription.id);
    assert.equal(events[0]?.api_version, '2026-10-28.endive');
    assert.throws(() =>
      h.stripe.webhooks.constructEvent(
        `${receiver.received[0]?.body} `,
        String(receiver.received[0]?.headers['stripe-signature']),
        endpoint.secret ?? '',
      ),
    );
    const retrieved = await h.stripe.webhookEndpoints.retrieve(endpoint.id);
    assert.equal(retrieved.secret, undefined, 'only the create response carries the secret');
  });

  it('retries a failing endpoint with backoff until it answers 2xx, recording every attempt', async () => {
    await h.stripe.webhookEndpoints.create({ url: receiver.url, enabled_events: ['customer.created'] });
    failuresLeft = 2;
    const customer = await h.stripe.customers.create({ email: 'retry@example.com' });
    await h.emulator.deliverPendingWebhooks();
    assert.equal(receiver.received.length, 1);

    h.clock.advance(59_000);
    await h.emulator.runDue();
    assert.equal(receiver.received.length, 1, 'not before the backoff');
    h.clock.advance(1_000);
    await h.emulator.runDue();
    assert.equal(receiver.received.length, 2);
    h.clock.advance(300_000);
    await h.emulator.runDue();
    assert.equal(receiver.received.length, 3);
    h.clock.advance(3_600_000);
    await h.emulator.runDue();
    assert.equal(receiver.received.length, 3, 'delivered, so no more attempts');

    const record = h.emulator.events.find((e) => e.type === 'customer.created' && e.objectId === customer.id);
    assert.deepEqual(
      record?.deliveries[0]?.attempts.map((a) => a.status),
      [500, 500, 200],
    );
    assert.equal(record?.deliveries[0]?.delivered, true);
    const bodies = receiver.received.map(
      (r) => JSON.parse(r.body) as { id: string; pending_webhooks: number },
    );
    assert.equal(new Set(bodies.map((b) => b.id)).size, 1, 'the same event each time');
    assert.equal(bodies[0]?.pending_webhooks, 1);
    assert.equal((await h.stripe.events.retrieve(record?.id ?? '')).pending_webhooks, 0);
  });

  it('gives up after the retry schedule and records unreachable endpoints as errors', async () => {
    await h.stripe.webhookEndpoints.create({ url: 'http://127.0.0.1:9/unreachable', enabled_events: ['*'] });
    const customer = await h.stripe.customers.create({});
    for (const step of [0, 60, 300, 1800]) {
      h.clock.advance(step * 1000);
      await h.emulator.runDue();
    }
    const record = h.emulator.events.find((e) => e.objectId === customer.id);
    assert.equal(record?.deliveries[0]?.attempts.length, 4);
    assert.ok(record?.deliveries[0]?.attempts.every((a) => a.status === null && a.error));
    assert.equal(record?.deliveries[0]?.nextAttemptAt, null);
    const undelivered = await h.stripe.events.list({ delivery_success: false });
    assert.ok(undelivered.data.some((e) => e.id === record?.id));
  });

  it('sends only the event types an endpoint enabled, to endpoints that existed when the event happened', async () => {
    await h.stripe.customers.create({ name: 'before the endpoint' });
    await h.stripe.webhookEndpoints.create({ url: receiver.url, enabled_events: ['customer.updated'] });
    const customer = await h.stripe.customers.create({ name: 'Ann' });
    await h.stripe.customers.update(customer.id, { name: 'Ann Smith' });
    await h.emulator.deliverPendingWebhooks();
    assert.equal(receiver.received.length, 1);
    const event = JSON.parse(receiver.received[0]?.body ?? '{}');
    assert.equal(event.type, 'customer.updated');
    assert.deepEqual(event.data.previous_attributes, { name: 'Ann' });
    assert.equal(event.request.id.startsWith('req_'), true);
  });
});
