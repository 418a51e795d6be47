import type Stripe from 'stripe';
import { invoicePrefix } from '../ids.js';
import type { StripeAddress } from '../param-schemas.js';

export interface CustomerFields {
  id: string;
  created: number;
  email: string | null;
  name: string | null;
  phone: string | null;
  description: string | null;
  address: StripeAddress | null;
  metadata: Record<string, string>;
  defaultPaymentMethod: string | null;
}

/** A customer in the endive shape (every key of Stripe's fixture, realistic defaults). */
export function buildCustomer(fields: CustomerFields): Stripe.Customer {
  return {
    id: fields.id,
    object: 'customer',
    address: fields.address,
    balance: 0,
    created: fields.created,
    currency: null,
    customer_account: null,
    default_source: null,
    delinquent: false,
    description: fields.description,
    discount: null,
    email: fields.email,
    invoice_prefix: invoicePrefix(),
    invoice_settings: {
      custom_fields: null,
      default_payment_method: fields.defaultPaymentMethod,
      footer: null,
      rendering_options: null,
    },
    livemode: false,
    metadata: fields.metadata,
    name: fields.name,
    next_invoice_sequence: 1,
    phone: fields.phone,
    preferred_locales: [],
    shipping: null,
    tax_exempt: 'none',
    test_clock: null,
  };
}
