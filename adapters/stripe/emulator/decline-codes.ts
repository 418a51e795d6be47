/**
 * What a decline looks like on Stripe objects, per decline code (docs.stripe.com/declines/codes).
 * `hard` marks the codes Stripe's retry logic won't retry with the same payment method
 * (lost/stolen/pickup/fraud, revoked authorisations, off-session authentication).
 * Network codes are the usual ISO 8583 / Visa values for the reason.
 */

export type AdviceCode = 'confirm_card_data' | 'do_not_try_again' | 'try_again_later';

export interface DeclineSpec {
  declineCode: string;
  /** `failure_code` on the charge and `code` on the error. */
  failureCode: string;
  message: string;
  networkDeclineCode: string | null;
  adviceCode: AdviceCode | null;
  hard: boolean;
  /** Radar blocks never reach the network. */
  blocked?: boolean;
}

const DECLINED = 'Your card was declined.';

const SPECS: readonly DeclineSpec[] = [
  spec('generic_decline', DECLINED, null, null),
  spec('insufficient_funds', 'Your card has insufficient funds.', '51', 'try_again_later'),
  spec('do_not_honor', DECLINED, '05', null),
  spec(
    'card_velocity_exceeded',
    'Your card was declined for making repeated attempts too frequently or exceeding its amount limit.',
    '61',
    'try_again_later',
  ),
  spec('withdrawal_count_limit_exceeded', DECLINED, '65', 'try_again_later'),
  spec('try_again_later', DECLINED, '19', 'try_again_later'),
  spec('issuer_not_available', DECLINED, '91', 'try_again_later'),
  spec('call_issuer', DECLINED, '01', null),
  spec('expired_card', 'Your card has expired.', '54', 'confirm_card_data', { failureCode: 'expired_card' }),
  spec('incorrect_cvc', "Your card's security code is incorrect.", 'N7', 'confirm_card_data', {
    failureCode: 'incorrect_cvc',
  }),
  spec(
    'processing_error',
    'An error occurred while processing your card. Try again in a little bit.',
    null,
    'try_again_later',
    { failureCode: 'processing_error' },
  ),
  spec('lost_card', DECLINED, '41', 'do_not_try_again', { hard: true }),
  spec('stolen_card', DECLINED, '43', 'do_not_try_again', { hard: true }),
  spec('pickup_card', DECLINED, '04', 'do_not_try_again', { hard: true }),
  spec('restricted_card', DECLINED, '62', 'do_not_try_again', { hard: true }),
  spec('incorrect_number', 'Your card number is incorrect.', '14', 'do_not_try_again', {
    hard: true,
    failureCode: 'incorrect_number',
  }),
  spec('revocation_of_authorization', DECLINED, 'R0', 'do_not_try_again', { hard: true }),
  spec('revocation_of_all_authorizations', DECLINED, 'R1', 'do_not_try_again', { hard: true }),
  spec('security_violation', DECLINED, '63', 'do_not_try_again', { hard: true }),
  spec(
    'authentication_required',
    'Your card was declined. This transaction requires authentication.',
    '1A',
    null,
    { hard: true },
  ),
  spec('fraudulent', DECLINED, null, 'do_not_try_again', { hard: true, blocked: true }),
];

const byCode = new Map(SPECS.map((s) => [s.declineCode, s]));

export function declineSpec(declineCode: string): DeclineSpec {
  return byCode.get(declineCode) ?? spec(declineCode, DECLINED, null, null);
}

export function isKnownDeclineCode(declineCode: string): boolean {
  return byCode.has(declineCode);
}

export const KNOWN_DECLINE_CODES: readonly string[] = SPECS.map((s) => s.declineCode);

function spec(
  declineCode: string,
  message: string,
  networkDeclineCode: string | null,
  adviceCode: AdviceCode | null,
  extra: { hard?: boolean; blocked?: boolean; failureCode?: string } = {},
): DeclineSpec {
  return {
    declineCode,
    failureCode: extra.failureCode ?? 'card_declined',
    message,
    networkDeclineCode,
    adviceCode,
    hard: extra.hard ?? false,
    ...(extra.blocked ? { blocked: true } : {}),
  };
}
