import { setTimeout as delay } from 'node:timers/promises';
import { z } from 'zod';
import { type Clock, systemClock } from '../../plugin/core/clock.js';
import { ConfigError, ValidationError } from '../../plugin/core/errors.js';
import { createAccessTokenCache } from './access-token-cache.js';
import type { FlexChargeCallContext, FlexChargeCallLog } from './call-log.js';
import { type FlexChargeEnvironment, withTrailingSlash } from './flexcharge-environments.js';
import { createFlexChargeHttp } from './flexcharge-http.js';
import { createRetryPolicy } from './retry-policy.js';
import {
  cancelRequestSchema,
  type EvaluateRequest,
  evaluateRequestSchema,
  outcomeRequestSchema,
  type RefundRequest,
  refundRequestSchema,
  type TokenizeRequest,
  type TransmitRequest,
  tokenizeRequestSchema,
  tokenRequestSchema,
  transmitRequestSchema,
} from './wire/requests.js';
import {
  type EvaluateResponse,
  evaluateResponseSchema,
  type OrderResponse,
  type OutcomeResponse,
  orderResponseSchema,
  outcomeResponseSchema,
  type RefundResponse,
  refundResponseSchema,
  type TokenizeResponse,
  type TransmitResponse,
  tokenizeResponseSchema,
  tokenResponseSchema,
  transmitResponseSchema,
} from './wire/responses.js';

export interface FlexChargeClientOptions {
  /** API base URL, e.g. from `resolveFlexChargeBaseUrl`; a missing trailing `/` is added. */
  readonly baseUrl: string;
  readonly environment: FlexChargeEnvironment;
  readonly credentials: { readonly appKey: string; readonly appSecret: string };
  /** Merchant id; added to transmit and evaluate bodies that carry none, and used by /tokenize. */
  readonly mid?: string | undefined;
  /** With `mid`, /tokenize authenticates by query (`?mid=&environment=`) as documented; without, by bearer token. */
  readonly tokenizationKey?: string | undefined;
  /** Per-attempt timeout. Default 15000 ms. */
  readonly timeoutMs?: number;
  /** Retries of a retryable failure. Default 3. */
  readonly maxRetries?: number;
  /** Backoff cap before the first retry, doubling per retry. Default 200 ms. */
  readonly baseDelayMs?: number;
  /** Largest backoff cap. Default 10 s. */
  readonly maxDelayMs?: number;
  /** Reads the time for token expiry, `Retry-After` dates and the call log. Default the system clock. */
  readonly clock?: Clock;
  readonly fetchImpl?: typeof fetch;
  /** Receives one record per HTTP attempt. Default none. */
  readonly callLog?: FlexChargeCallLog;
  /**
   * The plugin's merchant these credentials belong to (`merchants.id`), stored on every call-log
   * record. Default none (null in the log).
   */
  readonly merchantId?: string | undefined;
  /** How the client waits between retries; injectable so tests run fast. */
  readonly sleep?: (ms: number) => Promise<void>;
  /** Jitter source in [0, 1). Default `Math.random`. */
  readonly random?: () => number;
}

export interface TokenizeResult {
  /** The vault token to send as `paymentMethod.cardNumber` with `token: true`. */
  readonly token: string;
  readonly last4?: string;
  readonly bin?: string;
  readonly response: TokenizeResponse;
}

/**
 * FlexCharge's API, typed by the subset the plugin uses. Requests are validated before anything is
 * sent (a `ValidationError` naming field paths); failures are `FlexChargeError`s (`kind`, `retryable`).
 *
 * Every call is retried on network errors, timeouts, 429 and 500/502/503/504, which is safe because
 * none of them can act twice: token, outcome and getOrder only read; tokenize at worst vaults the
 * card again under a second token and charges nothing; transmit is a copy of a transaction for the
 * risk model, keyed by the merchant's orderId, and moves no money; evaluate carries its
 * idempotencyKey in the body, so a repeat after a lost response replays the first answer (contract
 * §10); cancel and refund are deduplicated by order id on FlexCharge's side (contract §8.3, §8.4),
 * and cancel may add its own idempotencyKey.
 */
