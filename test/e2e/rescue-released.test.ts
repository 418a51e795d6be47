import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { DAY_MS, type E2E, FLEXCHARGE_NEVER_RESCUED_PAN, startE2E } from './plugin-harness.js';

describe('a declined renewal FlexCharge never rescues', () => {
  let e: E2E;
  before(async () => {
    e = await startE2E();
  });
  after(() => e.close());

  it('is released to Stripe’s dunning at expiry, which then resumes', async () => {
    const { subscription, paymentMethod } = await e.subscriber({
      flexchargePan: FLEXCHARGE_NEVER_RESCUED_PAN,
    });
    await e.declineNextCharges(paymentMethod.id, 'insufficient_funds');
    const invoice = await e.renew(subscription.id);
    assert.equal((await e.rescueFor(invoice.id))?.rescue.state, 'held');

    await e.advance(20 * DAY_MS);
    const during = await e.stripe.invoices.retrieve(invoice.id);
    assert.equal(during.auto_advance, false);
    assert.equal(during.attempt_count, 1, 'no Stripe retry in three weeks of hold');

    await e.advance(1.5 * DAY_MS);
    const rescue = await e.rescueFor(invoice.id);
    assert.equal(rescue?.rescue.state, 'released');
    const released = await e.stripe.invoices.retrieve(invoice.id);
    assert.equal(released.auto_advance, true);
    assert.equal(released.metadata?.flexcharge_status, 'released');
    assert.ok(released.next_payment_attempt, 'Stripe scheduled its next retry');

    await e.advance(15 * DAY_MS);
    const after = await e.stripe.invoices.retrieve(invoice.id);
    assert.ok((after.attempt_count ?? 0) > 1, 'Stripe’s dunning retried the invoice after release');
    const evaluations = (await e.evaluateBodies()).filter((b) => b.orderId === invoice.id);
    assert.equal(evaluations.length, 1, 'this invoice was evaluated once');
  });
});
