import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import express from 'express';
import { AccountRegistry, newSecretKey } from './account-registry.js';
import { apiGateway } from './api-gateway.js';
import { StripeApiRouter, sendError } from './api-router.js';
import { runDueBilling } from './billing-cycle.js';
import { emulatorStateFile } from './emulator-snapshot.js';
import type { EmulatorContext } from './emulator-store.js';
import type {
  StripeEmulator,
  StripeEmulatorOptions,
  StripeEmulatorServer,
  StripeEventRecord,
} from './emulator-types.js';
import { apiError, invalidRequest, unrecognizedUrl } from './errors.js';
import { StripeFaultInjector } from './fault-injection.js';
import { ForwardingDestinations } from './forwarding-destinations.js';
import { type StripeRateLimit, StripeRateLimiter } from './rate-limit.js';
import { RequestCounter } from './request-counter.js';
import { registerAccountRoutes } from './routes/accounts.js';
import { registerCatalogRoutes } from './routes/catalog.js';
import { controlRouter } from './routes/control.js';
import { registerCustomerRoutes } from './routes/customers.js';
import { registerEventRoutes } from './routes/events.js';
import { registerForwardingRequestRoutes } from './routes/forwarding-requests.js';
import { registerInvoicePaymentRoutes } from './routes/invoice-payments.js';
import { registerInvoiceRoutes } from './routes/invoices.js';
import { registerPaymentMethodRoutes } from './routes/payment-methods.js';
import { registerPaymentRecordRoutes } from './routes/payment-records.js';
import { registerPaymentRoutes } from './routes/payments.js';
import { registerSetupIntentRoutes } from './routes/setup-intents.js';
import { registerSubscriptionRoutes } from './routes/subscriptions.js';
import { registerWebhookEndpointRoutes } from './routes/webhook-endpoints.js';
import { unixSeconds } from './time.js';
import { DEFAULT_WEBHOOK_RETRY_SCHEDULE, deliverDueWebhooks } from './webhook-delivery.js';

export const DEFAULT_API_KEY = 'sk_test_emulator';
export const DEFAULT_RETRY_SCHEDULE_DAYS: readonly number[] = [3, 5, 7, 14];
const TICK_MS = 250;

/** The `/v1` routes of one account, bound to its store. */
function accountRoutes(ctx: EmulatorContext, registry: AccountRegistry): express.Router {
  const api = new StripeApiRouter(ctx);
  for (const register of [
    registerCustomerRoutes,
    registerPaymentMethodRoutes,
    registerCatalogRoutes,
    registerSubscriptionRoutes,
    registerInvoiceRoutes,
    registerInvoicePaymentRoutes,
    registerPaymentRoutes,
    registerPaymentRecordRoutes,
    registerSetupIntentRoutes,
    registerWebhookEndpointRoutes,
    registerEventRoutes,
    registerForwardingRequestRoutes,
  ]) {
    register(api, ctx);
  }
  registerAccountRoutes(api, ctx, registry);
  api.finish();
  return api.router;
}

/** Every `/v1` answer waits `ms` first: Stripe's own time plus the network, for benchmarks (README). */
function apiLatency(ms: number): express.RequestHandler {
  if (!(ms >= 0)) throw new RangeError('latencyMs must be 0 or more');
  return ms === 0 ? (_req, _res, next) => next() : (_req, _res, next) => void setTimeout(next, ms);
}

/**
 * A local, stateful Stripe: serves the `/v1` routes the plugin uses (shapes of API version
 * 2026-10-28.endive), bills subscriptions on the injected clock, retries failed renewals like Smart
 * Retries, and delivers signed webhooks. It holds a Connect platform (its API key), the accounts
 * connected to it, and standalone accounts with keys of their own. See README.md for what it covers.
 */
