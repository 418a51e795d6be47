/**
 * Strips card data and secrets from anything the client logs or puts in an error message. PCI DSS
 * allows the last four digits of a PAN to be shown, so card numbers and card tokens keep those
 * (`…1234`); CVVs, secrets, access tokens and 3-DS authentication values are removed outright.
 */

export const REDACTED = '[redacted]';

export interface RedactOptions {
  /** Exact values to blank wherever they appear inside a string (the AppSecret, the current access token). */
  readonly secrets?: readonly string[];
}

/** Keys whose value goes entirely; compared lower-cased without `_` or `-`. */
const SECRET_KEYS = new Set([
  'appsecret',
  'clientsecret',
  'secret',
  'password',
  'accesstoken',
  'refreshtoken',
  'idtoken',
  'authorization',
  'authenticationvalue',
  'cavv',
  'verificationvalue',
  'cvv',
  'cvv2',
  'cvc',
  'securitycode',
  'tokenizationkey',
  'subscriberkey',
]);

/** Keys whose string value keeps its last four characters. */
const LAST4_KEYS = new Set(['number', 'cardnumber', 'pan', 'accountnumber', 'token', 'appkey']);

const MAX_DEPTH = 32;

/** `…1234` for a value long enough that four characters reveal little; otherwise fully redacted. */
export function maskLast4(value: string): string {
  return value.length >= 8 ? `…${value.slice(-4)}` : REDACTED;
}

/** A deep copy of a JSON-like value with sensitive fields masked and card numbers in free text masked. */
export function redact(value: unknown, options: RedactOptions = {}): unknown {
  return redactValue(value, options, 0);
}

function redactValue(value: unknown, options: RedactOptions, depth: number): unknown {
  if (typeof value === 'string') return redactText(value, options);
  if (value === null || typeof value !== 'object') return value;
  if (depth >= MAX_DEPTH) return REDACTED;
  if (Array.isArray(value)) return value.map((item) => redactValue(item, options, depth + 1));
  const out: Record<string, unknown> = {};
  for (const [key, item] of Object.entries(value)) {
    out[key] = redactEntry(key, item, options, depth + 1);
  }
  return out;
}

function redactEntry(key: string, value: unknown, options: RedactOptions, depth: number): unknown {
  const normalized = key.toLowerCase().replace(/[_-]/g, '');
  if (SECRET_KEYS.has(normalized)) return value === null || value === undefined ? value : REDACTED;
  if (LAST4_KEYS.has(normalized) && typeof value === 'string') return maskLast4(value);
  return redactValue(value, options, depth);
}

const CARD_LIKE = /\d(?:[ -]?\d){12,18}/g;
const BEARER = /\bBearer\s+[^\s"',;]+/gi;
const JWT = /\beyJ[\w-]+\.[\w-]+\.[\w-]*/g;

/** Free text with PAN-like digit runs (Luhn-valid, 13–19 digits) masked and known secrets removed. */
export function redactText(text: string, options: RedactOptions = {}): string {
  let out = text;
  for (const secret of options.secrets ?? []) {
    if (secret.length >= 4) out = out.split(secret).join(REDACTED);
  }
  return out
    .replace(BEARER, `Bearer ${REDACTED}`)
    .replace(JWT, REDACTED)
    .split(GUID)
    .map((part, i) => (i % 2 === 1 ? part : maskCardNumbers(part)))
    .join('');
}

/** GUIDs (order keys, 3-DS transaction ids) are never card numbers, though their digits may chain up. */
const GUID = /([0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})/gi;

/** `text` with every GUID blanked to `x`s of the same length, so positions still point into `text`. */
export function blankGuids(text: string): string {
  return text.replace(GUID, (guid) => 'x'.repeat(guid.length));
}

function maskCardNumbers(text: string): string {
  return text.replace(CARD_LIKE, (match) => {
    const digits = match.replace(/\D/g, '');
    return luhnValid(digits) ? maskLast4(digits) : match;
  });
}

/** The card networks' check digit over a run of digits. */
export function luhnValid(digits: string): boolean {
  let sum = 0;
  for (let i = 0; i < digits.length; i++) {
    let d = Number(digits[digits.length - 1 - i]);
    if (i % 2 === 1) {
      d *= 2;
      if (d > 9) d -= 9;
    }
    sum += d;
  }
  return sum % 10 === 0;
}
