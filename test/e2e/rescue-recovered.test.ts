import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { DAY_MS, type E2E, startE2E } from './plugin-harness.js';

describe('a declined renewal that FlexCharge rescues', () => {
  let e: E2E;
  // FlexCharge takes four days here, longer than Stripe's first Smart Retry would wait.
  before(async () => {
    e = await startE2E({ SANDBOX_DECISION_DELAY_SECONDS: String(4 * 24 * 3600) });
  });
  after(() => e.close());

  it('is evaluated once with the full MIT body, held while FlexCharge works, and written back as paid', async () => {
    const { subscription, paymentMethod } = await e.subscriber();
    const first = (await e.stripe.invoices.list({ subscription: subscription.id })).data[0]!;
    assert.equal(first.status, 'paid', 'the first, customer-initiated payment went through 3DS');

    await e.declineNextCharges(paymentMethod.id, 'insufficient_funds');
    const invoice = await e.renew(subscription.id);
    assert.equal(invoice.status, 'open');
    assert.equal(invoice.attempt_count, 1);

    // Evaluated once, with everything the MIT contract asks for.
    const bodies = await e.evaluateBodies();
    assert.equal(bodies.length, 1);
    const body = bodies[0]!;
    assert.equal(body.isMIT, true);
    assert.equal(body.isRecurring, true);
    assert.equal(body.isDeclined, true);
    assert.equal(body.orderId, invoice.id);
    const expiryDays = (Date.parse(body.expiryDateUtc!) - e.clock.now().getTime()) / DAY_MS;
    assert.ok(expiryDays > 20.9 && expiryDays <= 21, `expiry ${expiryDays} days out`);
    assert.deepEqual(
      { ...body.subscription },
      {
        subscriptionId: subscription.id,
        interval: 'monthly',
        price: 2900,
        currency: 'EUR',
        paymentNumber: '2',
      },
    );
    assert.equal(body.threeDSecure?.threeDsVersion, '2.2.0');
    assert.equal(body.threeDSecure?.EcommerceIndicator, '05');
    assert.match(body.threeDSecure?.directoryServerTransactionId ?? '', /^[0-9a-f-]{36}$/);
    assert.equal(body.transaction.amount, 2900);
    assert.equal(body.transaction.currency, 'EUR');
    assert.equal(body.transaction.responseSubStatus, 'insufficient_funds');
    assert.equal(body.paymentMethod.token, true);
    assert.equal(body.payer.email, 'jenny@example.com');
    assert.ok(body.mid);
    assert.equal(e.sandboxCalls('/v1/evaluate').length, 1);

    // Held: Stripe's retries are off for this invoice, and none happens while FlexCharge works.
    const held = await e.stripe.invoices.retrieve(invoice.id);
    assert.equal(held.auto_advance, false);
    assert.equal(held.metadata?.flexcharge_status, 'held');
    assert.equal((await e.rescueFor(invoice.id))?.rescue.state, 'held');
    await e.advance(3.9 * DAY_MS);
    const stillHeld = await e.stripe.invoices.retrieve(invoice.id);
    assert.equal(stillHeld.status, 'open');
    assert.equal(stillHeld.attempt_count, 1, 'Stripe made no retry while held');

    // FlexCharge approves: the invoice is paid out of band with FlexCharge's ids.
    await e.advance(0.2 * DAY_MS);
    const rescue = await e.rescueFor(invoice.id);
    assert.equal(rescue?.rescue.state, 'recovered');
    const paid = await e.stripe.invoices.retrieve(invoice.id);
    assert.equal(paid.status, 'paid');
    assert.equal(paid.metadata?.flexcharge_order_id, rescue?.rescue.flexcharge.orderId);
    assert.equal(paid.metadata?.flexcharge_confirmation_id, rescue?.rescue.flexcharge.confirmationId);
    assert.ok(paid.metadata?.flexcharge_recovered_at);
    assert.equal((await e.stripe.subscriptions.retrieve(subscription.id)).status, 'active');
    assert.deepEqual(
      rescue?.history.map((h) => h.to_state),
      ['received', 'evaluating', 'held', 'approved', 'recovered'],
    );
    // The invoice.paid echo of our own write-back cancelled and refunded nothing.
    assert.equal(e.sandboxCalls('/cancel').length, 0);
    assert.equal(e.sandboxCalls('/refund').length, 0);
  });

  it('sent every charge Stripe reported to /transmit once, approved and declined', async () => {
    await e.advance(DAY_MS);
    const rows = await e.database.db.selectFrom('flexcharge_mit.transmissions').selectAll().execute();
    assert.ok(rows.length >= 2);
    assert.ok(
      rows.every((r) => r.state === 'sent' && r.transmit_id),
      rows.map((r) => r.last_error).join('; '),
    );
    assert.deepEqual(new Set(rows.map((r) => r.succeeded)), new Set([true, false]));
    assert.equal(e.sandboxCalls('/v1/transmit').length, rows.length);
  });
});