export function createStripeEmulator(options: StripeEmulatorOptions): StripeEmulator {
  const shared: Pick<EmulatorContext, 'clock' | 'settings'> = {
    clock: options.clock,
    settings: {
      apiKey: options.apiKey ?? DEFAULT_API_KEY,
      retrySchedule: options.retrySchedule ?? DEFAULT_RETRY_SCHEDULE_DAYS,
      afterFinalRetry: options.afterFinalRetry ?? { subscription: 'cancel', invoice: 'leave_past_due' },
      releaseRetry: options.releaseRetry ?? 'rearm',
      webhookRetrySchedule: options.webhookRetrySchedule ?? DEFAULT_WEBHOOK_RETRY_SCHEDULE,
      webhookTimestamps: options.webhookTimestamps ?? 'wall',
      webhookConcurrency: options.webhookConcurrency ?? 1,
      fetchImpl: options.fetchImpl ?? fetch,
      forwarding: new ForwardingDestinations(options.forwardingDestinations ?? []),
      log: options.log ?? (() => undefined),
    },
  };
  const registry: AccountRegistry = new AccountRegistry(shared, (ctx) => accountRoutes(ctx, registry));
  const state = options.stateFile ? emulatorStateFile(options.stateFile, registry, shared) : null;
  const platform =
    state?.restore() ?? registry.addRoot('platform', shared.settings.apiKey, unixSeconds(shared.clock));
  const createStandaloneAccount = () =>
    registry.addRoot('standalone', newSecretKey(), unixSeconds(shared.clock));

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
  // Paused by `/_emulator/webhooks/pause`: due deliveries wait (they are not dropped) until resumed.
  let deliveriesPaused = false;
  // Accounts are handled one after another, each in time order; they share nothing but the clock.
  const deliverAll = async () => {
    if (deliveriesPaused) return;
    const delivering = state?.deliveriesDue(unixSeconds(shared.clock)) ?? false;
    for (const account of registry.all()) await deliverDueWebhooks(account.ctx);
    if (delivering) state?.changed();
  };
  const deliverPendingWebhooks = () => exclusive(deliverAll);
  const runDue = () =>
    exclusive(async () => {
      const now = unixSeconds(shared.clock);
      let billed = 0;
      for (const account of registry.all()) billed += runDueBilling(account.ctx, now);
      if (billed > 0) state?.changed();
      await deliverAll();
    });

  const app = express();
  app.disable('x-powered-by');
  app.set('etag', false);
  const faults = new StripeFaultInjector();
  const requests = new RequestCounter();
  const rateLimiter = new StripeRateLimiter();
  const setRateLimit = (accountId: string, limit: StripeRateLimit | null) =>
    rateLimiter.set(accountId, limit);
  if (state) app.use(state.afterWrites);
  app.use(
    '/_emulator',
    controlRouter(registry, {
      runDue,
      exclusive,
      pauseWebhooks: (paused) => {
        deliveriesPaused = paused;
      },
      injectFault: (fault) => faults.add(fault),
      setRateLimit,
      createStandaloneAccount,
    }),
  );
  app.use(
    '/v1',
    requests.middleware,
    apiLatency(options.latencyMs ?? 0),
    apiGateway(registry, faults, rateLimiter),
  );
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
        shared.settings.log(`stripe-emulator: runDue failed: ${String(error)}`),
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
    apiKey: shared.settings.apiKey,
    accountId: platform.id,
    createStandaloneAccount() {
      const account = createStandaloneAccount();
      state?.changed();
      return { id: account.id, apiKey: account.secretKey ?? '' };
    },
    createRestrictedKey(permissions, accountId) {
      const account = accountId === undefined ? platform : registry.byId(accountId);
      if (!account) throw new Error(`stripe-emulator: no account ${accountId}`);
      const key = registry.addRestrictedKey(account, permissions);
      state?.changed();
      return key;
    },
    saveState: () => state?.flush(),
    webhookEndpointSecret: (endpointId) => platform.ctx.store.webhookEndpoints.get(endpointId)?.secret,
    runDue,
    deliverPendingWebhooks,
    allowForwardingTo: (url) => shared.settings.forwarding.allow(url),
    injectFault: (fault) => faults.add(fault),
    setRateLimit: (limit, accountId) => {
      if (accountId !== undefined && !registry.byId(accountId))
        throw new Error(`stripe-emulator: no account ${accountId}`);
      setRateLimit(accountId ?? platform.id, limit);
    },
    get rateLimited() {
      return rateLimiter.refused;
    },
    requests,
    get events(): readonly StripeEventRecord[] {
      const all = registry
        .all()
        .flatMap((account) =>
          [...account.ctx.store.events.values()].map((state) => ({ accountId: account.id, ...state })),
        );
      // Oldest first across accounts; the sort is stable, so one account's events keep their order.
      all.sort((a, b) => a.event.created - b.event.created);
      return all.map(({ accountId, event, deliveries }) => ({
        id: event.id,
        accountId,
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
      state?.flush();
    },
  };
}