export interface FlexChargeClient {
  /**
   * POST /oauth2/token now, whatever is cached: whether FlexCharge accepts these credentials (an
   * onboarding "test connection"). Throws the client's errors (`auth` when refused).
   */
  checkCredentials(): Promise<{ expiresAt: Date }>;
  /** POST /transmit: a copy of a processed transaction. Does not start a rescue. */
  transmit(req: TransmitRequest, call?: FlexChargeCallContext): Promise<TransmitResponse>;
  /** POST /tokenize: vaults a card; the PAN goes nowhere else. */
  tokenize(req: TokenizeRequest): Promise<TokenizeResult>;
  /**
   * Where and how someone else calls /tokenize for this merchant (Stripe's Vault and Forward, which
   * holds the card): the URL and a bearer header with a current access token. Hand the header only
   * to that caller; the token lives minutes.
   */
  tokenizeDestination(): Promise<TokenizeDestination>;
  /** POST /evaluate: hands a declined transaction to FlexCharge; a managed MIT answers SUBMITTED. */
  evaluate(req: EvaluateRequest, call?: FlexChargeCallContext): Promise<EvaluateResponse>;
  /** POST /outcome: the decision for an orderSessionKey; an unknown key answers status NOTFOUND. */
  outcome(orderSessionKey: string): Promise<OutcomeResponse>;
  /** GET /orders/{id}; an unknown order is a `not_found` error. */
  getOrder(orderId: string): Promise<OrderResponse>;
  /** POST /orders/{id}/cancel: stops a pending MIT. */
  cancelOrder(orderId: string, opts?: { idempotencyKey?: string }): Promise<void>;
  /** POST /orders/{id}/refund; `amountToRefund` is in dollars. */
  refundOrder(orderId: string, req: RefundRequest): Promise<RefundResponse>;
}

export interface TokenizeDestination {
  readonly url: string;
  readonly headers: readonly { readonly name: string; readonly value: string }[];
}

export const DEFAULT_TIMEOUT_MS = 15_000;
export const DEFAULT_MAX_RETRIES = 3;

const orderIdSchema = z.string().min(1, 'must not be empty');

