import type Stripe from 'stripe';

export interface InvoicePaymentFields {
  id: string;
  created: number;
  invoice: string;
  paymentIntent: string;
  amountRequested: number;
  currency: string;
}

/** The invoice's default payment, created at finalization and tied to its PaymentIntent (basil+). */
export function buildInvoicePayment(fields: InvoicePaymentFields): Stripe.InvoicePayment {
  return {
    id: fields.id,
    object: 'invoice_payment',
    amount_paid: null,
    amount_requested: fields.amountRequested,
    created: fields.created,
    currency: fields.currency,
    invoice: fields.invoice,
    is_default: true,
    livemode: false,
    payment: { type: 'payment_intent', payment_intent: fields.paymentIntent },
    status: 'open',
    status_transitions: { canceled_at: null, paid_at: null },
  };
}
