import type { Server } from 'node:http';
import { type AddressInfo, isIP } from 'node:net';
import { resolve } from 'node:path';
import { type Express, Router } from 'express';
import { createStripeBillingAdapter } from '../../adapters/stripe/stripe-billing-adapter.js';
import type { Config } from '../config/config-schema.js';
import { type Clock, OffsetClock, systemClock } from '../core/clock.js';
import type { Logger } from '../core/logger.js';
import { createAccess } from '../http/admin-auth.js';
import { adminRoutes } from '../http/admin-routes.js';
import { createApp } from '../http/create-app.js';
import { ledgerRoutes } from '../http/ledger-routes.js';
import { merchantAccessRoutes } from '../http/merchant-access-routes.js';
import { merchantAdminRoutes } from '../http/merchant-admin-routes.js';
import { merchantReadinessRoutes } from '../http/merchant-readiness-routes.js';
import { metricsRoutes } from '../http/metrics-routes.js';
import { createOnboardingChecks } from '../http/onboarding-checks.js';
import { pageRoutes } from '../http/pages/page-routes.js';
import { reportPages } from '../http/pages/report-page.js';
import { webhookRoutes } from '../http/webhook-routes.js';
import { createMetrics, type PluginMetrics } from '../observability/metrics.js';
import { observedCallLog } from '../observability/observed-call-log.js';
import { resolveEncryptionKey, resolvePreviousKeys } from '../security/encryption-key.js';
import { createSecretBox, type SecretBox } from '../security/secret-box.js';
import { createApiKeyRepository } from '../storage/api-key-repository.js';
import { createAuditLog } from '../storage/audit-log.js';
import { createCardTokenRepository, sealClearCardTokens } from '../storage/card-token-repository.js';
import { type DatabaseHandle, openDatabase, targetFromConfig } from '../storage/database.js';
import { createFlexChargeCallLog } from '../storage/flexcharge-call-log.js';
import { createInboxRepository } from '../storage/inbox-repository.js';
import { createMerchantChanges } from '../storage/merchant-changes.js';
import { createMerchantRepository } from '../storage/merchant-repository.js';
import { migrateToLatest } from '../storage/migrate.js';
import { createRescueRepository } from '../storage/rescue-repository.js';
import { createRetention, retentionPolicyFromConfig } from '../storage/retention.js';
import { createSessionRepository } from '../storage/session-repository.js';
import { createTransmissionRepository } from '../storage/transmission-repository.js';
import { createWorker, type Worker } from '../worker/worker.js';
import { type FlexChargeSetup, setupFlexCharge } from './flexcharge-setup.js';
import { withLocalDefaults } from './local-defaults.js';
import { policyFromConfig } from './process-policy.js';
import { seedDefaultMerchant } from './seed-default-merchant.js';
import { createStoredMerchantDirectory, type StoredMerchantDirectory } from './stored-merchant-directory.js';
import { type StripeSetup, setupStripe } from './stripe-setup.js';

export const DEFAULT_MERCHANT_ID = 'default';

export interface RunningPlugin {
  readonly url: string;
  /** The Express app listening at `url`; tests walk its routes. */
  readonly app: Express;
  readonly port: number;
  readonly clock: Clock;
  readonly database: DatabaseHandle;
  readonly flexcharge: FlexChargeSetup;
  readonly stripe: StripeSetup;
  readonly worker: Worker;
  /** The stored merchants the worker and the webhooks act for, built into their adapters. */
  readonly merchants: StoredMerchantDirectory;
  /** Encrypts secrets at rest (card tokens, merchant credentials) under ENCRYPTION_KEY or the local key. */
  readonly secrets: SecretBox;
  /** This plugin's own metrics registry, served at GET /metrics. */
  readonly metrics: PluginMetrics;
  stop(): Promise<void>;
}

export interface StartOptions {
  logger: Logger;
  /** Default: the system clock, or, with the local sandbox, a clock its controls can move forward. */
  clock?: Clock;
  /** An already open database (tests); the caller closes it. */
  database?: DatabaseHandle;
  /** Default true. Tests drive `worker.drain()` themselves. */
  startWorker?: boolean;
  /**
   * Where the local Stripe emulator and FlexCharge sandbox keep their state, so a restart finds every
   * order and invoice again. Default: DATA_DIR when the plugin opens its own database, none (in
   * memory) when handed one (tests); null: in memory.
   */
  localStateDir?: string | null;
}

