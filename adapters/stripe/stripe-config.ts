import Stripe from 'stripe';
import { ConfigError } from '../../plugin/core/errors.js';
import { observedHttpClient, type StripeCallObserver } from './observed-http-client.js';
import { type RateLimitGateOptions, rateLimitGate } from './rate-limit-gate.js';

export interface StripeClientConfig {
  /** `sk_…` or a restricted `rk_…` key (see README.md for the permissions it needs). */
  readonly secretKey: string;
  /**
   * Where requests go instead of api.stripe.com, e.g. `http://127.0.0.1:12111` for the emulator or a
   * proxy. Absent: Stripe itself.
   */
  readonly apiBase?: string | undefined;
  /** The SDK's own retries of connection errors, 409, 5xx; default 2 (stripe-node's default since v17). */
  readonly maxNetworkRetries?: number | undefined;
  /** Per-request timeout in milliseconds; default the SDK's 80 s. */
  readonly timeoutMs?: number | undefined;
  /**
   * A Connect connected account (`acct_…`): every call of this client is made on that account
   * (stripe-node's `stripeAccount`, sent as the `Stripe-Account` header) with the platform's key.
   * Absent: calls act on the key's own account.
   */
  readonly stripeAccount?: string | undefined;
  /** Told of every HTTP attempt (endpoint, status, time), for metrics; absent: the SDK's client as is. */
  readonly observe?: StripeCallObserver | undefined;
  /** How a 429 pauses and resends this client's calls (`rate-limit-gate.ts`); default its defaults. */
  readonly rateLimit?: RateLimitGateOptions | undefined;
}

/**
 * The one place the Stripe SDK is constructed. The API version is left to the SDK's pin
 * (`2026-10-28.endive` for stripe@23), which is the shape every reader in this adapter expects.
 */
export function createStripeClient(config: StripeClientConfig): Stripe {
  return new Stripe(config.secretKey, {
    maxNetworkRetries: config.maxNetworkRetries ?? 2,
    ...(config.timeoutMs === undefined ? {} : { timeout: config.timeoutMs }),
    ...(config.stripeAccount ? { stripeAccount: parseStripeAccount(config.stripeAccount) } : {}),
    ...(config.apiBase ? parseApiBase(config.apiBase) : {}),
    // Every attempt is observed (429s included); above that, a 429 pauses this client's calls.
    httpClient: rateLimitGate(
      config.observe ? observedHttpClient(config.observe) : Stripe.createNodeHttpClient(),
      config.rateLimit,
    ).httpClient,
    appInfo: { name: 'flexcharge-mit-plugin' },
  });
}

export interface StripeEndpoint {
  readonly host: string;
  readonly port: number;
  readonly protocol: 'http' | 'https';
}

/**
 * `http://127.0.0.1:12111` → `{host, port, protocol}`, the form stripe-node takes. The SDK cannot
 * prefix paths, so a base with a path (or query, or credentials) is a configuration error rather
 * than something silently dropped.
 */
export function parseApiBase(apiBase: string): StripeEndpoint {
  let url: URL;
  try {
    url = new URL(apiBase);
  } catch {
    throw apiBaseError(`STRIPE_API_BASE is not a URL: ${apiBase}`);
  }
  const protocol = url.protocol.slice(0, -1);
  if (protocol !== 'http' && protocol !== 'https') {
    throw apiBaseError(`STRIPE_API_BASE must be http or https, got ${url.protocol}`);
  }
  if ((url.pathname !== '/' && url.pathname !== '') || url.search || url.username || url.password) {
    throw apiBaseError(
      `STRIPE_API_BASE must be scheme://host[:port] only (the SDK adds /v1/…), got ${apiBase}`,
    );
  }
  return {
    host: url.hostname.replace(/^\[(.*)\]$/, '$1'),
    port: url.port ? Number(url.port) : protocol === 'https' ? 443 : 80,
    protocol,
  };
}

/** An account id is `acct_` and letters or digits; anything else is a configuration mistake, not a 403 later. */
function parseStripeAccount(account: string): string {
  if (/^acct_[A-Za-z0-9]+$/.test(account)) return account;
  throw new ConfigError(`A Stripe Connect account id looks like acct_…, got '${account}'`);
}

function apiBaseError(message: string): ConfigError {
  return new ConfigError(message, [{ variable: 'STRIPE_API_BASE', message }]);
}
