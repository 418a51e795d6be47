import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Express } from 'express';
import type { Config } from '../config/config-schema.js';
import { type Clock, OffsetClock, systemClock } from '../core/clock.js';
import type { Logger } from '../core/logger.js';
import { createApp } from '../http/create-app.js';
import { webhookRoutes } from '../http/webhook-routes.js';
import { type DatabaseHandle, openDatabase, targetFromConfig } from '../storage/database.js';
import { createInboxRepository } from '../storage/inbox-repository.js';
import { migrateToLatest } from '../storage/migrate.js';
import { createWebhookNonceRepository } from '../storage/webhook-nonce-repository.js';
import { type FlexChargeSetup, setupFlexCharge } from './flexcharge-setup.js';

export const DEFAULT_MERCHANT_ID = 'default';

export interface RunningPlugin {
  readonly url: string;
  readonly port: number;
  readonly clock: Clock;
  readonly database: DatabaseHandle;
  readonly flexcharge: FlexChargeSetup;
  stop(): Promise<void>;
}

export interface StartOptions {
  logger: Logger;
  /** Default: the system clock, or, with the local sandbox, a clock its controls can move forward. */
  clock?: Clock;
  /** An already open, migrated-or-not database (tests); the caller closes it. */
  database?: DatabaseHandle;
}

/** The composition root: database and migrations, FlexCharge, the HTTP surface. */
export async function startPlugin(config: Config, options: StartOptions): Promise<RunningPlugin> {
  const { logger } = options;
  // With the local sandbox, plugin and sandbox share one clock, so `POST /_sandbox/clock/advance`
  // moves both and signatures stay within their date tolerance.
  const clock = options.clock ?? (config.FLEXCHARGE_ENV === 'local' ? new OffsetClock() : systemClock);
  const stops: Array<() => Promise<void>> = [];
  const database = options.database ?? (await openDatabase(targetFromConfig(config)));
  if (!options.database) stops.push(() => database.close());
  try {
    const applied = await migrateToLatest(database.db);
    if (applied.length)
      logger.info('migrations applied', { migrations: applied.map((m) => m.migrationName) });

    const pluginUrl = `http://127.0.0.1:${config.PORT}`;
    const flexcharge = await setupFlexCharge(config, { database, clock, logger, pluginUrl });
    stops.unshift(() => flexcharge.close());

    const inbox = createInboxRepository(database.db);
    const nonces = createWebhookNonceRepository(database.db);
    const routers = [
      webhookRoutes({
        inbox,
        clock,
        defaultMerchantId: DEFAULT_MERCHANT_ID,
        engines: [],
        provider: {
          id: 'flexcharge',
          verify: (raw, headers, host) => flexcharge.webhookReceiver.verify(raw, headers, host),
          rememberNonce: (nonce, at) => nonces.remember('flexcharge', nonce, at),
        },
        ...(config.PUBLIC_URL ? { publicHost: new URL(config.PUBLIC_URL).host } : {}),
      }),
    ];
    const app = createApp({ database, logger, routers });
    const server = await listen(app, config.PORT);
    stops.unshift(() => closeServer(server));
    const port = (server.address() as AddressInfo).port;
    const url = `http://127.0.0.1:${port}`;
    if (flexcharge.sandbox && !config.PUBLIC_URL && port !== config.PORT) {
      flexcharge.sandbox.sandbox.setWebhook({
        url: `${url}/webhooks/flexcharge`,
        subscriberKey: flexcharge.subscriberKey!,
      });
    }
    logger.info('plugin listening', {
      url,
      database: database.kind,
      flexcharge: config.FLEXCHARGE_ENV,
      ...(flexcharge.sandbox ? { flexchargeSandbox: flexcharge.sandbox.baseUrl } : {}),
    });
    return { url, port, clock, database, flexcharge, stop: () => runAll(stops) };
  } catch (err) {
    await runAll(stops);
    throw err;
  }
}

function listen(app: Express, port: number): Promise<Server> {
  return new Promise((resolve, reject) => {
    const server = app.listen(port, '0.0.0.0');
    server.once('listening', () => resolve(server));
    server.once('error', reject);
  });
}

function closeServer(server: Server): Promise<void> {
  return new Promise((resolve) => {
    server.close(() => resolve());
    server.closeIdleConnections();
  });
}

async function runAll(stops: Array<() => Promise<void>>): Promise<void> {
  for (const stop of stops) await stop();
}
