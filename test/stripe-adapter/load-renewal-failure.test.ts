import assert from 'node:assert/strict';
import { afterEach, beforeEach, describe, it } from 'node:test';
import {
  type AdapterHarness,
  failedRenewal,
  passPeriodEnd,
  setCardBehavior,
  startAdapterHarness,
  subscribe,
} from './support.js';

describe('Stripe adapter: loadRenewalFailure', () => {
  let h: AdapterHarness;
  beforeEach(async () => {
    h = await startAdapterHarness();
  });
  afterEach(() => h.close());

  it('returns the full picture of a renewal declined for insufficient funds after a 3DS-authenticated first payment', async () => {
    const { renewal, subscription, customer, paymentMethod, price } = await failedRenewal(h);
    const failure = await h.adapter.loadRenewalFailure(renewal.id);

    const firstInvoice = await h.stripe.invoices.retrieve(String(subscription.latest_invoice));
    const [firstPayment] = (await h.stripe.invoicePayments.list({ invoice: firstInvoice.id })).data;
    const firstPi = await h.stripe.paymentIntents.retrieve(String(firstPayment?.payment.payment_intent), {
      expand: ['latest_charge'],
    });
    const firstCharge = firstPi.latest_charge as import('stripe').Stripe.Charge;
    const tds = firstCharge.payment_method_details?.card?.three_d_secure;
    assert.ok(tds, 'the first payment went through 3-D Secure');

    assert.equal(failure.invoiceId, renewal.id);
    assert.equal(failure.invoiceStatus, 'open');
    assert.equal(failure.billingReason, 'subscription_cycle');
    assert.equal(failure.automaticCollection, true);
    assert.equal(failure.engineInitiated, true);
    assert.equal(failure.attemptCount, 1);
    assert.equal(failure.autoAdvance, true);
    assert.deepEqual(failure.amountDue, { amount: 2900, currency: 'EUR' });
    assert.equal(failure.statementDescriptor, 'STRIPE EMULATOR');

    assert.deepEqual(failure.subscription, {
      id: subscription.id,
      status: 'past_due',
      collectionPaused: false,
      interval: 'month',
      intervalCount: 1,
      price: { amount: 2900, currency: 'EUR' },
      paymentNumber: 2,
    });

    const pi = await h.stripe.paymentIntents.retrieve(String(failure.failedPayment.paymentIntentId));
    const charge = await h.stripe.charges.retrieve(String(failure.failedPayment.chargeId));
    assert.equal(pi.last_payment_error?.charge, charge.id);
    assert.equal(failure.failedAt.getTime(), charge.created * 1000);
    const checks = charge.payment_method_details?.card?.checks;
    assert.deepEqual(failure.failedPayment, {
      chargeId: charge.id,
      paymentIntentId: pi.id,
      code: 'card_declined',
      declineCode: 'insufficient_funds',
      networkDeclineCode: '51',
      networkStatus: 'declined',
      network: 'visa',
      checks: {
        addressLine1: checks?.address_line1_check ?? null,
        postalCode: checks?.address_postal_code_check ?? null,
        cvc: null,
      },
      adviceCode: 'try_again_later',
      message: 'Your card has insufficient funds.',
    });

    assert.deepEqual(failure.card, {
      paymentMethodId: paymentMethod.id,
      brand: 'visa',
      funding: 'credit',
      country: 'FR',
      expMonth: paymentMethod.card?.exp_month,
      expYear: paymentMethod.card?.exp_year,
      last4: '3155',
      holderName: 'Jenny Rosen',
      billingAddress: {
        line1: '1 Rue de Rivoli',
        line2: null,
        city: 'Paris',
        state: null,
        postalCode: '75001',
        country: 'FR',
      },
      flexchargeToken: 'fct_jenny_card',
    });
    assert.deepEqual(failure.customer, {
      id: customer.id,
      email: 'jenny@example.com',
      phone: '+33612345678',
      name: 'Jenny Rosen',
      address: {
        line1: '1 Rue de Rivoli',
        line2: null,
        city: 'Paris',
        state: null,
        postalCode: '75001',
        country: 'FR',
      },
    });
    assert.equal(failure.lines.length, 1);
    assert.deepEqual(failure.lines[0], {
      description: renewal.lines.data[0]?.description ?? null,
      amount: { amount: 2900, currency: 'EUR' },
      quantity: 1,
      priceId: price.id,
    });

    assert.deepEqual(failure.originalAuthentication, {
      source: { kind: 'payment', id: firstCharge.id },
      networkTransactionId: firstCharge.payment_method_details?.card?.network_transaction_id,
      threeDSecure: {
        version: '2.2.0',
        eci: '05',
        result: 'authenticated',
        resultReason: null,
        authenticationFlow: 'frictionless',
        dsTransactionId: tds.transaction_id,
        xid: null,
      },
    });
    assert.match(failure.originalAuthentication?.networkTransactionId ?? '', /^\d{15}$/);
    assert.match(failure.originalAuthentication?.threeDSecure?.dsTransactionId ?? '', /^[0-9a-f-]{36}$/);
  });

  it('prices the whole subscription: every item’s unit amount times its quantity', async () => {
    const { customer, paymentMethod, price } = await subscribe(h.stripe);
    const seats = await h.stripe.prices.create({
      currency: 'eur',
      unit_amount: 450,
      recurring: { interval: 'month' },
      product_data: { name: 'Extra seat' },
    });
    const subscription = await h.stripe.subscriptions.create({
      customer: customer.id,
      items: [{ price: price.id }, { price: seats.id, quantity: 3 }],
    });
    await setCardBehavior(h, paymentMethod.id, 'insufficient_funds');
    await passPeriodEnd(h, subscription.id);
    const [renewal] = (await h.stripe.invoices.list({ subscription: subscription.id })).data;
    assert.ok(renewal);
    const failure = await h.adapter.loadRenewalFailure(renewal.id);
    assert.deepEqual(failure.subscription.price, { amount: 2900 + 3 * 450, currency: 'EUR' });
    assert.deepEqual(failure.amountDue, { amount: 4250, currency: 'EUR' });
    assert.deepEqual(
      failure.lines.map((line) => [line.amount.amount, line.quantity]),
      [
        [2900, 1],
        [1350, 3],
      ],
    );
  });

  it('keeps the card’s own billing address apart from the customer’s', async () => {
    const { renewal, paymentMethod } = await failedRenewal(h);
    await h.stripe.paymentMethods.update(paymentMethod.id, {
      billing_details: { address: { postal_code: '69001', country: 'FR' } },
    });
    const failure = await h.adapter.loadRenewalFailure(renewal.id);
    assert.equal(failure.card?.billingAddress?.postalCode, '69001');
    assert.equal(failure.customer.address?.postalCode, '75001');
  });

  it('brings the FlexCharge token through as null when the card carries none', async () => {
    const { renewal } = await failedRenewal(h, 'do_not_honor', { flexchargeToken: null });
    const failure = await h.adapter.loadRenewalFailure(renewal.id);
    assert.equal(failure.card?.flexchargeToken, null);
    assert.equal(failure.failedPayment.declineCode, 'do_not_honor');
    assert.equal(failure.failedPayment.networkDeclineCode, '05');
  });

  it('says engineInitiated false when the failed attempt was a merchant API call to invoices.pay', async () => {
    const { renewal } = await failedRenewal(h);
    await assert.rejects(h.stripe.invoices.pay(renewal.id), { type: 'StripeCardError' });
    const failure = await h.adapter.loadRenewalFailure(renewal.id);
    assert.equal(failure.engineInitiated, false);
    assert.equal(failure.attemptCount, 1, 'a manual attempt does not count as a retry');
    const charges = await h.stripe.charges.list({
      payment_intent: String(failure.failedPayment.paymentIntentId),
    });
    assert.equal(failure.failedPayment.chargeId, charges.data[0]?.id, 'the newest failed attempt');
  });

  it('counts the payment number across renewals and reports the later retry count', async () => {
    const { subscription, paymentMethod } = await subscribe(h.stripe);
    await passPeriodEnd(h, subscription.id);
    await setCardBehavior(h, paymentMethod.id, 'insufficient_funds');
    await passPeriodEnd(h, subscription.id);
    const [third] = (await h.stripe.invoices.list({ subscription: subscription.id })).data;
    assert.ok(third);
    h.clock.set((third.next_payment_attempt ?? 0) * 1000);
    await h.emulator.runDue();
    const failure = await h.adapter.loadRenewalFailure(third.id);
    assert.equal(failure.subscription.paymentNumber, 3);
    assert.equal(failure.attemptCount, 2);
    assert.equal(failure.engineInitiated, true, 'a Smart Retry is Stripe acting on its own too');
    assert.ok(failure.originalAuthentication?.threeDSecure, 'still the first payment');
  });

  it('finds no original authentication when the failing card is not the one the subscription started with', async () => {
    const { renewal, customer } = await failedRenewal(h);
    const other = await h.stripe.paymentMethods.attach('pm_card_mastercard', { customer: customer.id });
    await setCardBehavior(h, other.id, 'insufficient_funds');
    await h.stripe.customers.update(customer.id, { invoice_settings: { default_payment_method: other.id } });
    h.clock.set((renewal.next_payment_attempt ?? 0) * 1000);
    await h.emulator.runDue();
    const failure = await h.adapter.loadRenewalFailure(renewal.id);
    assert.equal(failure.card?.paymentMethodId, other.id);
    assert.equal(failure.card?.brand, 'mastercard');
    assert.equal(failure.originalAuthentication, null);
  });

  it('takes the 3DS and NTI of a later on-session payment made with the card that fails now', async () => {
    const { renewal, customer, subscription } = await failedRenewal(h);
    const newCard = await h.stripe.paymentMethods.attach('pm_card_authenticationRequiredSetupForOffSession', {
      customer: customer.id,
    });
    await h.stripe.invoices.pay(renewal.id, { payment_method: newCard.id, off_session: false });
    await h.stripe.customers.update(customer.id, {
      invoice_settings: { default_payment_method: newCard.id },
    });
    await setCardBehavior(h, newCard.id, 'insufficient_funds');
    await passPeriodEnd(h, subscription.id);
    const [next] = (await h.stripe.invoices.list({ subscription: subscription.id })).data;
    assert.ok(next && next.id !== renewal.id);

    const failure = await h.adapter.loadRenewalFailure(next.id);
    const [paidPayment] = (await h.stripe.invoicePayments.list({ invoice: renewal.id, status: 'paid' })).data;
    const pi = await h.stripe.paymentIntents.retrieve(String(paidPayment?.payment.payment_intent));
    assert.equal(failure.card?.paymentMethodId, newCard.id);
    assert.equal(failure.subscription.paymentNumber, 3);
    assert.deepEqual(failure.originalAuthentication?.source, { kind: 'payment', id: pi.latest_charge });
    assert.equal(failure.originalAuthentication?.threeDSecure?.authenticationFlow, 'challenge');
  });
});
