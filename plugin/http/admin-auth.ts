import { timingSafeEqual } from 'node:crypto';
import type { Request, RequestHandler, Response } from 'express';
import type { Clock } from '../core/clock.js';
import { ForbiddenError, NotFoundError, UnauthorizedError } from '../core/errors.js';
import type { Principal } from '../core/principal.js';
import type { VerifiedApiKey } from '../storage/api-key-repository.js';

export type { Principal };

export interface AccessDeps {
  /** The partner token; unset, the admin API is off entirely (403), merchant keys included. */
  adminToken: string | undefined;
  /** Verifies a merchant's key; null accepts the partner token only. */
  apiKeys: { verify(presented: string, now: Date): Promise<VerifiedApiKey | null> } | null;
  clock: Clock;
}

export interface Access {
  /** False when ADMIN_TOKEN is unset: no credential is accepted anywhere. */
  readonly enabled: boolean;
  /**
   * The principal a presented credential speaks for (the partner token or a live merchant key), or
   * null. The bearer header and the login page's password field both come here.
   */
  identify(presented: string): Promise<Principal | null>;
  /**
   * Resolves the principal from `Authorization: Bearer …` into `res.locals.principal`; 401 without
   * valid credentials. Runs once per request, however many routers mount it.
   */
  readonly authenticate: RequestHandler;
  /**
   * For paths with `:merchant`: the partner passes, a key of that merchant passes, any other key is
   * answered 404 as for an unknown merchant, so a key cannot learn which merchants exist.
   */
  readonly authorizeMerchant: RequestHandler;
  /** After `authorizeMerchant`: a route that names no merchant is the partner's only (403 for a key). */
  readonly partnerUnlessMerchant: RequestHandler;
}

/** The principal `authenticate` resolved; throws if it did not run (a route mounted without it). */
export function principalOf(res: Response): Principal {
  const principal = res.locals.principal as Principal | undefined;
  if (!principal) throw new UnauthorizedError('missing or wrong bearer token');
  return principal;
}

/** The principal as an audit entry names it: `partner` or `key:<prefix>`. */
export function actorOf(principal: Principal): string {
  return principal.kind === 'partner' ? 'partner' : `key:${principal.prefix}`;
}

export function createAccess(deps: AccessDeps): Access {
  const expected = deps.adminToken ? Buffer.from(deps.adminToken) : null;
  const isPartnerToken = (given: string) => {
    const bytes = Buffer.from(given);
    return expected !== null && bytes.length === expected.length && timingSafeEqual(bytes, expected);
  };

  const identify = async (given: string): Promise<Principal | null> => {
    if (!expected || given.length === 0) return null;
    if (isPartnerToken(given)) return { kind: 'partner' };
    const key = deps.apiKeys ? await deps.apiKeys.verify(given, deps.clock.now()) : null;
    return key ? { kind: 'merchant', merchantId: key.merchantId, keyId: key.id, prefix: key.prefix } : null;
  };

  const authenticate: RequestHandler = async (req, res, next) => {
    if (res.locals.principal) return next();
    if (!expected) {
      res.status(403).json({
        error: { code: 'admin_disabled', message: 'the admin API is off: set ADMIN_TOKEN to enable it' },
      });
      return;
    }
    const given = bearerOf(req);
    const principal = given ? await identify(given) : null;
    if (!principal) throw new UnauthorizedError('missing or wrong bearer token');
    res.locals.principal = principal;
    next();
  };

  const authorizeMerchant: RequestHandler = (req, res, next) => {
    const principal = principalOf(res);
    const merchant = req.params.merchant;
    if (typeof merchant !== 'string') throw new ForbiddenError("this route is the partner's only");
    if (principal.kind === 'merchant' && principal.merchantId !== merchant)
      throw new NotFoundError(`unknown merchant ${merchant}`);
    res.locals.merchantAuthorized = merchant;
    next();
  };

  const partnerUnlessMerchant: RequestHandler = (_req, res, next) => {
    const principal = principalOf(res);
    if (principal.kind === 'partner' || typeof res.locals.merchantAuthorized === 'string') return next();
    throw new ForbiddenError("this route is the partner's only: use the merchant's own routes");
  };

  return { enabled: expected !== null, identify, authenticate, authorizeMerchant, partnerUnlessMerchant };
}

function bearerOf(req: Request): string | null {
  return /^Bearer (.+)$/.exec(req.headers.authorization ?? '')?.[1] ?? null;
}
