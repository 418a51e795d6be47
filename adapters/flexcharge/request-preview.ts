import type { RequestPreview } from '../../plugin/core/rescue-provider.js';
import { REDACTED, redact } from './redact.js';
import { type ContractCheck, contractProblems } from './wire/contract-requirements.js';

/**
 * A request built but not sent (shadow mode): checked against the contract on its real values,
 * then redacted. The card token goes entirely (not even its last four), and every other secret as
 * `redact` does it for the call log.
 */
export function previewOf(
  check: ContractCheck,
  body: Readonly<Record<string, unknown>>,
  cardToken?: string,
): RequestPreview {
  const problems = contractProblems(check, body);
  const redacted = redact(body, { secrets: cardToken ? [cardToken] : [] }) as Record<string, unknown>;
  const { paymentMethod } = redacted;
  const withoutToken =
    cardToken !== undefined && typeof paymentMethod === 'object' && paymentMethod !== null
      ? { ...redacted, paymentMethod: { ...paymentMethod, cardNumber: REDACTED } }
      : redacted;
  return { body: withoutToken, problems };
}
