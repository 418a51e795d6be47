import express, { type Request } from 'express';
import type { AccountRegistry, EmulatedAccount } from './account-registry.js';
import { sendError } from './api-router.js';
import { EMULATED_API_VERSION } from './emulator-types.js';
import { accountInvalid, authenticationError, invalidRequest, maskKey } from './errors.js';
import type { StripeFaultInjector } from './fault-injection.js';
import { newId } from './ids.js';
import type { StripeRateLimiter } from './rate-limit.js';
import { missingPermission, permissionError } from './restricted-keys.js';

/** The account a `/v1` request acts on, set by the gateway for the routes and fault injection. */
export function actingAccount(locals: Record<string, unknown>): EmulatedAccount | undefined {
  return locals.account as EmulatedAccount | undefined;
}

/**
 * In front of every `/v1` route, as on Stripe: a `Request-Id`, the API key (401 when unknown), the
 * `Stripe-Version` the emulator speaks, and the account the request acts on — the key's own, or
 * with `Stripe-Account` one of the accounts connected to it (403 `account_invalid` otherwise); a
 * restricted key lacking the resource's permission gets 403 (`restricted-keys.ts`). Then the
 * account's rate limit when one is switched on (`rate-limit.ts`), injected faults, then that
 * account's own routes.
 */
export function apiGateway(
  registry: AccountRegistry,
  faults: StripeFaultInjector,
  rateLimiter: StripeRateLimiter,
): express.Router {
  const router = express.Router();
  router.use(express.raw({ type: () => true, limit: '1mb' }));
  router.use((req, res, next) => {
    res.locals.requestId = newId('request');
    res.set('Request-Id', res.locals.requestId as string);
    res.set('Stripe-Version', EMULATED_API_VERSION);
    try {
      const key = providedKey(req);
      const owner = key === null ? undefined : registry.bySecretKey(key);
      if (key === null || !owner) throw authenticationError(key || null);
      const version = req.get('Stripe-Version');
      if (version && version !== EMULATED_API_VERSION) {
        throw invalidRequest(
          `The Stripe emulator only speaks API version ${EMULATED_API_VERSION} (the version stripe@23 pins); this request asked for '${version}'.`,
        );
      }
      res.locals.apiKey = key;
      const header = req.get('Stripe-Account');
      const account = header === undefined ? owner : onBehalfOf(registry, owner, key, header);
      res.locals.account = account;
      const restrictions = registry.restrictionsOf(key);
      const missing = restrictions && missingPermission(restrictions, req.method, req.path);
      if (missing) throw permissionError(maskKey(key), account.id, missing);
      next();
    } catch (error) {
      sendError(res, error);
    }
  });
  router.use(rateLimiter.middleware);
  router.use(faults.middleware);
  router.use((req, res, next) => {
    const account = actingAccount(res.locals);
    if (!account) throw new Error('stripe-emulator: no account chosen for the request');
    account.routes(req, res, next);
  });
  return router;
}

/**
 * `Stripe-Account` may name the key's own account or an account connected to it; anything else —
 * unknown, another platform's, a standalone merchant's — is refused the same way, so a key learns
 * nothing about accounts it cannot use.
 */
function onBehalfOf(
  registry: AccountRegistry,
  owner: EmulatedAccount,
  key: string,
  header: string,
): EmulatedAccount {
  const target = registry.byId(header.trim());
  if (target && (target === owner || target.platformId === owner.id)) return target;
  throw accountInvalid(key, header);
}

function providedKey(req: Request): string | null {
  const header = req.get('Authorization') ?? '';
  if (header.startsWith('Bearer ')) return header.slice('Bearer '.length).trim();
  if (header.startsWith('Basic ')) {
    return Buffer.from(header.slice('Basic '.length), 'base64').toString('utf8').split(':')[0] ?? '';
  }
  return null;
}
