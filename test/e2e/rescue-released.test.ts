import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { DAY_MS, type E2E, FLEXCHARGE_NEVER_RESCUED_PAN, startE2E } from './plugin-harness.js';

/**
 * What Stripe does once `auto_advance` is back on after weeks is not documented: it may schedule its
 * next attempt, none, or take the end-of-dunning action at once (the emulator's E2E profiles play
 * each). Whatever it does, the invoice must not be left open with nothing to collect it.
 */
describe('a declined renewal FlexCharge never rescues', () => {
  let e: E2E;
  before(async () => {
    e = await startE2E();
  });
  after(() => e.close());

  it('is released at expiry, and then collected by Stripe’s dunning or the merchant’s fallback', async () => {
    const { subscription, paymentMethod, customer } = await e.subscriber({
      flexchargePan: FLEXCHARGE_NEVER_RESCUED_PAN,
    });
    await e.declineNextCharges(paymentMethod.id, 'insufficient_funds');
    const invoice = await e.renew(subscription.id);
    assert.equal((await e.rescueFor(invoice.id))?.rescue.state, 'held');

    const failedCharges = async () =>
      (await e.stripe.charges.list({ customer: customer.id, limit: 100 })).data.filter(
        (c) => c.status === 'failed',
      ).length;
    const declinedBefore = await failedCharges();
    await e.advance(20 * DAY_MS);
    const during = await e.stripe.invoices.retrieve(invoice.id);
    assert.equal(during.auto_advance, false);
    assert.equal(during.attempt_count, 1, 'no Stripe retry in three weeks of hold');

    await e.advance(1.5 * DAY_MS);
    const rescue = await e.database.db
      .selectFrom('flexcharge_mit.rescues')
      .selectAll()
      .where('invoice_id', '=', invoice.id)
      .executeTakeFirstOrThrow();
    assert.equal(rescue.state, 'released');
    assert.equal(rescue.hold_active, false);
    const released = await e.stripe.invoices.retrieve(invoice.id);

    if (released.status !== 'open') {
      // Stripe ended the invoice itself at once (its end-of-dunning action): nothing is left to do.
      assert.equal(rescue.release_fallback, null);
    } else if (released.next_payment_attempt) {
      // Stripe scheduled its next attempt: its dunning goes on.
      assert.equal(rescue.release_fallback, null, 'no fallback while Stripe has an attempt scheduled');
      assert.equal(released.auto_advance, true);
      await e.advance(15 * DAY_MS);
      const later = await e.stripe.invoices.retrieve(invoice.id);
      assert.ok((later.attempt_count ?? 0) > 1, 'Stripe’s dunning retried the invoice after release');
    } else {
      // Stripe scheduled nothing: the merchant's fallback (default retry_once) made one attempt.
      assert.equal(rescue.release_fallback, 'retry_once:failed');
      assert.equal(await failedCharges(), declinedBefore + 1, 'exactly one attempt by the fallback');
      await e.advance(2 * DAY_MS);
      assert.equal(await failedCharges(), declinedBefore + 1, 'and only one');
    }
    const evaluations = (await e.evaluateBodies()).filter((b) => b.orderId === invoice.id);
    assert.equal(evaluations.length, 1, 'this invoice was evaluated once');
  });
});
