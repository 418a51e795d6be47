import { createFakeBillingEngine } from '../support/fakes/fake-billing-engine.js';
import { billingEngineContract } from './billing-engine-contract.js';

billingEngineContract('in-memory fake', async () => {
  const engine = createFakeBillingEngine();
  return {
    engine,
    async declinedRenewal() {
      const invoice = engine.addDeclinedRenewal();
      return { invoiceId: invoice.id, subscriptionId: invoice.subscriptionId, amountDue: invoice.amountDue };
    },
    payElsewhere: async (invoiceId) => engine.settleOutside(invoiceId, 'paid'),
    voidInvoice: async (invoiceId) => engine.settleOutside(invoiceId, 'void'),
    async cancelSubscription(invoiceId) {
      engine.invoice(invoiceId).subscriptionStatus = 'canceled';
    },
    async setAutoAdvance(invoiceId, on) {
      engine.invoice(invoiceId).autoAdvance = on;
    },
    close: async () => {},
  };
});
