import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { DAY_MS, type E2E, startE2E } from './plugin-harness.js';

describe('outages delay the work and lose none of it', () => {
  let e: E2E;
  before(async () => {
    // Few in-call retries, so the worker's own backoff is what carries the rescue through.
    e = await startE2E({ FLEXCHARGE_MAX_RETRIES: '1' });
  });
  after(() => e.close());

  it('evaluates once FlexCharge is back, after /evaluate answered 503 for a while', async () => {
    const { subscription, paymentMethod } = await e.subscriber();
    await e.declineNextCharges(paymentMethod.id, 'insufficient_funds');
    e.sandbox.injectFault({ path: '/v1/evaluate', status: 503, times: 6 });
    const invoice = await e.renew(subscription.id);

    const during = await e.rescueFor(invoice.id);
    assert.equal(during?.rescue.state, 'evaluating', 'waiting for FlexCharge, not dropped');
    // The worker backs off and tries again; each pass of the clock gives it one more go.
    for (let i = 0; i < 6; i++) await e.advance(10 * 60_000);
    const rescue = await e.rescueFor(invoice.id);
    assert.equal(rescue?.rescue.state, 'held');
    const evaluated = e.sandbox.requests.filter((r) => r.path === '/v1/evaluate');
    assert.equal(evaluated.length, 7, 'six refused attempts, then the one that went through');
    assert.equal(
      [...e.sandbox.orders.values()].filter((o) => o.externalOrderId === invoice.id).length,
      1,
      'one order',
    );
    await e.advance(DAY_MS);
    assert.equal((await e.rescueFor(invoice.id))?.rescue.state, 'recovered');
  });

  it('keeps transmissions pending through a /transmit outage and sends each charge once afterwards', async () => {
    e.sandbox.injectFault({ path: '/v1/transmit', status: 500, times: 12 });
    const { subscription } = await e.subscriber();
    const pending = await e.database.db
      .selectFrom('flexcharge_mit.transmissions')
      .selectAll()
      .where('state', '=', 'pending')
      .execute();
    assert.ok(pending.length >= 1, 'the new charge waits');
    assert.ok(pending.every((t) => (t.last_error ?? '').includes('500') || t.attempts === 0));
    for (let i = 0; i < 8; i++) await e.advance(15 * 60_000);
    const rows = await e.database.db.selectFrom('flexcharge_mit.transmissions').selectAll().execute();
    assert.ok(
      rows.every((t) => t.state === 'sent'),
      'all sent once FlexCharge answers',
    );
    const sent = e.sandbox.requests.filter((r) => r.path === '/v1/transmit').length;
    assert.equal(sent - 12, rows.length, 'each charge accepted exactly once');
    assert.ok(subscription.id);
  });

  it('hands the renewal to FlexCharge only once the hold is on, after Stripe refused invoice writes for a while', async () => {
    const { subscription, paymentMethod } = await e.subscriber();
    await e.declineNextCharges(paymentMethod.id, 'insufficient_funds');
    // Each attempt of ours is three requests (the SDK retries a 500 twice): three attempts fail.
    e.emulator.injectFault({ method: 'POST', path: '/v1/invoices/*', status: 500, times: 9 });
    const invoice = await e.renew(subscription.id);
    assert.equal((await e.rescueFor(invoice.id))?.rescue.state, 'received', 'the hold has not gone through');
    assert.equal(
      (await e.evaluateBodies()).filter((b) => b.orderId === invoice.id).length,
      0,
      'nothing is handed to FlexCharge before the invoice is held',
    );
    // Backoff 30 s, 1 min, 2 min: a few minutes later the hold goes through (FlexCharge decides at 1 h).
    for (let i = 0; i < 4; i++) await e.advance(5 * 60_000);

    assert.equal((await e.rescueFor(invoice.id))?.rescue.state, 'held');
    const held = await e.stripe.invoices.retrieve(invoice.id);
    assert.equal(held.auto_advance, false);
    assert.equal(
      (await e.evaluateBodies()).filter((b) => b.orderId === invoice.id).length,
      1,
      'evaluated once',
    );
    await e.advance(DAY_MS);
    assert.equal((await e.rescueFor(invoice.id))?.rescue.state, 'recovered');
    const paid = e.emulator.events.filter((r) => r.type === 'invoice.paid' && r.objectId === invoice.id);
    assert.equal(paid.length, 1, 'one write-back');
  });
});
