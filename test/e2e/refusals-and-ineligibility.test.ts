import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import request from 'supertest';
import { ADMIN_TOKEN, DAY_MS, type E2E, HOUR_MS, startE2E } from './plugin-harness.js';

describe('what the plugin refuses or does not hand over', () => {
  let e: E2E;
  before(async () => {
    e = await startE2E();
  });
  after(() => e.close());

  const inboxCount = async () =>
    Number(
      (
        await e.database.db
          .selectFrom('flexcharge_mit.inbox_events')
          .select((eb) => eb.fn.countAll<number>().as('n'))
          .executeTakeFirstOrThrow()
      ).n,
    );

  it('refuses a forged Stripe webhook with a 4xx and leaves no row', async () => {
    const before = await inboxCount();
    const payload = JSON.stringify({
      id: 'evt_forged',
      object: 'event',
      type: 'invoice.paid',
      data: { object: { id: 'in_x' } },
    });
    const forged = e.stripe.webhooks.generateTestHeaderString({
      payload,
      secret: 'whsec_not_the_real_secret',
    });
    await request(e.plugin.url)
      .post('/webhooks/stripe')
      .set('stripe-signature', forged)
      .set('content-type', 'application/json')
      .send(payload)
      .expect(400);
    await request(e.plugin.url)
      .post('/webhooks/stripe')
      .set('content-type', 'application/json')
      .send(payload)
      .expect(400);
    const stale = e.stripe.webhooks.generateTestHeaderString({
      payload,
      secret: e.plugin.stripe.webhookSecret,
      timestamp: Math.floor(e.clock.now().getTime() / 1000) - 3600,
    });
    await request(e.plugin.url)
      .post('/webhooks/stripe')
      .set('stripe-signature', stale)
      .set('content-type', 'application/json')
      .send(payload)
      .expect(400);
    assert.equal(await inboxCount(), before);
  });

  it('refuses a forged FlexCharge webhook with a 4xx and leaves no row', async () => {
    const before = await inboxCount();
    const body = JSON.stringify({
      Event: 'order.completed',
      TimeStamp: e.clock.now().toISOString(),
      OrderId: 'x',
      IsTestMode: true,
      IsResent: false,
    });
    await request(e.plugin.url)
      .post('/webhooks/flexcharge')
      .set({
        'x-fc-date': e.clock.now().toUTCString(),
        'x-fc-nonce': '0'.repeat(32),
        'x-fc-content-sha512': 'x',
        'x-fc-authorization': 'x',
        'x-fc-signature': 'x',
      })
      .send(body)
      .expect(400);
    assert.equal(await inboxCount(), before);
  });

  it('records a hard decline (stolen_card) as ineligible and leaves Stripe’s dunning alone', async () => {
    const { subscription, paymentMethod } = await e.subscriber();
    await e.declineNextCharges(paymentMethod.id, 'stolen_card');
    const invoice = await e.renew(subscription.id);
    const rescue = await e.rescueFor(invoice.id);
    assert.equal(rescue?.rescue.state, 'ineligible');
    assert.equal(rescue?.rescue.ineligibleReason, 'no_retry_decline');
    assert.equal((await e.stripe.invoices.retrieve(invoice.id)).auto_advance, true);
    const listed = await request(e.plugin.url)
      .get('/admin/rescues?state=ineligible')
      .auth(ADMIN_TOKEN, { type: 'bearer' })
      .expect(200);
    assert.ok(listed.body.rescues.some((r: { invoiceId: string }) => r.invoiceId === invoice.id));
    await request(e.plugin.url)
      .get('/admin/rescues?state=bogus')
      .auth(ADMIN_TOKEN, { type: 'bearer' })
      .expect(400);
    await request(e.plugin.url).get('/admin/rescues').expect(401);
  });

  it('records a failure that reaches it after the freshness window as ineligible', async () => {
    const { subscription, paymentMethod } = await e.subscriber();
    const endpoints = await e.stripe.webhookEndpoints.list();
    const endpoint = endpoints.data[0]!;
    await e.stripe.webhookEndpoints.update(endpoint.id, { disabled: true });
    await e.declineNextCharges(paymentMethod.id, 'insufficient_funds');
    const invoice = await e.renew(subscription.id);
    await e.advance(25 * HOUR_MS);

    // The failure event arrives a day late (an outage on the merchant's side, say).
    const failure = e.emulator.events.find(
      (r) => r.type === 'invoice.payment_failed' && r.objectId === invoice.id,
    )!;
    await e.postStripeEvent(failure.event).expect(200);
    await e.stripe.webhookEndpoints.update(endpoint.id, { disabled: false });
    await e.settle();
    const rescue = await e.rescueFor(invoice.id);
    assert.equal(rescue?.rescue.state, 'ineligible');
    assert.equal(rescue?.rescue.ineligibleReason, 'stale_failure');
  });

  it('records a card without a FlexCharge token as ineligible, with the reason', async () => {
    const { subscription, paymentMethod } = await e.subscriber({ register: 'none' });
    await e.declineNextCharges(paymentMethod.id, 'insufficient_funds');
    const invoice = await e.renew(subscription.id);
    const rescue = await e.rescueFor(invoice.id);
    assert.equal(rescue?.rescue.state, 'ineligible');
    assert.equal(rescue?.rescue.ineligibleReason, 'no_card_token');
  });

  it('takes the token from the payment method’s metadata as well', async () => {
    const { subscription, paymentMethod } = await e.subscriber({ register: 'metadata' });
    await e.declineNextCharges(paymentMethod.id, 'insufficient_funds');
    const invoice = await e.renew(subscription.id);
    assert.equal((await e.rescueFor(invoice.id))?.rescue.state, 'held');
    await e.advance(DAY_MS);
    assert.equal((await e.rescueFor(invoice.id))?.rescue.state, 'recovered');
  });
});
