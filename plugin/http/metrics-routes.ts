import { timingSafeEqual } from 'node:crypto';
import { Router } from 'express';
import { ForbiddenError, UnauthorizedError } from '../core/errors.js';
import type { Access } from './admin-auth.js';

export interface MetricsRouteDeps {
  metrics: { readonly contentType: string; render(): Promise<string> };
  /** The scraper's own credential (METRICS_TOKEN); unset, only the partner token opens /metrics. */
  metricsToken: string | undefined;
  access: Pick<Access, 'enabled' | 'identify'>;
}

/**
 * `GET /metrics`, Prometheus text format. A scraper's bearer token (METRICS_TOKEN, so the scrape
 * configuration need not hold the partner's admin token) or the partner token; never a merchant's
 * key (403), as the series name every merchant. Neither token configured: off (403), as the admin API.
 */
export function metricsRoutes(deps: MetricsRouteDeps): Router {
  const router = Router();
  const expected = deps.metricsToken ? Buffer.from(deps.metricsToken) : null;
  const isScraper = (given: string) => {
    const bytes = Buffer.from(given);
    return expected !== null && bytes.length === expected.length && timingSafeEqual(bytes, expected);
  };

  router.get('/metrics', async (req, res) => {
    res.set('Cache-Control', 'no-store');
    if (!expected && !deps.access.enabled) {
      res.status(403).json({
        error: { code: 'metrics_disabled', message: 'metrics are off: set METRICS_TOKEN (or ADMIN_TOKEN)' },
      });
      return;
    }
    const given = /^Bearer (.+)$/.exec(req.headers.authorization ?? '')?.[1];
    if (!given) throw new UnauthorizedError('missing or wrong bearer token');
    if (!isScraper(given)) {
      const principal = await deps.access.identify(given);
      if (!principal) throw new UnauthorizedError('missing or wrong bearer token');
      if (principal.kind !== 'partner')
        throw new ForbiddenError("metrics name every merchant: the partner's only");
    }
    res.type(deps.metrics.contentType).send(await deps.metrics.render());
  });
  return router;
}
