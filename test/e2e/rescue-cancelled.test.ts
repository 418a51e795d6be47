import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { DAY_MS, type E2E, startE2E } from './plugin-harness.js';

describe('a held renewal the customer pays themselves', () => {
  let e: E2E;
  before(async () => {
    e = await startE2E({ SANDBOX_DECISION_DELAY_SECONDS: String(5 * 24 * 3600) });
  });
  after(() => e.close());

  it('cancels the FlexCharge order and writes nothing back', async () => {
    const { subscription, paymentMethod, customer } = await e.subscriber();
    await e.declineNextCharges(paymentMethod.id, 'insufficient_funds');
    const invoice = await e.renew(subscription.id);
    const rescue = await e.rescueFor(invoice.id);
    assert.equal(rescue?.rescue.state, 'held');
    const orderId = rescue!.rescue.flexcharge.orderId!;

    // The customer updates their card and pays the invoice during the hold.
    const newCard = await e.stripe.paymentMethods.attach('pm_card_visa', { customer: customer.id });
    await e.stripe.invoices.pay(invoice.id, { payment_method: newCard.id });
    await e.settle();

    const after = await e.rescueFor(invoice.id);
    assert.equal(after?.rescue.state, 'cancelled');
    assert.equal(e.sandbox.orders.get(orderId)?.state, 'cancelled');
    assert.equal(e.sandboxCalls('/cancel').length, 1);
    const paid = await e.stripe.invoices.retrieve(invoice.id);
    assert.equal(paid.status, 'paid');
    assert.equal(paid.metadata?.flexcharge_recovered_at, undefined, 'nothing written back');

    // FlexCharge's decision time passes: nothing is collected or written for the cancelled order.
    await e.advance(6 * DAY_MS);
    assert.equal((await e.rescueFor(invoice.id))?.rescue.state, 'cancelled');
    assert.equal(e.sandboxCalls('/refund').length, 0);
  });

  it('refunds through FlexCharge and flags a conflict when FlexCharge collected after the customer paid', async () => {
    const { subscription, paymentMethod, customer } = await e.subscriber();
    await e.declineNextCharges(paymentMethod.id, 'insufficient_funds');
    const invoice = await e.renew(subscription.id);
    const orderId = (await e.rescueFor(invoice.id))!.rescue.flexcharge.orderId!;

    // Neither side's webhooks reach the plugin for a while; meanwhile both collect.
    e.sandbox.setWebhook(undefined);
    const endpoint = (await e.stripe.webhookEndpoints.list()).data[0]!;
    await e.stripe.webhookEndpoints.update(endpoint.id, { disabled: true });
    const newCard = await e.stripe.paymentMethods.attach('pm_card_visa', { customer: customer.id });
    await e.stripe.invoices.pay(invoice.id, { payment_method: newCard.id });
    e.clock.advance(5 * DAY_MS + 60_000);
    await e.sandbox.runDue();
    assert.equal(e.sandbox.orders.get(orderId)?.state, 'completed', 'FlexCharge collected too');

    await e.stripe.webhookEndpoints.update(endpoint.id, { disabled: false });
    await e.advance(DAY_MS);
    const rescue = await e.rescueFor(invoice.id);
    assert.equal(rescue?.rescue.state, 'conflict');
    assert.equal(e.sandbox.orders.get(orderId)?.state, 'returned', 'the FlexCharge payment was refunded');
    assert.equal(e.sandboxCalls('/refund').length, 1);
    const paid = await e.stripe.invoices.retrieve(invoice.id);
    assert.equal(
      paid.metadata?.flexcharge_recovered_at,
      undefined,
      'nothing written back over the customer’s payment',
    );
  });
});
