import type { FlexChargeOperation } from './call-log.js';
import type { ParsedErrorBody } from './flexcharge-error-body.js';

/**
 * FlexCharge answers 409 for two idempotency conflicts (contract §10): the same key while the first
 * request is still being processed, which is worth retrying once it finishes, and the same key with
 * another payload, which no retry can fix. The status is the same, so the body tells them apart: its
 * title, detail and messages are searched for either wording. Bodies that say neither are decided by
 * the call: our evaluate key is derived from a hash of its own payload (`map-renewal-to-evaluate`),
 * so a 409 on evaluate cannot be "another payload" and is retried; any other call's stays final.
 */
const IN_PROGRESS =
  /in progress|being processed|still processing|not (yet )?(finished|completed)|concurrent/i;
const OTHER_PAYLOAD = /different|another request|payload|mismatch|does not match|not match/i;

export function isIdempotencyInProgress(
  parsed: ParsedErrorBody,
  rawBody: unknown,
  operation: FlexChargeOperation,
): boolean {
  const text = [
    parsed.title ?? '',
    ...parsed.messages,
    ...Object.values(parsed.fields).flat(),
    typeof rawBody === 'string' ? rawBody : '',
  ].join(' ');
  if (OTHER_PAYLOAD.test(text)) return false;
  if (IN_PROGRESS.test(text)) return true;
  return operation === 'evaluate';
}
