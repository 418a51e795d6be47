import type { ThreeDSecureDetails, ThreeDSecureResult } from '../../plugin/core/billing-engine.js';
import type { EvaluateRequest } from './wire/requests.js';

type ThreeDSecure = NonNullable<EvaluateRequest['threeDSecure']>;

/**
 * EMV 3-D Secure transaction status (`transStatus`) for each of Stripe's results: Y authenticated,
 * A attempted (proof of the attempt, no authentication), N not authenticated, I informational only
 * (an exemption the issuer accepted, or data shared without asking for authentication), U could not
 * be performed (not supported for the card or network, or a technical error).
 */
const TRANS_STATUS: Readonly<Record<ThreeDSecureResult, string>> = {
  authenticated: 'Y',
  attempt_acknowledged: 'A',
  failed: 'N',
  exempted: 'I',
  data_share_only: 'I',
  not_supported: 'U',
  processing_error: 'U',
};

/**
 * The initial customer-initiated transaction's 3-D Secure as FlexCharge's `threeDSecure` (contract
 * §6.11, field names as ActiveMerchant sends them). In 3-D Secure 2 the directory's answer (ARes) is
 * the final one for a frictionless flow and C ("challenge required") for a challenge, whose final
 * answer (RReq) is the authentication response; 3-D Secure 1 has no directory status, and its id is
 * the XID. `enrolled` is said only where Stripe shows it: an issuer answered (authenticated or
 * failed), or the card was not enrolled. Stripe does not expose the CAVV, so none is sent.
 * Null when nothing is known.
 */
export function threeDSecureOf(tds: ThreeDSecureDetails): ThreeDSecure | null {
  const isVersion1 = tds.version?.startsWith('1.') ?? false;
  const final =
    tds.result === 'failed' && tds.resultReason === 'rejected'
      ? 'R'
      : tds.result
        ? TRANS_STATUS[tds.result]
        : undefined;
  const directory = isVersion1 || !final ? undefined : tds.authenticationFlow === 'challenge' ? 'C' : final;
  const enrolled =
    tds.resultReason === 'card_not_enrolled'
      ? 'N'
      : tds.result === 'authenticated' || tds.result === 'failed'
        ? 'Y'
        : undefined;
  const body: ThreeDSecure = {
    ...(tds.version ? { threeDsVersion: tds.version } : {}),
    ...(tds.eci ? { EcommerceIndicator: tds.eci } : {}),
    ...(tds.dsTransactionId ? { directoryServerTransactionId: tds.dsTransactionId } : {}),
    ...(tds.xid ? { xid: tds.xid } : {}),
    ...(directory ? { directoryResponseStatus: directory } : {}),
    ...(final ? { authenticationResponseStatus: final } : {}),
    ...(enrolled ? { enrolled } : {}),
  };
  return Object.keys(body).length > 0 ? body : null;
}
