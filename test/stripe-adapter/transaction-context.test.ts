import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import Stripe from 'stripe';
import { createStripeBillingAdapter } from '../../adapters/stripe/stripe-billing-adapter.js';
import { DEFAULT_METADATA_KEYS, transactionContextOf } from '../../adapters/stripe/transaction-context.js';
import {
  type AdapterHarness,
  failedRenewal,
  passPeriodEnd,
  setCardBehavior,
  startAdapterHarness,
  WEBHOOK_SECRET,
} from './support.js';

/** A customer with a card attached (no subscription yet). */
async function customerWithCard(stripe: Stripe, card = 'pm_card_visa', metadata: Stripe.MetadataParam = {}) {
  const customer = await stripe.customers.create({ email: 'sam@example.com', name: 'Sam Agent', metadata });
  const pm = await stripe.paymentMethods.attach(card, { customer: customer.id });
  return { customer, pm };
}

/** The PaymentIntent of an invoice (basil+: through its InvoicePayments). */
async function intentOf(stripe: Stripe, invoiceId: string): Promise<string> {
  const payments = await stripe.invoicePayments.list({ invoice: invoiceId });
  const pi = payments.data[0]?.payment.payment_intent;
  assert.ok(pi, `invoice ${invoiceId} has a PaymentIntent`);
  return typeof pi === 'string' ? pi : pi.id;
}

