import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import express from 'express';
import { StripeApiRouter, sendError } from './api-router.js';
import { runDueBilling } from './billing-cycle.js';
import { type EmulatorContext, EmulatorStore } from './emulator-store.js';
import type {
  StripeEmulator,
  StripeEmulatorOptions,
  StripeEmulatorServer,
  StripeEventRecord,
} from './emulator-types.js';
import { apiError, invalidRequest, unrecognizedUrl } from './errors.js';
import { StripeFaultInjector } from './fault-injection.js';
import { registerCatalogRoutes } from './routes/catalog.js';
import { controlRouter } from './routes/control.js';
import { registerCustomerRoutes } from './routes/customers.js';
import { registerEventRoutes } from './routes/events.js';
import { registerInvoicePaymentRoutes } from './routes/invoice-payments.js';
import { registerInvoiceRoutes } from './routes/invoices.js';
import { registerPaymentMethodRoutes } from './routes/payment-methods.js';
import { registerPaymentRoutes } from './routes/payments.js';
import { registerSetupIntentRoutes } from './routes/setup-intents.js';
import { registerSubscriptionRoutes } from './routes/subscriptions.js';
import { registerWebhookEndpointRoutes } from './routes/webhook-endpoints.js';
import { unixSeconds } from './time.js';
import { DEFAULT_WEBHOOK_RETRY_SCHEDULE, deliverDueWebhooks } from './webhook-delivery.js';

export const DEFAULT_API_KEY = 'sk_test_emulator';
export const DEFAULT_RETRY_SCHEDULE_DAYS: readonly number[] = [3, 5, 7, 14];
const TICK_MS = 250;

/**
 * A local, stateful Stripe: serves the `/v1` routes the plugin uses (shapes of API version
 * 2026-10-28.endive), bills subscriptions on the injected clock, retries failed renewals like Smart
 * Retries, and delivers signed webhooks. See README.md for what it covers.
 */
export function createStripeEmulator(options: StripeEmulatorOptions): StripeEmulator {
  const ctx: EmulatorContext = {
    store: new EmulatorStore(),
    clock: options.clock,
    settings: {
      apiKey: options.apiKey ?? DEFAULT_API_KEY,
      retrySchedule: options.retrySchedule ?? DEFAULT_RETRY_SCHEDULE_DAYS,
      afterFinalRetry: options.afterFinalRetry ?? { subscription: 'cancel', invoice: 'leave_past_due' },
      releaseRetry: options.releaseRetry ?? 'rearm',
      webhookRetrySchedule: options.webhookRetrySchedule ?? DEFAULT_WEBHOOK_RETRY_SCHEDULE,
      webhookTimestamps: options.webhookTimestamps ?? 'wall',
      fetchImpl: options.fetchImpl ?? fetch,
      log: options.log ?? (() => undefined),
    },
  };

  // One piece of due work at a time, so the timer, the control route and tests never interleave.
  let tail: Promise<void> = Promise.resolve();
  let busy = false;
  const exclusive = (task: () => Promise<void>): Promise<void> => {
    const run = tail.then(async () => {
      busy = true;
      try {
        await task();
      } finally {
        busy = false;
      }
    });
    tail = run.catch(() => undefined);
    return run;
  };
  const deliverPendingWebhooks = () => exclusive(() => deliverDueWebhooks(ctx));
  const runDue = () =>
    exclusive(async () => {
      runDueBilling(ctx, unixSeconds(ctx.clock));
      await deliverDueWebhooks(ctx);
    });

  const api = new StripeApiRouter(ctx);
  for (const register of [
    registerCustomerRoutes,
    registerPaymentMethodRoutes,
    registerCatalogRoutes,
    registerSubscriptionRoutes,
    registerInvoiceRoutes,
    registerInvoicePaymentRoutes,
    registerPaymentRoutes,
    registerSetupIntentRoutes,
    registerWebhookEndpointRoutes,
    registerEventRoutes,
  ]) {
    register(api, ctx);
  }
  api.finish();

  const app = express();
  app.disable('x-powered-by');
  app.set('etag', false);
  const faults = new StripeFaultInjector();
  app.use('/_emulator', controlRouter(ctx, { runDue, injectFault: (fault) => faults.add(fault) }));
  app.use('/v1', faults.middleware, api.router);
  app.use((req, res) => sendError(res, unrecognizedUrl(req.method, req.path)));
  // Body-parser failures (too large, malformed JSON on control routes) still answer in Stripe's shape.
  app.use((error: unknown, _req: express.Request, res: express.Response, _next: express.NextFunction) => {
    const status = (error as { status?: unknown }).status;
    const message = error instanceof Error ? error.message : String(error);
    sendError(res, typeof status === 'number' && status < 500 ? invalidRequest(message) : apiError(message));
  });

  const servers = new Set<StripeEmulatorServer>();
  let timer: NodeJS.Timeout | null = null;
  const startTimer = () => {
    timer ??= setInterval(() => {
      if (busy) return;
      runDue().catch((error: unknown) =>
        ctx.settings.log(`stripe-emulator: runDue failed: ${String(error)}`),
      );
    }, TICK_MS);
    timer.unref();
  };
  const stopTimerIfIdle = () => {
    if (servers.size > 0 || timer === null) return;
    clearInterval(timer);
    timer = null;
  };

  return {
    app,
    apiKey: ctx.settings.apiKey,
    runDue,
    deliverPendingWebhooks,
    injectFault: (fault) => faults.add(fault),
    get events(): readonly StripeEventRecord[] {
      return [...ctx.store.events.values()].map(({ event, deliveries }) => ({
        id: event.id,
        type: event.type,
        objectId: String(event.data.object.id),
        requestId: event.request.id,
        idempotencyKey: event.request.idempotency_key,
        created: event.created,
        event,
        deliveries,
      }));
    },
    async listen(port = 0, host = '127.0.0.1') {
      const httpServer = createServer(app);
      await new Promise<void>((resolve, reject) => {
        httpServer.once('error', reject);
        httpServer.listen(port, host, () => resolve());
      });
      const bound = (httpServer.address() as AddressInfo).port;
      const server: StripeEmulatorServer = {
        url: `http://${host.includes(':') ? `[${host}]` : host}:${bound}`,
        port: bound,
        close: async () => {
          if (!servers.delete(server)) return;
          stopTimerIfIdle();
          await new Promise<void>((resolve) => {
            httpServer.close(() => resolve());
            httpServer.closeAllConnections();
          });
        },
      };
      servers.add(server);
      startTimer();
      return server;
    },
    async close() {
      await Promise.all([...servers].map((s) => s.close()));
      if (timer) clearInterval(timer);
      timer = null;
      await tail;
    },
  };
}
