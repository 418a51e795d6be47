import express, { type Router } from 'express';
import helmet from 'helmet';
import type { Logger } from '../core/logger.js';
import type { DatabaseHandle } from '../storage/database.js';
import { errorMiddleware, notFoundHandler } from './error-middleware.js';
import { healthRoutes } from './health-routes.js';

export interface AppDeps {
  database: DatabaseHandle;
  logger: Logger;
  /** Routers mounted before the fallbacks, e.g. webhook receivers (which read raw bodies themselves). */
  routers?: Router[];
}

/** The plugin's HTTP surface, without listening, so tests drive it in-process with supertest. */
export function createApp(deps: AppDeps): express.Express {
  const app = express();
  app.disable('x-powered-by');
  app.set('trust proxy', false);
  // An answer opened in a browser must not be framed, sniffed or scripted: helmet's defaults, on every
  // answer, errors included. The onboarding pages use one stylesheet of ours, so styles come from
  // 'self' only (no inline style, no CDN); no request is upgraded, as locally the pages are plain HTTP.
  app.use(
    helmet({
      contentSecurityPolicy: {
        directives: {
          styleSrc: ["'self'"],
          fontSrc: ["'self'"],
          scriptSrc: ["'none'"],
          upgradeInsecureRequests: null,
        },
      },
    }),
  );
  app.use(healthRoutes(deps.database, deps.logger));
  for (const router of deps.routers ?? []) app.use(router);
  app.use(notFoundHandler);
  app.use(errorMiddleware(deps.logger));
  return app;
}
