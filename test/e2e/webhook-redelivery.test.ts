import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import request from 'supertest';
import { DEMO_SUBSCRIBER_KEY } from '../../adapters/flexcharge/sandbox/index.js';
import { signWebhook } from '../../adapters/flexcharge/webhook-signature.js';
import { DAY_MS, type E2E, HOUR_MS, shuffled, startE2E } from './plugin-harness.js';

describe('webhooks delivered three times and out of order', () => {
  let e: E2E;
  before(async () => {
    e = await startE2E();
  });
  after(() => e.close());

  /** Re-sends every Stripe event so far, three times each, in shuffled order, signed as Stripe signs. */
  async function redeliverStripe(seed: number): Promise<void> {
    const events = e.emulator.events.map((r) => r.event);
    for (const event of shuffled([...events, ...events, ...events], seed)) {
      await e.postStripeEvent(event).expect(200);
    }
  }

  /** Re-sends every FlexCharge order event the sandbox delivered, three times, shuffled, freshly signed. */
  async function redeliverFlexCharge(seed: number): Promise<void> {
    const delivered = e.sandbox.deliveries.filter((d) => d.status === 200);
    for (const d of shuffled([...delivered, ...delivered, ...delivered], seed)) {
      const order = e.sandbox.orders.get(d.orderId)!;
      const body = JSON.stringify({
        Event: d.event,
        TimeStamp: e.clock.now().toISOString(),
        EventData: null,
        ExternalOrderId: order.externalOrderId,
        OrderId: d.orderId,
        ConfirmationId: order.confirmationId ?? null,
        IsTestMode: true,
        IsResent: true,
      });
      const headers = signWebhook({
        subscriberKey: DEMO_SUBSCRIBER_KEY,
        host: new URL(e.plugin.url).host,
        body,
        date: e.clock.now(),
      });
      await request(e.plugin.url)
        .post('/webhooks/flexcharge')
        .set({ ...headers })
        .set('content-type', 'text/plain')
        .send(body)
        .expect(200);
    }
  }

  const holdEvents = (invoiceId: string) =>
    e.emulator.events.filter(
      (r) =>
        r.type === 'invoice.updated' &&
        r.objectId === invoiceId &&
        (r.event.data.object as { status?: string }).status === 'open' &&
        (r.event.data.previous_attributes as { auto_advance?: boolean } | undefined)?.auto_advance === true,
    );

  it('evaluates once, holds once, writes back once, and its own invoice.paid echo cancels nothing', async () => {
    const { subscription, paymentMethod } = await e.subscriber();
    await e.declineNextCharges(paymentMethod.id, 'insufficient_funds');
    const invoice = await e.renew(subscription.id);

    await redeliverStripe(1);
    await e.settle();
    await redeliverStripe(2);
    await e.settle();
    assert.equal(e.sandboxCalls('/v1/evaluate').length, 1, 'one evaluate');
    assert.equal(holdEvents(invoice.id).length, 1, 'one hold');

    await e.advance(2 * HOUR_MS);
    await redeliverFlexCharge(3);
    await redeliverStripe(4);
    await e.settle();
    await e.advance(DAY_MS);

    const rescue = await e.rescueFor(invoice.id);
    assert.equal(rescue?.rescue.state, 'recovered');
    const paidEvents = e.emulator.events.filter(
      (r) => r.type === 'invoice.paid' && r.objectId === invoice.id,
    );
    assert.equal(paidEvents.length, 1, 'one write-back');
    assert.equal(e.sandboxCalls('/v1/evaluate').length, 1);
    assert.equal(e.sandboxCalls('/cancel').length, 0, 'the echo of our write-back cancelled nothing');
    assert.equal(e.sandboxCalls('/refund').length, 0, 'and refunded nothing');
    const inbox = await e.database.db
      .selectFrom('flexcharge_mit.inbox_events')
      .select(['source', 'event_id'])
      .execute();
    assert.equal(
      new Set(inbox.map((r) => `${r.source}:${r.event_id}`)).size,
      inbox.length,
      'each event stored once',
    );
  });
});

describe('a rescue whose FlexCharge webhook never arrives', () => {
  let e: E2E;
  before(async () => {
    e = await startE2E({ RESCUE_POLL_INTERVAL_MINUTES: '120' });
  });
  after(() => e.close());

  it('learns the outcome by polling the order and is written back', async () => {
    e.sandbox.setWebhook(undefined);
    const { subscription, paymentMethod } = await e.subscriber();
    await e.declineNextCharges(paymentMethod.id, 'insufficient_funds');
    const invoice = await e.renew(subscription.id);
    assert.equal((await e.rescueFor(invoice.id))?.rescue.state, 'held');

    await e.advance(90 * 60_000);
    assert.equal(
      (await e.rescueFor(invoice.id))?.rescue.state,
      'held',
      'approved at FlexCharge, not yet seen',
    );
    await e.advance(60 * 60_000);
    assert.equal((await e.rescueFor(invoice.id))?.rescue.state, 'recovered');
    assert.equal((await e.stripe.invoices.retrieve(invoice.id)).status, 'paid');
    const flexchargeInbox = await e.database.db
      .selectFrom('flexcharge_mit.inbox_events')
      .select('id')
      .where('source', '=', 'flexcharge')
      .execute();
    assert.equal(flexchargeInbox.length, 0, 'no FlexCharge webhook was received');
    // Polling reads the order (GET /orders/{id}); /outcome is only its fallback.
    assert.ok(e.sandboxCalls('/v1/orders').length >= 1);
  });
});
