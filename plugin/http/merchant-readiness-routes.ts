import { type Request, type RequestHandler, Router } from 'express';
import type { Kysely } from 'kysely';
import { z } from 'zod';
import { createFlexChargeClient } from '../../adapters/flexcharge/flexcharge-client.js';
import { isFlexChargeError } from '../../adapters/flexcharge/flexcharge-errors.js';
import type { Clock } from '../core/clock.js';
import { NotFoundError } from '../core/errors.js';
import { assessReadiness } from '../core/merchant-readiness.js';
import { FLEXCHARGE_ENVIRONMENTS, type FlexChargeEnvironment } from '../core/merchant-settings.js';
import type { FlexChargeHosts } from '../runtime/flexcharge-hosts.js';
import { validate } from '../storage/merchant-input.js';
import type { MerchantRepository } from '../storage/merchant-repository.js';
import { readinessFacts, recordCredentialCheck } from '../storage/readiness-facts.js';
import type { Database } from '../storage/schema.js';
import type { Access } from './admin-auth.js';

export interface MerchantReadinessRouteDeps {
  access: Access;
  db: Kysely<Database>;
  merchants: Pick<MerchantRepository, 'getMerchant' | 'flexChargeCredentialsForUse'>;
  hosts: FlexChargeHosts;
  clock: Clock;
  /** The merchant that uses the process's own Stripe (the one configured from the environment). */
  environmentMerchantId: string;
  /** Per attempt of a "test connection"; default 10 s. */
  timeoutMs?: number;
}

const noStore: RequestHandler = (_req, res, next) => {
  res.set('Cache-Control', 'no-store');
  next();
};

/**
 * A merchant's onboarding checklist (`GET …/readiness`) and the "test connection" of its FlexCharge
 * credentials (`POST …/credentials/:environment/test`: fetches a token with them from the
 * environment's host and records the answer), for the partner or the merchant's own key.
 */
export function merchantReadinessRoutes(deps: MerchantReadinessRouteDeps): Router {
  const router = Router();
  const { access } = deps;
  router.use('/admin/merchants/:merchant/readiness', noStore, access.authenticate, access.authorizeMerchant);
  router.use(
    '/admin/merchants/:merchant/credentials/:environment/test',
    noStore,
    access.authenticate,
    access.authorizeMerchant,
  );
  const merchantOf = (req: Request) => String(req.params.merchant);

  router.get('/admin/merchants/:merchant/readiness', async (req, res) => {
    const facts = await readinessFacts(deps.db, deps.merchants, merchantOf(req), deps.environmentMerchantId);
    res.json({ merchantId: merchantOf(req), ...assessReadiness(facts) });
  });

  router.post('/admin/merchants/:merchant/credentials/:environment/test', async (req, res) => {
    const merchantId = merchantOf(req);
    const environment = validate(z.enum(FLEXCHARGE_ENVIRONMENTS), req.params.environment, 'environment');
    if (!(await deps.merchants.getMerchant(merchantId)))
      throw new NotFoundError(`unknown merchant ${merchantId}`);
    const credentials = await deps.merchants.flexChargeCredentialsForUse(merchantId, environment);
    if (!credentials) throw new NotFoundError(`merchant ${merchantId} has no ${environment} credentials`);
    const client = createFlexChargeClient({
      baseUrl: deps.hosts[environment],
      environment,
      credentials: { appKey: credentials.appKey.reveal(), appSecret: credentials.appSecret.reveal() },
      mid: credentials.mid,
      merchantId,
      timeoutMs: deps.timeoutMs ?? 10_000,
      maxRetries: 0,
      clock: deps.clock,
    });
    const at = deps.clock.now();
    const answer = await client.checkCredentials().then(
      () => ({ ok: true, message: `FlexCharge ${environment} issued a token` }),
      (err: unknown) => ({ ok: false, message: describeRefusal(err, environment, deps.hosts[environment]) }),
    );
    await recordCredentialCheck(deps.db, { merchantId, environment, at, ...answer });
    res.json({ environment, checkedAt: at, ...answer });
  });

  return router;
}

/** What went wrong, in words a partner's operator can act on; never the request or a secret. */
function describeRefusal(err: unknown, environment: FlexChargeEnvironment, host: string): string {
  if (!isFlexChargeError(err)) return `the test failed: ${err instanceof Error ? err.name : 'unknown error'}`;
  switch (err.kind) {
    case 'auth':
    case 'validation':
      return `FlexCharge ${environment} refused the app key and secret (HTTP ${err.statusCode ?? '?'})`;
    case 'network':
    case 'timeout':
      return `could not reach FlexCharge ${environment} at ${new URL(host).host} (${err.kind})`;
    default:
      return `FlexCharge ${environment} answered ${err.kind}${err.statusCode ? ` (HTTP ${err.statusCode})` : ''}`;
  }
}
