import { failedRenewal, setCardBehavior, startAdapterHarness } from '../stripe-adapter/support.js';
import { billingEngineContract } from './billing-engine-contract.js';

/** The Stripe adapter through the real `stripe` SDK, against the local Stripe emulator over HTTP. */
billingEngineContract('Stripe adapter on the emulator', async () => {
  const h = await startAdapterHarness();
  const renewals = new Map<string, { subscriptionId: string; paymentMethodId: string }>();
  const renewalOf = (invoiceId: string) => renewals.get(invoiceId) ?? notOurs(invoiceId);
  return {
    engine: h.adapter,
    async declinedRenewal() {
      const { renewal, subscription, paymentMethod } = await failedRenewal(h);
      renewals.set(renewal.id, { subscriptionId: subscription.id, paymentMethodId: paymentMethod.id });
      return {
        invoiceId: renewal.id,
        subscriptionId: subscription.id,
        amountDue: { amount: renewal.amount_remaining, currency: renewal.currency.toUpperCase() },
      };
    },
    async payElsewhere(invoiceId) {
      await setCardBehavior(h, renewalOf(invoiceId).paymentMethodId, null);
      await h.stripe.invoices.pay(invoiceId);
    },
    async voidInvoice(invoiceId) {
      await h.stripe.invoices.voidInvoice(invoiceId);
    },
    async cancelSubscription(invoiceId) {
      await h.stripe.subscriptions.cancel(renewalOf(invoiceId).subscriptionId);
    },
    async setAutoAdvance(invoiceId, on) {
      await h.stripe.invoices.update(invoiceId, { auto_advance: on });
    },
    close: () => h.close(),
  };
});

function notOurs(invoiceId: string): never {
  throw new Error(`invoice ${invoiceId} was not made by this subject`);
}
