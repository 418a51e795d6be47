import { tokenizeResponseSchema } from './wire/responses.js';

/**
 * The `/tokenize` call as a card vault sends it on our behalf (Stripe's Vault and Forward): we write
 * the body with the card fields left blank, the vault fills them in on its side. The body we build
 * therefore never holds a card number, and what comes back holds only FlexCharge's token.
 */

/** The card details the vault fills in: number and expiry. A card on file has no CVC any more. */
export const FORWARDED_CARD_FIELDS = ['card_number', 'card_expiry'] as const;

export interface CardHolder {
  readonly firstName: string;
  readonly lastName: string;
  readonly email?: string | null | undefined;
}

/**
 * The contract's §4 body with blank `number`, `month` and `year` for the vault to fill, and a blank
 * `verification_value` ("leave empty if you don't have it").
 */
export function forwardedTokenizeBody(holder: CardHolder): string {
  return JSON.stringify({
    payment_method: {
      ...(holder.email ? { email: holder.email } : {}),
      credit_card: {
        first_name: holder.firstName,
        last_name: holder.lastName,
        number: '',
        verification_value: '',
        month: '',
        year: '',
      },
    },
  });
}

/** The first and last name FlexCharge requires, from one full name; null when it has fewer than two words. */
export function cardHolderFromName(name: string | null | undefined): Omit<CardHolder, 'email'> | null {
  const words = (name ?? '').trim().split(/\s+/).filter(Boolean);
  if (words.length < 2) return null;
  return { firstName: words.slice(0, -1).join(' '), lastName: words.at(-1) ?? '' };
}

export type ForwardedTokenizeResult =
  | { readonly ok: true; readonly token: string; readonly last4: string | null }
  | { readonly ok: false; readonly reason: string };

/**
 * Reads FlexCharge's answer as the vault relayed it. A refusal is described by status and the names
 * of the fields FlexCharge objected to, never by echoing the body.
 */
export function readForwardedTokenize(status: number, body: string): ForwardedTokenizeResult {
  let parsed: unknown;
  try {
    parsed = JSON.parse(body);
  } catch {
    parsed = undefined;
  }
  if (status >= 200 && status < 300) {
    const answer = tokenizeResponseSchema.safeParse(parsed);
    if (answer.success) {
      const card = answer.data.transaction.payment_method;
      return { ok: true, token: card.token, last4: card.last_four_digits ?? null };
    }
    return { ok: false, reason: `FlexCharge answered ${status} without a token` };
  }
  const fields =
    typeof parsed === 'object' && parsed !== null && 'errors' in parsed && isRecord(parsed.errors)
      ? Object.keys(parsed.errors)
      : [];
  return {
    ok: false,
    reason: `FlexCharge refused the card (${status})${fields.length ? `: ${fields.join(', ')}` : ''}`,
  };
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
