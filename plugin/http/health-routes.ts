import { Router } from 'express';
import { sql } from 'kysely';
import type { DatabaseHandle } from '../storage/database.js';
import { pendingMigrations } from '../storage/migrate.js';

/** `GET /healthz`: 200 when the database answers and every migration has run, else 503 with the reason. */
export function healthRoutes(database: DatabaseHandle): Router {
  const router = Router();
  router.get('/healthz', async (_req, res) => {
    try {
      await sql`select 1`.execute(database.db);
      const pending = await pendingMigrations(database.db);
      const body = { status: pending.length ? 'migrations_pending' : 'ok', database: database.kind, pending };
      res.status(pending.length ? 503 : 200).json(body);
    } catch (err) {
      res.status(503).json({ status: 'database_unreachable', database: database.kind, error: String(err) });
    }
  });
  return router;
}
