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
      declineCode: 'insufficient_funds',
      responseCode: '51',
      card: {
        paymentMethodId: failed.paymentMethod.id,
        brand: 'visa',
        funding: 'credit',
        country: 'FR',
        expMonth: failed.paymentMethod.card?.exp_month,
        expYear: failed.paymentMethod.card?.exp_year,
        last4: '3155',
        holderName: 'Jenny Rosen',
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
    assert.equal(report.declineCode, null);
    assert.equal(report.responseCode, null);
  });
});
