import type { Clock } from '../../plugin/core/clock.js';

/** An access token and its expiry in Unix epoch milliseconds, as `/oauth2/token` answers. */
export interface IssuedToken {
  readonly accessToken: string;
  readonly expires: number;
}

export interface AccessTokenCache {
  /** A valid access token: the cached one, or one fetched now (a single fetch shared by concurrent callers). */
  get(): Promise<string>;
  /**
   * Forgets `token` after FlexCharge refused it (401), so the next `get` fetches a new one. A token
   * already replaced is left alone: many calls failing with the same token cause one renewal.
   */
  invalidate(token: string): void;
}

/** Renew this long before `expires` (FlexCharge tokens live 10 minutes, contract §2). */
export const DEFAULT_RENEW_MARGIN_MS = 60_000;

/**
 * Caches the bearer token as FlexCharge asks (contract §2: reuse until expiry or a 401). A token
 * issued with less than twice the margin to live is renewed halfway through its life instead.
 */
export function createAccessTokenCache(options: {
  fetchToken: () => Promise<IssuedToken>;
  clock: Clock;
  renewMarginMs?: number;
}): AccessTokenCache {
  const margin = options.renewMarginMs ?? DEFAULT_RENEW_MARGIN_MS;
  let cached: { token: string; renewAt: number } | undefined;
  let inFlight: Promise<string> | undefined;

  const fetchAndCache = async (): Promise<string> => {
    try {
      const issued = await options.fetchToken();
      const now = options.clock.now().getTime();
      const lifetime = issued.expires - now;
      cached = { token: issued.accessToken, renewAt: issued.expires - Math.min(margin, lifetime / 2) };
      return issued.accessToken;
    } finally {
      inFlight = undefined;
    }
  };

  return {
    get() {
      if (cached && options.clock.now().getTime() < cached.renewAt) return Promise.resolve(cached.token);
      inFlight ??= fetchAndCache();
      return inFlight;
    },
    invalidate(token) {
      if (cached?.token === token) cached = undefined;
    },
  };
}
