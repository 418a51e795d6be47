import type { ThreeDSecureDetails, ThreeDSecureResult } from '../../plugin/core/billing-engine.js';

/** The `three_d_secure` hash charges and SetupAttempts share (SetupAttempts lack the exemption fields). */
interface StripeThreeDSecure {
  readonly authentication_flow: string | null;
  readonly electronic_commerce_indicator: string | null;
  readonly result: string | null;
  readonly result_reason: string | null;
  readonly transaction_id: string | null;
  readonly version: string | null;
}

const RESULTS: ReadonlySet<string> = new Set<ThreeDSecureResult>([
  'authenticated',
  'attempt_acknowledged',
  'exempted',
  'failed',
  'not_supported',
  'processing_error',
  'data_share_only',
]);

/**
 * Stripe's 3-D Secure hash in the plugin's terms. Stripe puts both protocols' ids in one
 * `transaction_id`: the XID for 3-D Secure 1, the Directory Server transaction id for 2; they are
 * different fields to anyone downstream. A result Stripe adds later reads as null, not as a guess.
 */
export function threeDSecureDetailsOf(
  tds: StripeThreeDSecure,
  eciFallback: string | null = null,
): ThreeDSecureDetails {
  const version = tds.version ?? null;
  const isVersion1 = version?.startsWith('1.') ?? false;
  const flow = tds.authentication_flow;
  return {
    version,
    eci: tds.electronic_commerce_indicator ?? eciFallback,
    result: tds.result !== null && RESULTS.has(tds.result) ? (tds.result as ThreeDSecureResult) : null,
    resultReason: tds.result_reason ?? null,
    authenticationFlow: flow === 'challenge' || flow === 'frictionless' ? flow : null,
    dsTransactionId: isVersion1 ? null : (tds.transaction_id ?? null),
    xid: isVersion1 ? (tds.transaction_id ?? null) : null,
  };
}
