import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type Stripe from 'stripe';
import { type Harness, invoicesOf, passPeriodEnd, startHarness, subscribe } from './support.js';

describe('Stripe emulator: subscriptions', () => {
  let h: Harness;
  before(async () => {
    h = await startHarness();
  });
  after(() => h.close());

  async function firstCharge(subscriptionId: string): Promise<Stripe.Charge> {
    const [invoice] = await invoicesOf(h.stripe, subscriptionId);
    assert.ok(invoice);
    const payments = await h.stripe.invoicePayments.list({ invoice: invoice.id, status: 'paid' });
    const piId = payments.data[0]?.payment.payment_intent as string;
    const pi = await h.stripe.paymentIntents.retrieve(piId, { expand: ['latest_charge'] });
    return pi.latest_charge as Stripe.Charge;
  }

  it('records a frictionless 3DS authentication and a network transaction id on the first charge of a 3DS card', async () => {
    const { subscription } = await subscribe(h.stripe, 'pm_card_authenticationRequiredOnSetup');
    assert.equal(subscription.status, 'active');

    const card = (await firstCharge(subscription.id)).payment_method_details?.card;
    assert.ok(card?.three_d_secure);
    assert.equal(card.three_d_secure.result, 'authenticated');
    assert.equal(card.three_d_secure.authentication_flow, 'frictionless');
    assert.equal(card.three_d_secure.result_reason, null);
    assert.equal(card.three_d_secure.version, '2.2.0');
    assert.equal(card.three_d_secure.electronic_commerce_indicator, '05');
    assert.match(
      card.three_d_secure.transaction_id ?? '',
      /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/,
    );
    assert.match(card.network_transaction_id ?? '', /^\d{15}$/);
    assert.equal(card.last4, '3155');
    assert.equal(card.country, 'FR');
  });

  it('puts the first invoice under parent.subscription_details and the billing period on the items', async () => {
    const { subscription, price } = await subscribe(h.stripe);
    const [invoice] = await invoicesOf(h.stripe, subscription.id);
    assert.ok(invoice);
    assert.equal(invoice.billing_reason, 'subscription_create');
    assert.equal(invoice.status, 'paid');
    assert.equal(invoice.parent?.type, 'subscription_details');
    assert.equal(invoice.parent?.subscription_details?.subscription, subscription.id);
    assert.deepEqual(invoice.parent?.subscription_details?.metadata, { plan: 'pro' });
    for (const gone of ['subscription', 'payment_intent', 'charge', 'paid'])
      assert.ok(!(gone in invoice), gone);
    const line = invoice.lines.data[0];
    assert.equal(line?.parent?.subscription_item_details?.subscription, subscription.id);
    assert.equal(line?.pricing?.price_details?.price, price.id);

    const item = subscription.items.data[0];
    assert.ok(item);
    assert.equal(item.current_period_start, subscription.start_date);
    assert.equal(new Date(item.current_period_end * 1000).toISOString(), '2026-02-15T12:00:00.000Z');
    assert.ok(!('current_period_end' in subscription));
  });

  it('charges renewals off-session as recurring MITs: no 3DS, stored_credential_usage recurring, a fresh NTI', async () => {
    const { subscription } = await subscribe(h.stripe, 'pm_card_authenticationRequiredOnSetup');
    const first = await firstCharge(subscription.id);
    await passPeriodEnd(h, subscription.id);

    const [renewal] = await invoicesOf(h.stripe, subscription.id);
    assert.equal(renewal?.billing_reason, 'subscription_cycle');
    assert.equal(renewal?.status, 'paid');
    const charges = await h.stripe.charges.list({ customer: String(subscription.customer) });
    const card = charges.data[0]?.payment_method_details?.card;
    assert.equal(card?.three_d_secure, null);
    assert.equal(card?.stored_credential_usage, 'recurring');
    assert.match(card?.network_transaction_id ?? '', /^\d{15}$/);
    assert.notEqual(card?.network_transaction_id, first.payment_method_details?.card?.network_transaction_id);
  });

  it('declines off-session renewals of a card that always needs authentication with authentication_required', async () => {
    const { subscription } = await subscribe(h.stripe, 'pm_card_authenticationRequired');
    assert.equal(
      (await firstCharge(subscription.id)).payment_method_details?.card?.three_d_secure?.authentication_flow,
      'challenge',
    );
    await passPeriodEnd(h, subscription.id);

    const [renewal] = await invoicesOf(h.stripe, subscription.id);
    assert.equal(renewal?.status, 'open');
    const charges = await h.stripe.charges.list({ customer: String(subscription.customer), limit: 1 });
    assert.equal(charges.data[0]?.outcome?.reason, 'authentication_required');
    assert.equal((await h.stripe.subscriptions.retrieve(subscription.id)).status, 'past_due');
  });

  it('refuses to attach an always-declining test card, as Stripe validates cards on attach', async () => {
    const customer = await h.stripe.customers.create({});
    await assert.rejects(
      h.stripe.paymentMethods.attach('pm_card_visa_chargeDeclinedInsufficientFunds', {
        customer: customer.id,
      }),
      (error: Stripe.errors.StripeError) =>
        error.type === 'StripeCardError' && error.decline_code === 'insufficient_funds',
    );
  });

  it('leaves the subscription incomplete when the first charge of an attachable failing card declines', async () => {
    const { subscription } = await subscribe(h.stripe, 'pm_card_chargeCustomerFail');
    assert.equal(subscription.status, 'incomplete');
    const [invoice] = await invoicesOf(h.stripe, subscription.id);
    assert.equal(invoice?.status, 'open');
    assert.equal(invoice?.attempt_count, 1);
    assert.equal(invoice?.next_payment_attempt, null);
  });

  it('expires an incomplete subscription after 23 hours and voids its first invoice', async () => {
    const { subscription } = await subscribe(h.stripe, 'pm_card_chargeCustomerFail');
    h.clock.set((subscription.created + 23 * 3600) * 1000);
    await h.emulator.runDue();
    assert.equal((await h.stripe.subscriptions.retrieve(subscription.id)).status, 'incomplete_expired');
    assert.equal((await invoicesOf(h.stripe, subscription.id))[0]?.status, 'void');
  });

  it('creates a card PaymentMethod from a test number without keeping the number', async () => {
    const pm = await h.stripe.paymentMethods.create({
      type: 'card',
      card: { number: '5555555555554444', exp_month: 12, exp_year: 2030, cvc: '123' },
      billing_details: { name: 'Jenny Rosen', email: 'jenny@example.com' },
    });
    assert.equal(pm.card?.brand, 'mastercard');
    assert.equal(pm.card?.last4, '4444');
    assert.equal(pm.card?.funding, 'credit');
    assert.equal(pm.card?.checks?.cvc_check, 'pass');
    assert.equal(pm.billing_details.name, 'Jenny Rosen');
    assert.ok(!JSON.stringify(pm).includes('5555555555554444'));
    await assert.rejects(
      h.stripe.paymentMethods.create({
        type: 'card',
        card: { number: '4242424242424241', exp_month: 1, exp_year: 2030 },
      }),
      (error: Stripe.errors.StripeError) =>
        error.type === 'StripeCardError' && error.code === 'incorrect_number',
    );
  });

  it('cancels a subscription with customer.subscription.deleted', async () => {
    const { subscription } = await subscribe(h.stripe);
    const canceled = await h.stripe.subscriptions.cancel(subscription.id, {
      cancellation_details: { comment: 'moving on' },
    });
    assert.equal(canceled.status, 'canceled');
    assert.equal(canceled.cancellation_details?.reason, 'cancellation_requested');
    const deleted = h.emulator.events.find(
      (e) => e.type === 'customer.subscription.deleted' && e.objectId === subscription.id,
    );
    assert.ok(deleted?.requestId?.startsWith('req_'));
    const listed = await h.stripe.subscriptions.list({ customer: String(subscription.customer) });
    assert.equal(listed.data.length, 0);
  });
});
