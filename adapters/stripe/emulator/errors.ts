/**
 * Errors in Stripe's wire shape: `{error: {type, code?, decline_code?, param?, message, doc_url?}}` with
 * the HTTP status stripe-node maps to its error classes (400/404 → StripeInvalidRequestError, 401 →
 * StripeAuthenticationError, 402 → StripeCardError, 400 + `idempotency_error` → StripeIdempotencyError).
 */

export type StripeErrorType = 'api_error' | 'card_error' | 'idempotency_error' | 'invalid_request_error';

export interface StripeErrorBody {
  type: StripeErrorType;
  message: string;
  code?: string;
  decline_code?: string;
  advice_code?: string;
  network_decline_code?: string;
  param?: string;
  charge?: string;
  payment_intent?: unknown;
  payment_method?: unknown;
  doc_url?: string;
  request_log_url?: string;
}

export class StripeApiError extends Error {
  constructor(
    readonly status: number,
    readonly body: StripeErrorBody,
  ) {
    super(body.message);
    this.name = 'StripeApiError';
  }
}

const docUrl = (code: string) => `https://stripe.com/docs/error-codes/${code.replaceAll('_', '-')}`;

export function invalidRequest(message: string, extra: Partial<StripeErrorBody> = {}): StripeApiError {
  const body: StripeErrorBody = { type: 'invalid_request_error', message, ...extra };
  if (body.code && !body.doc_url) body.doc_url = docUrl(body.code);
  return new StripeApiError(400, body);
}

/** Stripe's 404 for an id that doesn't exist: "No such invoice: 'in_123'". */
export function resourceMissing(noun: string, id: string, param = 'id'): StripeApiError {
  return new StripeApiError(404, {
    type: 'invalid_request_error',
    code: 'resource_missing',
    param,
    message: `No such ${noun}: '${id}'`,
    doc_url: docUrl('resource_missing'),
  });
}

export function unrecognizedUrl(method: string, path: string): StripeApiError {
  return new StripeApiError(404, {
    type: 'invalid_request_error',
    message: `Unrecognized request URL (${method}: ${path}). Please see https://stripe.com/docs or we can help at https://support.stripe.com/.`,
  });
}

export function authenticationError(providedKey: string | null): StripeApiError {
  const message =
    providedKey === null
      ? "You did not provide an API key. You need to provide your API key in the Authorization header, using Bearer auth (e.g. 'Authorization: Bearer YOUR_SECRET_KEY'). See https://stripe.com/docs/api#authentication for details, or we can help at https://support.stripe.com/."
      : `Invalid API Key provided: ${maskKey(providedKey)}`;
  return new StripeApiError(401, { type: 'invalid_request_error', message });
}

/**
 * Stripe's answer to a `Stripe-Account` header naming an account the key may not act on: one that
 * does not exist, or that is not connected to the key's platform (stripe-node: StripePermissionError).
 */
export function accountInvalid(providedKey: string, account: string): StripeApiError {
  return new StripeApiError(403, {
    type: 'invalid_request_error',
    code: 'account_invalid',
    message: `The provided key '${maskKey(providedKey)}' does not have access to account '${account}' (or that account does not exist). Application access may have been revoked.`,
    doc_url: docUrl('account_invalid'),
  });
}

export function idempotencyError(message: string, status = 400): StripeApiError {
  return new StripeApiError(status, { type: 'idempotency_error', message });
}

export function apiError(message: string): StripeApiError {
  return new StripeApiError(500, { type: 'api_error', message });
}

export interface CardErrorDetails {
  code: string;
  declineCode: string;
  message: string;
  adviceCode: string | null;
  networkDeclineCode: string | null;
  charge?: string;
  param?: string;
  paymentIntent?: unknown;
  paymentMethod?: unknown;
}

export function cardError(details: CardErrorDetails): StripeApiError {
  const body: StripeErrorBody = {
    type: 'card_error',
    code: details.code,
    decline_code: details.declineCode,
    message: details.message,
    doc_url: docUrl(details.code),
  };
  if (details.adviceCode) body.advice_code = details.adviceCode;
  if (details.networkDeclineCode) body.network_decline_code = details.networkDeclineCode;
  if (details.charge) body.charge = details.charge;
  if (details.param) body.param = details.param;
  if (details.paymentIntent) body.payment_intent = details.paymentIntent;
  if (details.paymentMethod) body.payment_method = details.paymentMethod;
  return new StripeApiError(402, body);
}

/** `sk_test_abcdef123456` → `sk_test_********3456`, the way Stripe echoes a wrong key. */
export function maskKey(key: string): string {
  const prefix = /^(sk|rk|pk)_(test|live)_/.exec(key)?.[0] ?? '';
  const rest = key.slice(prefix.length);
  if (rest.length <= 4) return `${prefix}${'*'.repeat(rest.length)}`;
  return `${prefix}${'*'.repeat(rest.length - 4)}${rest.slice(-4)}`;
}