export function createFlexChargeClient(options: FlexChargeClientOptions): FlexChargeClient {
  const credentials = tokenRequestSchema.safeParse(options.credentials);
  if (!credentials.success) {
    throw new ConfigError('FlexCharge credentials are incomplete', [
      {
        variable: 'FLEXCHARGE_APP_KEY',
        message: 'FLEXCHARGE_APP_KEY and FLEXCHARGE_APP_SECRET are required',
      },
    ]);
  }
  const baseUrl = withTrailingSlash(options.baseUrl);
  if (!URL.canParse(baseUrl)) {
    throw new ConfigError('FlexCharge base URL is not a URL', [
      { variable: 'FLEXCHARGE_BASE_URL', message: 'must be an http(s) URL' },
    ]);
  }
  const clock = options.clock ?? systemClock;
  const secrets = [credentials.data.appSecret, ...(options.tokenizationKey ? [options.tokenizationKey] : [])];
  const common = {
    baseUrl,
    environment: options.environment,
    timeoutMs: options.timeoutMs ?? DEFAULT_TIMEOUT_MS,
    retryPolicy: createRetryPolicy({
      maxRetries: options.maxRetries ?? DEFAULT_MAX_RETRIES,
      baseDelayMs: options.baseDelayMs,
      maxDelayMs: options.maxDelayMs,
      random: options.random,
    }),
    clock,
    fetchImpl: options.fetchImpl ?? fetch,
    sleep: options.sleep ?? ((ms: number) => delay(ms)),
    callLog: options.callLog,
    merchantId: options.merchantId ?? null,
    secrets: () => secrets,
  };

  const tokenHttp = createFlexChargeHttp(common);
  const fetchToken = () =>
    tokenHttp.request({
      operation: 'token',
      method: 'POST',
      path: 'oauth2/token',
      body: credentials.data,
      auth: 'none',
      responseSchema: tokenResponseSchema,
    });
  const tokens = createAccessTokenCache({ clock, fetchToken });
  const http = createFlexChargeHttp({ ...common, tokens });
  const withMid = <T extends { mid?: string | undefined }>(req: T): T =>
    req.mid === undefined && options.mid !== undefined ? { ...req, mid: options.mid } : req;

  return {
    async checkCredentials() {
      const issued = await fetchToken();
      return { expiresAt: new Date(issued.expires) };
    },

    async transmit(req, call) {
      const body = validate(transmitRequestSchema, withMid(req), 'transmit');
      return http.request({
        operation: 'transmit',
        callContext: call,
        method: 'POST',
        path: 'transmit',
        body,
        auth: 'bearer',
        responseSchema: transmitResponseSchema,
      });
    },

    async tokenize(req) {
      const body = validate(tokenizeRequestSchema, req, 'tokenize');
      const byQuery = options.tokenizationKey !== undefined && options.mid !== undefined;
      const response = await http.request({
        operation: 'tokenize',
        method: 'POST',
        path: 'tokenize',
        ...(byQuery ? { query: { mid: options.mid ?? '', environment: options.tokenizationKey ?? '' } } : {}),
        body,
        auth: byQuery ? 'none' : 'bearer',
        responseSchema: tokenizeResponseSchema,
      });
      const card = response.transaction.payment_method;
      return {
        token: card.token,
        ...(card.last_four_digits ? { last4: card.last_four_digits } : {}),
        ...(card.first_six_digits ? { bin: card.first_six_digits } : {}),
        response,
      };
    },

    async tokenizeDestination() {
      // Bearer rather than `?mid=&environment=`: one static URL, as Stripe's forwarding config wants,
      // and no key in a URL that Stripe stores on the forwarding request.
      const url = new URL('tokenize', baseUrl).toString();
      return { url, headers: [{ name: 'Authorization', value: `Bearer ${await tokens.get()}` }] };
    },

    async evaluate(req, call) {
      const body = validate(evaluateRequestSchema, withMid(req), 'evaluate');
      return http.request({
        operation: 'evaluate',
        callContext: call,
        method: 'POST',
        path: 'evaluate',
        body,
        auth: 'bearer',
        idempotencyKey: body.idempotencyKey,
        responseSchema: evaluateResponseSchema,
      });
    },

    async outcome(orderSessionKey) {
      const body = validate(outcomeRequestSchema, { orderSessionKey }, 'outcome');
      return http.request({
        operation: 'outcome',
        method: 'POST',
        path: 'outcome',
        body,
        auth: 'bearer',
        responseSchema: outcomeResponseSchema,
      });
    },

    async getOrder(orderId) {
      const id = validate(orderIdSchema, orderId, 'getOrder');
      return http.request({
        operation: 'getOrder',
        method: 'GET',
        path: `orders/${encodeURIComponent(id)}`,
        auth: 'bearer',
        responseSchema: orderResponseSchema,
      });
    },

    async cancelOrder(orderId, opts = {}) {
      const id = validate(orderIdSchema, orderId, 'cancelOrder');
      const body = validate(cancelRequestSchema, opts, 'cancelOrder');
      await http.request({
        operation: 'cancelOrder',
        method: 'POST',
        path: `orders/${encodeURIComponent(id)}/cancel`,
        // The contract's cancel takes no body; the optional idempotencyKey is its only field.
        ...(body.idempotencyKey ? { body, idempotencyKey: body.idempotencyKey } : {}),
        auth: 'bearer',
        responseSchema: z.unknown(),
        allowEmptyBody: true,
      });
    },

    async refundOrder(orderId, req) {
      const id = validate(orderIdSchema, orderId, 'refundOrder');
      const body = validate(refundRequestSchema, req, 'refundOrder');
      return http.request({
        operation: 'refundOrder',
        method: 'POST',
        path: `orders/${encodeURIComponent(id)}/refund`,
        body,
        auth: 'bearer',
        responseSchema: refundResponseSchema,
      });
    },
  };
}

/**
 * Parses a request before it is sent: a malformed request is our bug, so it becomes a
 * `ValidationError` naming the paths (never the values, which may be card data) and no HTTP call.
 */
function validate<S extends z.ZodType>(schema: S, input: unknown, operation: string): z.output<S> {
  const parsed = schema.safeParse(input);
  if (parsed.success) return parsed.data;
  const fields: Record<string, string[]> = {};
  for (const issue of parsed.error.issues) {
    const path = issue.path.map(String).join('.') || '(root)';
    fields[path] = [...(fields[path] ?? []), issue.message];
  }
  const summary = Object.entries(fields)
    .map(([path, messages]) => `${path}: ${messages.join(', ')}`)
    .join('; ');
  throw new ValidationError(`invalid FlexCharge ${operation} request: ${summary}`, fields, {
    cause: parsed.error,
  });
}
