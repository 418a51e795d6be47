import type Stripe from 'stripe';
import { cardFingerprint } from '../ids.js';
import type { StripeAddress } from '../param-schemas.js';
import type { TestCard } from '../test-cards.js';

export interface BillingDetailsFields {
  name: string | null;
  email: string | null;
  phone: string | null;
  address: StripeAddress | null;
}

export interface CardPaymentMethodFields {
  id: string;
  created: number;
  card: TestCard;
  expMonth: number;
  expYear: number;
  cvcChecked: boolean;
  billingDetails: BillingDetailsFields;
  metadata: Record<string, string>;
}

/** A `type: card` PaymentMethod; brand, funding, country and last4 come from the test card. */
export function buildCardPaymentMethod(fields: CardPaymentMethodFields): Stripe.PaymentMethod {
  const { card } = fields;
  return {
    id: fields.id,
    object: 'payment_method',
    allow_redisplay: 'unspecified',
    billing_details: billingDetails(fields.billingDetails),
    card: {
      brand: card.brand,
      checks: {
        address_line1_check: fields.billingDetails.address?.line1 ? 'pass' : null,
        address_postal_code_check: fields.billingDetails.address?.postal_code ? 'pass' : null,
        cvc_check: fields.cvcChecked ? 'pass' : null,
      },
      country: card.country,
      display_brand: displayBrand(card.brand),
      exp_month: fields.expMonth,
      exp_year: fields.expYear,
      fingerprint: cardFingerprint(card.number),
      funding: card.funding,
      generated_from: null,
      last4: card.number.slice(-4),
      networks: { available: [card.brand], preferred: null },
      regulated_status: card.funding === 'debit' ? 'regulated' : 'unregulated',
      three_d_secure_usage: { supported: true },
      wallet: null,
    },
    created: fields.created,
    customer: null,
    customer_account: null,
    livemode: false,
    metadata: fields.metadata,
    type: 'card',
  };
}

export function billingDetails(fields: BillingDetailsFields): Stripe.PaymentMethod.BillingDetails {
  return {
    address: fields.address ?? {
      city: null,
      country: null,
      line1: null,
      line2: null,
      postal_code: null,
      state: null,
    },
    email: fields.email,
    name: fields.name,
    phone: fields.phone,
    tax_id: null,
  };
}

function displayBrand(brand: string): string {
  return brand === 'amex' ? 'american_express' : brand === 'diners' ? 'diners_club' : brand;
}
