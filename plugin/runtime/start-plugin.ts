import type { Server } from 'node:http';
import type { Config } from '../config/config-schema.js';
import type { Logger } from '../core/logger.js';
import { createApp } from '../http/create-app.js';
import { type DatabaseHandle, openDatabase, targetFromConfig } from '../storage/database.js';
import { migrateToLatest } from '../storage/migrate.js';

export interface RunningPlugin {
  readonly url: string;
  readonly database: DatabaseHandle;
  stop(): Promise<void>;
}

/** The composition root: database and migrations, then the HTTP surface. */
export async function startPlugin(config: Config, logger: Logger): Promise<RunningPlugin> {
  const database = await openDatabase(targetFromConfig(config));
  const stops: Array<() => Promise<void>> = [() => database.close()];
  try {
    const applied = await migrateToLatest(database.db);
    if (applied.length)
      logger.info('migrations applied', { migrations: applied.map((m) => m.migrationName) });

    const app = createApp({ database, logger });
    const server = await listen(app, config.PORT);
    stops.unshift(() => closeServer(server));
    const url = `http://127.0.0.1:${config.PORT}`;
    logger.info('plugin listening', { url, database: database.kind, flexcharge: config.FLEXCHARGE_ENV });
    return { url, database, stop: () => runAll(stops) };
  } catch (err) {
    await runAll(stops);
    throw err;
  }
}

function listen(app: import('express').Express, port: number): Promise<Server> {
  return new Promise((resolve, reject) => {
    const server = app.listen(port);
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
