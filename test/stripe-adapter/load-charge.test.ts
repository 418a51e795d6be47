import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { type AdapterHarness, type FailedRenewal, failedRenewal, startAdapterHarness } from './support.js';

describe('Stripe adapter: loadCharge', () => {
  let h: AdapterHarness;
  let failed: FailedRenewal;
  before(async () => {
    h = await startAdapterHarness();
    failed = await failedRenewal(h);
  });
  after(() => h.close());

  const chargesOf = async (customer: string) => (await h.stripe.charges.list({ customer })).data;

  it('reports a declined renewal charge as an off-session MIT with its decline and network codes', async () => {
    const charge = (await chargesOf(failed.customer.id)).find((c) => c.status === 'failed');
    assert.ok(charge);
    assert.deepEqual(await h.adapter.loadCharge(charge.id), {
      chargeId: charge.id,
      context: { initiator: 'merchant', orderSource: 'website', siteMetadata: null },
      succeeded: false,
      amount: { amount: 2900, currency: 'EUR' },
      createdAt: new Date(charge.created * 1000),
      invoiceId: failed.renewal.id,
      subscription: {
        id: failed.subscription.id,
        interval: 'month',
        intervalCount: 1,
        price: { amount: 2900, currency: 'EUR' },
      },
      offSession: true,
      code: 'card_declined',
      declineCode: 'insufficient_funds',
      networkDeclineCode: '51',
      networkStatus: 'declined',
      network: 'visa',
      checks: {
        addressLine1: charge.payment_method_details?.card?.checks?.address_line1_check ?? null,
        postalCode: charge.payment_method_details?.card?.checks?.address_postal_code_check ?? null,
        cvc: null,
      },
      card: {
        paymentMethodId: failed.paymentMethod.id,
        brand: 'visa',
        funding: 'credit',
        country: 'FR',
        expMonth: failed.paymentMethod.card?.exp_month,
        expYear: failed.paymentMethod.card?.exp_year,
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
      },
      customer: { id: failed.customer.id, email: 'jenny@example.com', phone: '+33612345678' },
      statementDescriptor: 'STRIPE EMULATOR',
    });
  });

  it('reports the first, customer-initiated payment as succeeded and on-session', async () => {
    const charge = (await chargesOf(failed.customer.id)).find((c) => c.status === 'succeeded');
    assert.ok(charge);
    const report = await h.adapter.loadCharge(charge.id);
    assert.equal(report.succeeded, true);
    assert.equal(report.offSession, false);
    assert.equal(report.invoiceId, String(failed.subscription.latest_invoice));
    assert.equal(report.subscription?.id, failed.subscription.id);
    assert.equal(report.code, null);
    assert.equal(report.declineCode, null);
    assert.equal(report.networkDeclineCode, null);
    assert.equal(report.networkStatus, 'approved');
  });
});
