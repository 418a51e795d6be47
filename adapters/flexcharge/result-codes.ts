import type { AttemptResponse, CardCheck, CardChecks } from '../../plugin/core/billing-engine.js';

/**
 * The result codes FlexCharge's `transaction` carries (contract §6.2; required by the 2024 sandbox),
 * read off what the engine recorded of the attempt, never made up.
 *
 * `NA` stands for "the engine reported nothing": the placeholder FlexCharge documents for
 * `cavvResultCode` and shows for `cvvResultCode`, used for every code so that "not reported" never
 * reads as a result.
 */
export const NOT_REPORTED = 'NA';

export interface TransactionResultCodes {
  readonly responseCode: string;
  /** Who produced `responseCode`, i.e. which vocabulary it is in. Never empty (FlexCharge refuses ""). */
  readonly responseCodeSource: string;
  readonly avsResultCode: string;
  readonly cvvResultCode: string;
  readonly cavvResultCode: string;
}

export function transactionResultCodes(attempt: AttemptResponse): TransactionResultCodes {
  return {
    ...responseCodeOf(attempt),
    avsResultCode: avsCodeOf(attempt.checks),
    cvvResultCode: cvvCodeOf(attempt.checks?.cvc ?? null),
    // Stripe reports the outcome of 3-D Secure, not the issuer's verification of the CAVV, and a
    // renewal is charged without authentication anyway: there is no CAVV result to pass on.
    cavvResultCode: NOT_REPORTED,
  };
}

/**
 * The issuer's own code (ISO 8583, e.g. `51`) when the network relayed one, sourced to that network
 * (`visa`), whose vocabulary it is in; otherwise the engine's decline or failure code, sourced to it.
 */
function responseCodeOf(
  attempt: AttemptResponse,
): Pick<TransactionResultCodes, 'responseCode' | 'responseCodeSource'> {
  if (attempt.networkDeclineCode) {
    return { responseCode: attempt.networkDeclineCode, responseCodeSource: attempt.network ?? 'network' };
  }
  const engineCode = attempt.declineCode ?? attempt.code;
  return { responseCode: engineCode ?? NOT_REPORTED, responseCodeSource: 'stripe' };
}

/**
 * The card checks as one AVS letter (Visa's table, which the other networks share for these cases):
 * Y both match, A street only, Z postal code only, N a check failed, B/P one matched and the other
 * was not verified, U the issuer could not check.
 */
function avsCodeOf(checks: CardChecks | null): string {
  const street = checks?.addressLine1 ?? null;
  const postal = checks?.postalCode ?? null;
  if (street === 'pass' && postal === 'pass') return 'Y';
  if (street === 'pass' && postal === 'fail') return 'A';
  if (street === 'fail' && postal === 'pass') return 'Z';
  if (street === 'fail' || postal === 'fail') return 'N';
  if (street === 'pass') return 'B';
  if (postal === 'pass') return 'P';
  if (street === 'unavailable' || postal === 'unavailable') return 'U';
  return NOT_REPORTED;
}

/** M match, N no match, U the issuer does not check, P not processed. */
function cvvCodeOf(cvc: CardCheck | null): string {
  switch (cvc) {
    case 'pass':
      return 'M';
    case 'fail':
      return 'N';
    case 'unavailable':
      return 'U';
    case 'unchecked':
      return 'P';
    case null:
      return NOT_REPORTED;
  }
}
