import type Stripe from 'stripe';
import type { StripeAddress } from '../param-schemas.js';

export type PaymentRecordOutcome = 'guaranteed' | 'failed' | 'canceled';

export interface PaymentRecordFields {
  id: string;
  created: number;
  attemptId: string;
  currency: string;
  value: number;
  outcome: PaymentRecordOutcome | null;
  customer: {
    customer: string | null;
    email: string | null;
    name: string | null;
    phone: string | null;
  } | null;
  customerPresence: 'off_session' | 'on_session' | null;
  description: string | null;
  paymentMethod: {
    /** `custom`, or the type of the Stripe PaymentMethod named. */
    type: string;
    paymentMethod: string | null;
    custom: { display_name: string; type: string | null } | null;
    billing: {
      address: StripeAddress;
      email: string | null;
      name: string | null;
      phone: string | null;
    } | null;
  };
  paymentReference: string | null;
  shipping: { address: StripeAddress; name: string | null; phone: string | null } | null;
  metadata: Record<string, string>;
}

/**
 * A Payment Record as `report_payment` answers it: the payment a processor other than Stripe took.
 * Its amounts follow the outcome reported: a guaranteed payment counts in `amount_guaranteed`, a
 * failed one in `amount_failed`, a canceled one in `amount_canceled`; nothing is refunded yet.
 */
export function buildPaymentRecord(fields: PaymentRecordFields): Stripe.PaymentRecord {
  const money = (value: number) => ({ currency: fields.currency, value });
  const counted = (outcome: PaymentRecordOutcome) => money(fields.outcome === outcome ? fields.value : 0);
  const pm = fields.paymentMethod;
  return {
    id: fields.id,
    object: 'payment_record',
    amount: money(fields.value),
    amount_authorized: money(0),
    amount_canceled: counted('canceled'),
    amount_failed: counted('failed'),
    amount_guaranteed: counted('guaranteed'),
    amount_refunded: money(0),
    amount_requested: money(fields.value),
    application: null,
    created: fields.created,
    customer_details: fields.customer,
    customer_presence: fields.customerPresence,
    description: fields.description,
    latest_payment_attempt_record: fields.attemptId,
    livemode: false,
    metadata: fields.metadata,
    payment_method_details: {
      billing_details: pm.billing,
      ...(pm.custom ? { custom: pm.custom } : {}),
      payment_method: pm.paymentMethod,
      type: pm.type,
    },
    processor_details: {
      type: 'custom',
      custom: { payment_reference: fields.paymentReference },
    },
    reported_by: 'self',
    shipping_details: fields.shipping,
  };
}