describe('Stripe adapter: the transaction context of a payment', () => {
  let h: AdapterHarness;
  before(async () => {
    h = await startAdapterHarness();
  });
  after(() => h.close());

  it('reads a renewal Stripe Billing declined off-session as merchant-initiated from the website', async () => {
    const failed = await failedRenewal(h);
    const renewal = await h.adapter.loadRenewalFailure(failed.renewal.id);
    assert.deepEqual(renewal.context, { initiator: 'merchant', orderSource: 'website', siteMetadata: null });
  });

  it("reads a subscription's first invoice, paid on-session at checkout, as customer-initiated", async () => {
    const failed = await failedRenewal(h);
    const charges = await h.stripe.charges.list({ customer: failed.customer.id });
    const first = charges.data.find((c) => c.status === 'succeeded');
    assert.ok(first);
    const report = await h.adapter.loadCharge(first.id);
    assert.deepEqual(report.context, { initiator: 'customer', orderSource: 'website', siteMetadata: null });
    assert.equal(report.offSession, false);
  });

  it('reads a declined subscription_create invoice as customer-initiated', async () => {
    const { customer, pm } = await customerWithCard(h.stripe, 'pm_card_chargeCustomerFail');
    const price = await h.stripe.prices.create({
      currency: 'usd',
      unit_amount: 1500,
      recurring: { interval: 'month' },
      product_data: { name: 'Basic' },
    });
    const sub = await h.stripe.subscriptions.create({
      customer: customer.id,
      items: [{ price: price.id }],
      default_payment_method: pm.id,
    });
    assert.equal(sub.status, 'incomplete');
    const failure = await h.adapter.loadRenewalFailure(String(sub.latest_invoice));
    assert.equal(failure.billingReason, 'subscription_create');
    assert.deepEqual(failure.context, { initiator: 'customer', orderSource: 'website', siteMetadata: null });
  });

  describe('MOTO (an agent keys the card in on the phone)', () => {
    async function motoSubscription(card: string) {
      const { customer, pm } = await customerWithCard(h.stripe, card);
      const price = await h.stripe.prices.create({
        currency: 'usd',
        unit_amount: 2500,
        recurring: { interval: 'month' },
        product_data: { name: 'Phone plan' },
      });
      const sub = await h.stripe.subscriptions.create({
        customer: customer.id,
        items: [{ price: price.id }],
        payment_behavior: 'default_incomplete',
      });
      const invoiceId = String(sub.latest_invoice);
      return { customer, pm, sub, invoiceId, pi: await intentOf(h.stripe, invoiceId) };
    }

    it('the emulator takes payment_method_options.card.moto on confirm and echoes it on the charge', async () => {
      const { pm, sub, pi } = await motoSubscription('pm_card_threeDSecure2Required');
      const confirmed = await h.stripe.paymentIntents.confirm(pi, {
        payment_method: pm.id,
        payment_method_options: { card: { moto: true } },
        expand: ['latest_charge'],
      });
      assert.equal(confirmed.status, 'succeeded');
      const charge = confirmed.latest_charge as Stripe.Charge;
      assert.equal(charge.payment_method_details?.card?.moto, true);
      // Out of scope for SCA: the card that needs 3-D Secure on-session is charged without it.
      assert.equal(charge.payment_method_details?.card?.three_d_secure, null);
      assert.equal((await h.stripe.subscriptions.retrieve(sub.id)).status, 'active');

      const report = await h.adapter.loadCharge(charge.id);
      assert.deepEqual(report.context, {
        initiator: 'customer',
        orderSource: 'call_center',
        siteMetadata: null,
      });
      assert.equal(report.offSession, false);
    });

    it('a charge confirmed without the flag carries no moto', async () => {
      const { pm, pi } = await motoSubscription('pm_card_visa');
      const confirmed = await h.stripe.paymentIntents.confirm(pi, {
        payment_method: pm.id,
        expand: ['latest_charge'],
      });
      const charge = confirmed.latest_charge as Stripe.Charge;
      assert.equal(charge.payment_method_details?.card?.moto, undefined);
      assert.equal((await h.adapter.loadCharge(charge.id)).context.orderSource, 'website');
    });

    it('a declined MOTO payment of an invoice is a customer-initiated call-center failure', async () => {
      const { pm, invoiceId, pi } = await motoSubscription('pm_card_chargeCustomerFail');
      await assert.rejects(
        h.stripe.paymentIntents.confirm(pi, {
          payment_method: pm.id,
          payment_method_options: { card: { moto: true } },
        }),
        (error: unknown) => error instanceof Stripe.errors.StripeCardError,
      );
      const failure = await h.adapter.loadRenewalFailure(invoiceId);
      assert.equal(failure.failedPayment.declineCode, 'generic_decline');
      assert.deepEqual(failure.context, {
        initiator: 'customer',
        orderSource: 'call_center',
        siteMetadata: null,
      });
    });
  });

  it('reads the order channel from metadata, most specific object first, any casing', async () => {
    const failed = await failedRenewal(h);
    await h.stripe.customers.update(failed.customer.id, { metadata: { order_channel: 'Phone' } });
    const byCustomer = await h.adapter.loadRenewalFailure(failed.renewal.id);
    assert.equal(byCustomer.context.orderSource, 'call_center');
    // A renewal stays the merchant's own charge whoever took the order.
    assert.equal(byCustomer.context.initiator, 'merchant');

    await h.stripe.subscriptions.update(failed.subscription.id, { metadata: { order_channel: 'MOTO' } });
    assert.equal((await h.adapter.loadRenewalFailure(failed.renewal.id)).context.orderSource, 'call_center');

    await h.stripe.invoices.update(failed.renewal.id, { metadata: { order_channel: 'web' } });
    assert.equal((await h.adapter.loadRenewalFailure(failed.renewal.id)).context.orderSource, 'website');

    await h.stripe.invoices.update(failed.renewal.id, { metadata: { order_channel: ' call_center ' } });
    assert.equal((await h.adapter.loadRenewalFailure(failed.renewal.id)).context.orderSource, 'call_center');
  });

  it('reads the site from the invoice, then the subscription, then the price, then the product', async () => {
    const product = await h.stripe.products.create({
      name: 'Site plan',
      metadata: { flexcharge_site: 'from-product' },
    });
    const plainPrice = await h.stripe.prices.create({
      currency: 'usd',
      unit_amount: 1900,
      recurring: { interval: 'month' },
      product: product.id,
    });
    const namedPrice = await h.stripe.prices.create({
      currency: 'usd',
      unit_amount: 1900,
      recurring: { interval: 'month' },
      product: product.id,
      metadata: { flexcharge_site: 'from-price' },
    });
    const renewalOf = async (priceId: string) => {
      const { customer, pm } = await customerWithCard(h.stripe);
      const sub = await h.stripe.subscriptions.create({
        customer: customer.id,
        items: [{ price: priceId }],
        default_payment_method: pm.id,
      });
      await setCardBehavior(h, pm.id, 'insufficient_funds');
      await passPeriodEnd(h, sub.id);
      const invoices = await h.stripe.invoices.list({ subscription: sub.id });
      const renewal = invoices.data.find((inv) => inv.billing_reason === 'subscription_cycle');
      assert.ok(renewal);
      return { sub, renewal };
    };
    const site = async (invoiceId: string) =>
      (await h.adapter.loadRenewalFailure(invoiceId)).context.siteMetadata;

    const onPlain = await renewalOf(plainPrice.id);
    assert.equal(await site(onPlain.renewal.id), 'from-product');

    const onNamed = await renewalOf(namedPrice.id);
    assert.equal(await site(onNamed.renewal.id), 'from-price');

    await h.stripe.subscriptions.update(onNamed.sub.id, {
      metadata: { flexcharge_site: 'from-subscription' },
    });
    assert.equal(await site(onNamed.renewal.id), 'from-subscription');

    await h.stripe.invoices.update(onNamed.renewal.id, { metadata: { flexcharge_site: 'from-invoice' } });
    assert.equal(await site(onNamed.renewal.id), 'from-invoice');

    const charges = await h.stripe.charges.list({ customer: String(onNamed.renewal.customer) });
    const failedCharge = charges.data.find((c) => c.status === 'failed');
    assert.ok(failedCharge);
    assert.equal((await h.adapter.loadCharge(failedCharge.id)).context.siteMetadata, 'from-invoice');
  });

  it("uses the merchant's own metadata keys when it configured them", async () => {
    const adapter = createStripeBillingAdapter({
      stripe: h.stripe,
      webhookSecret: WEBHOOK_SECRET,
      clock: h.clock,
      metadataKeys: { site: 'shop', orderChannel: 'channel' },
    });
    const failed = await failedRenewal(h);
    await h.stripe.subscriptions.update(failed.subscription.id, {
      metadata: { shop: 'eu-store', channel: 'phone', flexcharge_site: 'ignored', order_channel: 'web' },
    });
    const renewal = await adapter.loadRenewalFailure(failed.renewal.id);
    assert.deepEqual(renewal.context, {
      initiator: 'merchant',
      orderSource: 'call_center',
      siteMetadata: 'eu-store',
    });
  });
});

describe('the shopper IP a checkout recorded', () => {
  it('is read from customer_ip metadata, most specific object first, and only when it is an IP', () => {
    const evidence = (channelSources: Record<string, string>[]) => ({
      keys: DEFAULT_METADATA_KEYS,
      charge: null,
      offSession: false,
      channelSources,
      siteMetadata: null,
    });
    assert.equal(
      transactionContextOf(evidence([{ customer_ip: '203.0.113.7' }, { customer_ip: '198.51.100.1' }]))
        .customerIp,
      '203.0.113.7',
    );
    assert.equal(transactionContextOf(evidence([{ customer_ip: 'not an ip' }])).customerIp, undefined);
    assert.equal(transactionContextOf(evidence([{}])).customerIp, undefined);
  });
});
