import type { TestCard } from './test-cards.js';

/** The field kinds a forwarding request may ask Stripe to fill (the API's `replacements` enum). */
export const REPLACEMENTS = [
  'card_number',
  'card_expiry',
  'card_cvc',
  'cardholder_name',
  'request_signature',
] as const;
export type Replacement = (typeof REPLACEMENTS)[number];

/** What Stripe's vault holds for a card PaymentMethod, as far as forwarding uses it. */
export interface VaultedCard {
  card: TestCard;
  expMonth: number;
  expYear: number;
  /** `billing_details.name`. */
  holderName: string | null;
}

/**
 * Field names (lower case, `_` and `-` dropped) that hold each kind of card detail. Stripe fills the
 * fields the destination's config names; the emulator has no per-destination config, so it fills
 * every blank (`""`) field with one of these names, wherever it sits in the JSON body. This covers
 * Stripe's reference example (`number`, `expiryMonth`, `cvc`, `holderName`) and FlexCharge's
 * `/tokenize` body (`number`, `month`, `year`, `verification_value`, `first_name`, `last_name`).
 */
const FIELDS: Record<string, { kind: Replacement; value: (card: VaultedCard) => string | null }> = {
  number: { kind: 'card_number', value: (v) => v.card.number },
  cardnumber: { kind: 'card_number', value: (v) => v.card.number },
  pan: { kind: 'card_number', value: (v) => v.card.number },
  month: { kind: 'card_expiry', value: (v) => month(v) },
  expmonth: { kind: 'card_expiry', value: (v) => month(v) },
  expirymonth: { kind: 'card_expiry', value: (v) => month(v) },
  expirationmonth: { kind: 'card_expiry', value: (v) => month(v) },
  year: { kind: 'card_expiry', value: (v) => String(v.expYear) },
  expyear: { kind: 'card_expiry', value: (v) => String(v.expYear) },
  expiryyear: { kind: 'card_expiry', value: (v) => String(v.expYear) },
  expirationyear: { kind: 'card_expiry', value: (v) => String(v.expYear) },
  // The vault keeps no CVC for a card on file (Stripe: CVCs expire after a while and once forwarded):
  // a CVC field stays blank, which FlexCharge reads as "no CVV".
  cvc: { kind: 'card_cvc', value: () => null },
  cvv: { kind: 'card_cvc', value: () => null },
  verificationvalue: { kind: 'card_cvc', value: () => null },
  securitycode: { kind: 'card_cvc', value: () => null },
  holdername: { kind: 'cardholder_name', value: (v) => v.holderName },
  cardholdername: { kind: 'cardholder_name', value: (v) => v.holderName },
  firstname: { kind: 'cardholder_name', value: (v) => splitName(v.holderName)?.first ?? null },
  lastname: { kind: 'cardholder_name', value: (v) => splitName(v.holderName)?.last ?? null },
};

/** The body sent to the destination, and the same body with the card number and CVC masked. */
export interface FilledBody {
  sent: string;
  redacted: string;
}

/** Fills the blank card fields of a JSON body the `replacements` ask for; null when it is not JSON. */
export function fillCardFields(
  body: string,
  replacements: readonly Replacement[],
  vaulted: VaultedCard,
): FilledBody | null {
  let parsed: unknown;
  try {
    parsed = JSON.parse(body);
  } catch {
    return null;
  }
  if (typeof parsed !== 'object' || parsed === null) return null;
  const wanted = new Set(replacements);
  const fill = (masked: boolean) =>
    JSON.stringify(
      walk(parsed, (key, value) => {
        const field = FIELDS[key.toLowerCase().replaceAll(/[_-]/g, '')];
        if (value !== '' || !field || !wanted.has(field.kind)) return value;
        const filled = field.value(vaulted);
        if (filled === null || !masked) return filled ?? value;
        if (field.kind === 'card_number') return maskNumber(filled);
        return field.kind === 'card_cvc' ? '***' : filled;
      }),
    );
  return { sent: fill(false), redacted: fill(true) };
}

/** Stripe's redaction in `request_details`: the first six and last four digits stay. */
export function maskNumber(pan: string): string {
  return `${pan.slice(0, 6)}${'*'.repeat(Math.max(0, pan.length - 10))}${pan.slice(-4)}`;
}

const SENSITIVE_HEADER = /authorization|key|secret|token|password|signature/i;

/**
 * Headers as `request_details` shows them: credentials redacted. The reference says Stripe redacts
 * "authentication credentials"; the emulator's `***` and its choice of header names are assumptions.
 */
export function redactHeaders(headers: readonly { name: string; value: string }[]) {
  return headers.map((h) => ({ name: h.name, value: SENSITIVE_HEADER.test(h.name) ? '***' : h.value }));
}

function walk(value: unknown, replace: (key: string, value: unknown) => unknown): unknown {
  if (Array.isArray(value)) return value.map((item) => walk(item, replace));
  if (typeof value !== 'object' || value === null) return value;
  return Object.fromEntries(
    Object.entries(value).map(([key, inner]) => [key, walk(replace(key, inner), replace)]),
  );
}

function month(v: VaultedCard): string {
  return String(v.expMonth).padStart(2, '0');
}

/** The last word is the last name, the words before it the first name ("Jane Q. Doe" → "Jane Q.", "Doe"). */
function splitName(name: string | null): { first: string; last: string } | null {
  const words = (name ?? '').trim().split(/\s+/).filter(Boolean);
  if (words.length < 2) return null;
  return { first: words.slice(0, -1).join(' '), last: words.at(-1) ?? '' };
}
