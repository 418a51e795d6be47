import { Router } from 'express';
import { sql } from 'kysely';
import type { Logger } from '../core/logger.js';
import type { DatabaseHandle } from '../storage/database.js';
import { pendingMigrations } from '../storage/migrate.js';

/** `GET /healthz`: 200 when the database answers and every migration has run, else 503 with the reason. */
export function healthRoutes(database: DatabaseHandle, logger: Logger): Router {
  const router = Router();
  router.get('/healthz', async (_req, res) => {
    try {
      await sql`select 1`.execute(database.db);
      const pending = await pendingMigrations(database.db);
      const body = { status: pending.length ? 'migrations_pending' : 'ok', database: database.kind, pending };
      res.status(pending.length ? 503 : 200).json(body);
    } catch (err) {
      // The driver's message names hosts and ports: it goes to our log, not to whoever asks.
      logger.warn('health check: database unreachable', { error: String(err) });
      res.status(503).json({ status: 'database_unreachable', database: database.kind });
    }
  });
  return router;
}
