import express, { type ErrorRequestHandler } from 'express';
import type { FaultInjector } from './fault-injection.js';
import { sendProblem } from './problem-details.js';
import { captureRoute } from './routes/capture-route.js';
import { controlRoutes, type SandboxControls } from './routes/control-routes.js';
import { evaluateRoute } from './routes/evaluate-route.js';
import { orderRoutes } from './routes/order-routes.js';
import { outcomeRoute } from './routes/outcome-route.js';
import { refundRoute } from './routes/refund-route.js';
import { tokenRoute } from './routes/token-route.js';
import { tokenizeRoute } from './routes/tokenize-route.js';
import { transmitRoute } from './routes/transmit-route.js';
import type { SandboxContext } from './sandbox-context.js';
import { traceIdMiddleware } from './trace-id.js';

export interface RecordedRequest {
  readonly method: string;
  readonly path: string;
  /** Sandbox-clock time. */
  readonly at: Date;
}

/**
 * The Express app: trace id on everything, then the request log (API calls only), the configured
 * latency (`latencyMs`), fault injection,
 * the control routes under /_sandbox and the API under /v1. API bodies are read raw so that each
 * route can parse them the way the real API does (parse-request-body.ts).
 */
export function createSandboxApp(
  ctx: SandboxContext,
  controls: SandboxControls,
  faults: FaultInjector,
  requests: RecordedRequest[],
  /** Hears every request that may have changed the state (not GET or HEAD), once answered. */
  onWrite?: () => void,
): express.Express {
  const app = express();
  app.disable('x-powered-by');
  app.set('etag', false);
  app.use(traceIdMiddleware);
  if (onWrite)
    app.use((req, res, next) => {
      if (req.method !== 'GET' && req.method !== 'HEAD') res.once('finish', onWrite);
      next();
    });
  app.use('/v1', (req, _res, next) => {
    requests.push({
      method: req.method,
      path: req.originalUrl.split('?')[0] ?? '',
      at: ctx.options.clock.now(),
    });
    next();
  });
  const { latencyMs } = ctx.options;
  if (latencyMs > 0) app.use('/v1', (_req, _res, next) => void setTimeout(next, latencyMs));
  app.use(faults.middleware);
  app.use('/_sandbox', controlRoutes(ctx, controls));
  app.use(
    '/v1',
    express.raw({ type: () => true, limit: '1mb' }),
    tokenRoute(ctx),
    tokenizeRoute(ctx),
    evaluateRoute(ctx),
    transmitRoute(ctx),
    outcomeRoute(ctx),
    captureRoute(ctx),
    refundRoute(ctx),
    orderRoutes(ctx),
  );
  app.use((req, res) => sendProblem(res, 404, 'Not Found', `No route for ${req.method} ${req.path}.`));
  app.use(errorHandler(ctx.options.log));
  return app;
}

function errorHandler(log: (line: string) => void): ErrorRequestHandler {
  return (error, req, res, next) => {
    if (res.headersSent) return next(error);
    const status =
      typeof error?.status === 'number' && error.status >= 400 && error.status < 500 ? error.status : 500;
    if (status === 500)
      log(`${req.method} ${req.path} failed: ${error instanceof Error ? error.stack : error}`);
    sendProblem(
      res,
      status,
      status === 500 ? 'Internal Server Error' : String(error?.message ?? 'Bad Request'),
    );
  };
}
