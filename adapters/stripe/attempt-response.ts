import type Stripe from 'stripe';
import type {
  AttemptResponse,
  CardCheck,
  CardChecks,
  NetworkStatus,
} from '../../plugin/core/billing-engine.js';

/**
 * What Stripe recorded of one card attempt. The PaymentIntent's `last_payment_error` speaks first
 * when it is about this charge (it carries the decline code Stripe shows); the charge's `outcome`
 * and card details fill in the network's side: whether it got there, its raw code, the checks.
 */
export function attemptResponseOf(
  charge: Stripe.Charge | null,
  error: Stripe.PaymentIntent.LastPaymentError | null = null,
): AttemptResponse {
  const outcome = charge?.outcome ?? null;
  const card = charge?.payment_method_details?.card ?? null;
  return {
    code: error?.code ?? charge?.failure_code ?? null,
    declineCode:
      error?.decline_code ?? (outcome?.type === 'issuer_declined' ? (outcome.reason ?? null) : null),
    networkDeclineCode: error?.network_decline_code ?? outcome?.network_decline_code ?? null,
    networkStatus: NETWORK_STATUSES[outcome?.network_status ?? ''] ?? null,
    network: card?.network ?? null,
    checks: card?.checks ? checksOf(card.checks) : null,
  };
}

const NETWORK_STATUSES: Readonly<Record<string, NetworkStatus>> = {
  approved_by_network: 'approved',
  declined_by_network: 'declined',
  not_sent_to_network: 'not_sent',
  reversed_after_approval: 'reversed',
};

const CARD_CHECKS: ReadonlySet<string> = new Set<CardCheck>(['pass', 'fail', 'unavailable', 'unchecked']);

function checkOf(value: string | null): CardCheck | null {
  return value !== null && CARD_CHECKS.has(value) ? (value as CardCheck) : null;
}

function checksOf(checks: Stripe.Charge.PaymentMethodDetails.Card.Checks): CardChecks {
  return {
    addressLine1: checkOf(checks.address_line1_check),
    postalCode: checkOf(checks.address_postal_code_check),
    cvc: checkOf(checks.cvc_check),
  };
}
