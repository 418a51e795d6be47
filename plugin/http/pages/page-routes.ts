import { Router } from 'express';
import type { Clock } from '../../core/clock.js';
import type { Logger } from '../../core/logger.js';
import type { ApiKeyRepository } from '../../storage/api-key-repository.js';
import type { AuditLog } from '../../storage/audit-log.js';
import type { MerchantChanges } from '../../storage/merchant-changes.js';
import type { MerchantRepository } from '../../storage/merchant-repository.js';
import type { RescueRepository } from '../../storage/rescue-repository.js';
import type { SessionRepository } from '../../storage/session-repository.js';
import type { Access } from '../admin-auth.js';
import type { OnboardingChecks } from '../onboarding-checks.js';
import { STYLESHEET, STYLESHEET_PATH } from './layout.js';
import { createLoginLimiter, type LoginLimiter } from './login-limiter.js';
import { loginRoutes } from './login-routes.js';
import { merchantPages } from './merchant-pages.js';
import { loadSession, noStore, pageErrors, requireSession } from './page-session.js';

export interface PageRouteDeps {
  access: Access;
  sessions: SessionRepository;
  merchants: MerchantRepository;
  changes: MerchantChanges;
  rescues: RescueRepository;
  audit: AuditLog;
  apiKeys: ApiKeyRepository;
  /** The readiness checklist and "test connection", shared with the JSON API. */
  checks: OnboardingChecks;
  clock: Clock;
  logger: Logger;
  /** `Secure` on the session cookie: true but for FLEXCHARGE_ENV=local (plain HTTP). */
  secureCookies: boolean;
  /** Default: 10 failed logins per address per 15 minutes, in memory. */
  limiter?: LoginLimiter;
}

const PAGE_PATHS = ['/login', '/logout', '/merchants'];

/**
 * The server-rendered onboarding pages: login and logout, merchants, a merchant's settings, its
 * rescues. Signed in by a session cookie (not a bearer header); every form carries a CSRF token.
 */
export function pageRoutes(deps: PageRouteDeps): Router {
  const router = Router();
  const { sessions, clock } = deps;
  router.get(STYLESHEET_PATH, (_req, res) => {
    res.type('css').set('Cache-Control', 'public, max-age=3600').send(STYLESHEET);
  });
  // Pages show a merchant's settings: no cache on the way may keep them.
  // helmet's `no-referrer` makes a browser send `Origin: null` on a form POST, which the login's
  // same-origin check cannot tell from a cross-site one; `same-origin` keeps the real Origin on our own
  // forms and still sends `null` (refused) from another site, and no URL of ours leaks elsewhere.
  router.use(PAGE_PATHS, (_req, res, next) => {
    res.set('Referrer-Policy', 'same-origin');
    next();
  });
  router.use(PAGE_PATHS, noStore, loadSession(sessions, clock));
  router.use(
    loginRoutes({
      access: deps.access,
      sessions,
      limiter: deps.limiter ?? createLoginLimiter(),
      clock,
      secureCookies: deps.secureCookies,
    }),
  );
  router.use('/merchants', requireSession);
  router.use(merchantPages(deps));
  router.use(PAGE_PATHS, pageErrors(deps.logger));
  return router;
}
