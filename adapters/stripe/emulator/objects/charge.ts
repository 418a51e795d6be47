import { randomInt } from 'node:crypto';
import type Stripe from 'stripe';
import type { DeclineSpec } from '../decline-codes.js';
import { newId } from '../ids.js';

export interface ThreeDSecureResult {
  flow: 'challenge' | 'frictionless';
  /** 3DS2 Directory Server transaction id (dsTransID). */
  transactionId: string;
}

export type ChargeResult =
  | {
      status: 'succeeded';
      networkTransactionId: string;
      authorizationCode: string;
      threeDSecure: ThreeDSecureResult | null;
    }
  | { status: 'failed'; decline: DeclineSpec; threeDSecure: ThreeDSecureResult | null };

export interface ChargeFields {
  id: string;
  created: number;
  amount: number;
  currency: string;
  customer: string;
  description: string | null;
  paymentIntent: string;
  paymentMethod: Stripe.PaymentMethod;
  /** Off-session charge of a saved card for a subscription renewal (a recurring MIT). */
  recurringMit: boolean;
  /** Confirmed with `payment_method_options[card][moto]=true`: echoed as `payment_method_details.card.moto`. */
  moto?: boolean;
  statementDescriptor: string;
  result: ChargeResult;
}

export function buildCharge(fields: ChargeFields): Stripe.Charge {
  const { result, amount } = fields;
  const card = fields.paymentMethod.card;
  const succeeded = result.status === 'succeeded';
  const cardDetails: Stripe.Charge.PaymentMethodDetails.Card = {
    amount_authorized: succeeded ? amount : null,
    authorization_code: succeeded ? result.authorizationCode : null,
    brand: card?.brand ?? null,
    checks: {
      address_line1_check: card?.checks?.address_line1_check ?? null,
      address_postal_code_check: card?.checks?.address_postal_code_check ?? null,
      cvc_check: fields.recurringMit ? null : (card?.checks?.cvc_check ?? null),
    },
    country: card?.country ?? null,
    electronic_commerce_indicator: eci(fields, card?.brand ?? ''),
    exp_month: card?.exp_month ?? 1,
    exp_year: card?.exp_year ?? 2030,
    extended_authorization: { status: 'disabled' },
    fingerprint: card?.fingerprint ?? null,
    funding: card?.funding ?? null,
    incremental_authorization: { status: 'unavailable' },
    installments: null,
    last4: card?.last4 ?? null,
    mandate: null,
    multicapture: { status: 'unavailable' },
    network: card?.brand ?? null,
    network_token: { used: false },
    network_transaction_id: succeeded ? result.networkTransactionId : null,
    overcapture: { maximum_amount_capturable: amount, status: 'unavailable' },
    regulated_status: card?.regulated_status ?? 'unregulated',
    three_d_secure: threeDSecure(result.threeDSecure, card?.brand ?? ''),
    transaction_link_id: null,
    wallet: null,
  };
  if (fields.recurringMit) cardDetails.stored_credential_usage = 'recurring';
  if (fields.moto) cardDetails.moto = true;
  return {
    id: fields.id,
    object: 'charge',
    amount,
    amount_captured: succeeded ? amount : 0,
    amount_refunded: 0,
    application: null,
    application_fee: null,
    application_fee_amount: null,
    balance_transaction: succeeded ? newId('balance_transaction') : null,
    billing_details: structuredClone(fields.paymentMethod.billing_details),
    calculated_statement_descriptor: fields.statementDescriptor,
    captured: succeeded,
    created: fields.created,
    currency: fields.currency,
    customer: fields.customer,
    description: fields.description,
    disputed: false,
    failure_balance_transaction: null,
    failure_code: succeeded ? null : result.decline.failureCode,
    failure_message: succeeded ? null : result.decline.message,
    fraud_details: {},
    livemode: false,
    metadata: {},
    on_behalf_of: null,
    outcome: outcome(result),
    paid: succeeded,
    payment_intent: fields.paymentIntent,
    payment_method: fields.paymentMethod.id,
    payment_method_details: { card: cardDetails, type: 'card' },
    receipt_email: null,
    receipt_number: null,
    receipt_url: null,
    refunded: false,
    refunds: { object: 'list', data: [], has_more: false, url: `/v1/charges/${fields.id}/refunds` },
    review: null,
    shipping: null,
    source: null,
    source_transfer: null,
    statement_descriptor: null,
    statement_descriptor_suffix: null,
    status: succeeded ? 'succeeded' : 'failed',
    transfer_data: null,
    transfer_group: null,
  };
}

function outcome(result: ChargeResult): Stripe.Charge.Outcome {
  if (result.status === 'succeeded') {
    return {
      advice_code: null,
      network_advice_code: null,
      network_decline_code: null,
      network_status: 'approved_by_network',
      reason: null,
      risk_level: 'normal',
      risk_score: randomInt(5, 50),
      seller_message: 'Payment complete.',
      type: 'authorized',
    };
  }
  const { decline } = result;
  if (decline.blocked) {
    return {
      advice_code: decline.adviceCode,
      network_advice_code: null,
      network_decline_code: null,
      network_status: 'not_sent_to_network',
      reason: 'highest_risk_level',
      risk_level: 'highest',
      risk_score: randomInt(80, 100),
      seller_message: 'Stripe blocked this payment as too risky.',
      type: 'blocked',
    };
  }
  return {
    advice_code: decline.adviceCode,
    network_advice_code: null,
    network_decline_code: decline.networkDeclineCode,
    network_status: 'declined_by_network',
    reason: decline.declineCode,
    risk_level: 'normal',
    risk_score: randomInt(5, 60),
    seller_message:
      decline.declineCode === 'generic_decline'
        ? 'The bank did not return any further details with this decline.'
        : `The bank returned the decline code \`${decline.declineCode}\`.`,
    type: 'issuer_declined',
  };
}

/** Visa/Amex/Discover say 05 for an authenticated 3DS payment, Mastercard 02; plain e-commerce is 07. */
function authenticatedEci(brand: string): '02' | '05' {
  return brand === 'mastercard' ? '02' : '05';
}

function eci(fields: ChargeFields, brand: string): string | null {
  if (fields.recurringMit || (brand !== 'visa' && brand !== 'mastercard')) return null;
  return fields.result.threeDSecure ? authenticatedEci(brand) : '07';
}

function threeDSecure(
  result: ThreeDSecureResult | null,
  brand: string,
): Stripe.Charge.PaymentMethodDetails.Card.ThreeDSecure | null {
  if (!result) return null;
  return {
    authentication_flow: result.flow,
    electronic_commerce_indicator: authenticatedEci(brand),
    exemption_indicator: null,
    exemption_indicator_applied: false,
    result: 'authenticated',
    result_reason: null,
    transaction_id: result.transactionId,
    version: '2.2.0',
  };
}
