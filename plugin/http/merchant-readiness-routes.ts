import { type Request, type RequestHandler, Router } from 'express';
import { z } from 'zod';
import { FLEXCHARGE_ENVIRONMENTS } from '../core/merchant-settings.js';
import { validate } from '../storage/merchant-input.js';
import type { Access } from './admin-auth.js';
import { createOnboardingChecks, type OnboardingCheckDeps } from './onboarding-checks.js';

export interface MerchantReadinessRouteDeps extends OnboardingCheckDeps {
  access: Access;
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
  const checks = createOnboardingChecks(deps);
  router.use('/admin/merchants/:merchant/readiness', noStore, access.authenticate, access.authorizeMerchant);
  router.use(
    '/admin/merchants/:merchant/credentials/:environment/test',
    noStore,
    access.authenticate,
    access.authorizeMerchant,
  );
  const merchantOf = (req: Request) => String(req.params.merchant);

  router.get('/admin/merchants/:merchant/readiness', async (req, res) => {
    res.json({ merchantId: merchantOf(req), ...(await checks.readiness(merchantOf(req))) });
  });

  router.post('/admin/merchants/:merchant/credentials/:environment/test', async (req, res) => {
    const environment = validate(z.enum(FLEXCHARGE_ENVIRONMENTS), req.params.environment, 'environment');
    res.json(await checks.testCredentials(merchantOf(req), environment));
  });

  return router;
}