/**
 * The composition root: database and migrations, the HTTP listener, FlexCharge and Stripe (or their
 * local stand-ins, which need the listener's URL for their webhooks), the routes, then the worker.
 */
export async function startPlugin(configured: Config, options: StartOptions): Promise<RunningPlugin> {
  const { logger } = options;
  const config = await withLocalDefaults(configured);
  // With the local sandbox, plugin, sandbox and emulator share one clock, so moving it moves all
  // three and webhook signatures stay within their date tolerance.
  const clock = options.clock ?? (config.FLEXCHARGE_ENV === 'local' ? new OffsetClock() : systemClock);
  const stops: Array<() => Promise<void>> = [];
  const stopAll = async () => {
    for (const stop of stops.splice(0)) await stop();
  };
  try {
    const database = options.database ?? (await openDatabase(targetFromConfig(config), { logger }));
    if (!options.database) stops.unshift(() => database.close());
    const applied = await migrateToLatest(database.db);
    if (applied.length)
      logger.info('migrations applied', { migrations: applied.map((m) => m.migrationName) });
    const secrets = createSecretBox(resolveEncryptionKey(config, logger), resolvePreviousKeys(config));
    const sealed = await sealClearCardTokens(database.db, secrets);
    if (sealed) logger.info('card tokens stored in clear are now encrypted', { count: sealed });
    await seedDefaultMerchant(database.db, config, {
      box: secrets,
      clock,
      logger,
      merchantId: DEFAULT_MERCHANT_ID,
    });

    // Webhook and admin routes are mounted once their adapters exist; until then they answer 404.
    const metrics = createMetrics({ db: database.db, clock, logger });
    const lateRoutes = Router();
    const app = createApp({ database, logger, routers: [lateRoutes] });
    const server = await listen(app, config.PORT, config.HOST);
    stops.unshift(() => closeServer(server));
    const port = (server.address() as AddressInfo).port;
    const url = `http://${reachableHost(config.HOST)}:${port}`;

    const stateDir =
      options.localStateDir === undefined
        ? options.database
          ? undefined
          : resolve(config.DATA_DIR)
        : (options.localStateDir ?? undefined);
    const flexcharge = await setupFlexCharge(config, { database, clock, logger, pluginUrl: url, stateDir });
    stops.unshift(() => flexcharge.close());
    const stripe = await setupStripe(config, {
      clock,
      logger,
      pluginUrl: url,
      observe: metrics.observeStripe,
      stateDir,
    });
    stops.unshift(() => stripe.close());
    // Both bundled: Stripe may forward cards on file to the sandbox's /tokenize, as Stripe support
    // enables a destination for a real account (docs/card-tokens.md).
    if (stripe.emulator && flexcharge.sandbox)
      stripe.emulator.emulator.allowForwardingTo(new URL('tokenize', flexcharge.sandbox.baseUrl).toString());

    const inbox = createInboxRepository(database.db);
    const rescues = createRescueRepository(database.db);
    const cardTokens = createCardTokenRepository(database.db, secrets);
    const merchants = createStoredMerchantDirectory({
      db: database.db,
      box: secrets,
      clock,
      policy: policyFromConfig(config),
      hosts: flexcharge.hosts,
      flexcharge: {
        timeoutMs: config.FLEXCHARGE_TIMEOUT_MS,
        maxRetries: config.FLEXCHARGE_MAX_RETRIES,
        concurrencyPerHost: config.FLEXCHARGE_HOST_CONCURRENCY,
        callLog: observedCallLog(createFlexChargeCallLog(database.db), metrics.observeFlexCharge),
      },
      stripe: stripe,
      observeStripe: metrics.observeStripe,
    });
    const engineIds = [stripe.adapter.id];
    const apiKeys = createApiKeyRepository(database.db);
    const access = createAccess({ adminToken: config.ADMIN_TOKEN, apiKeys, clock });
    lateRoutes.use(metricsRoutes({ metrics, metricsToken: config.METRICS_TOKEN, access }));
    const merchantRepository = createMerchantRepository(database.db, secrets);
    const merchantChanges = createMerchantChanges(database.db, secrets);
    const audit = createAuditLog(database.db);
    const connectSecret = config.STRIPE_CONNECT_WEBHOOK_SECRET;
    lateRoutes.use(
      webhookRoutes({
        inbox,
        clock,
        defaultMerchantId: DEFAULT_MERCHANT_ID,
        merchants,
        engineIds,
        providerId: 'flexcharge',
        // Connect events are verified with the platform's endpoint secret, then routed by `account`.
        stripeConnect: connectSecret
          ? createStripeBillingAdapter({ stripe: stripe.stripe, webhookSecret: connectSecret, clock })
          : null,
        ...(config.PUBLIC_URL ? { publicHost: new URL(config.PUBLIC_URL).host } : {}),
        observeIntake: metrics.webhookIntake,
      }),
      merchantAccessRoutes({
        access,
        apiKeys,
        audit,
        merchants: merchantRepository,
        clock,
      }),
      merchantReadinessRoutes({
        access,
        db: database.db,
        merchants: merchantRepository,
        hosts: flexcharge.hosts,
        clock,
        environmentMerchantId: DEFAULT_MERCHANT_ID,
      }),
      // Before adminRoutes: its JSON parser on /admin would quote a malformed body (a secret) in the log.
      merchantAdminRoutes({
        access,
        merchants: merchantRepository,
        changes: merchantChanges,
        clock,
      }),
      ledgerRoutes({ access, database, clock }),
      reportPages({ access, sessions: createSessionRepository(database.db), database, clock, logger }),
      pageRoutes({
        access,
        sessions: createSessionRepository(database.db),
        merchants: merchantRepository,
        changes: merchantChanges,
        rescues,
        audit,
        apiKeys,
        checks: createOnboardingChecks({
          db: database.db,
          merchants: merchantRepository,
          hosts: flexcharge.hosts,
          clock,
          environmentMerchantId: DEFAULT_MERCHANT_ID,
        }),
        clock,
        logger,
        // Locally the pages are served over plain HTTP, where a Secure cookie would never come back.
        secureCookies: config.FLEXCHARGE_ENV !== 'local',
      }),
      adminRoutes({
        access,
        merchantId: DEFAULT_MERCHANT_ID,
        engineIds,
        rescues,
        cardTokens,
        inbox,
        clock,
      }),
    );
    const worker = createWorker({
      inbox,
      rescues,
      transmissions: createTransmissionRepository(database.db),
      cardTokens,
      retention: createRetention(database.db, retentionPolicyFromConfig(config)),
      merchants,
      clock,
      logger,
      concurrency: config.WORKER_CONCURRENCY,
      merchantConcurrency: config.WORKER_MERCHANT_CONCURRENCY,
    });
    if (options.startWorker !== false) worker.start(config.WORKER_INTERVAL_MS);
    // The worker stops before anything it uses: it finishes its pass, then the rest closes.
    stops.unshift(() => worker.stop());

    logger.info('plugin listening', {
      url,
      database: database.kind,
      flexcharge: config.FLEXCHARGE_ENV,
      ...(flexcharge.sandbox ? { flexchargeSandbox: flexcharge.sandbox.baseUrl } : {}),
      ...(stripe.emulator ? { stripeEmulator: stripe.emulator.url } : {}),
    });
    return {
      url,
      app,
      port,
      clock,
      database,
      flexcharge,
      stripe,
      worker,
      merchants,
      secrets,
      metrics,
      stop: stopAll,
    };
  } catch (err) {
    await stopAll();
    throw err;
  }
}

function listen(app: Express, port: number, host: string): Promise<Server> {
  return new Promise((resolve, reject) => {
    const server = app.listen(port, host);
    server.once('listening', () => resolve(server));
    server.once('error', reject);
  });
}

/** Where this process reaches its own listener: loopback when listening everywhere. */
function reachableHost(host: string): string {
  if (host === '0.0.0.0' || host === '::') return '127.0.0.1';
  return isIP(host) === 6 ? `[${host}]` : host;
}

function closeServer(server: Server): Promise<void> {
  return new Promise((resolve) => {
    server.close(() => resolve());
    server.closeIdleConnections();
  });
}
