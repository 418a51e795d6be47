import { type Request, type RequestHandler, type Response, Router } from 'express';
import { z } from 'zod';
import type { Clock } from '../core/clock.js';
import { csvHeader, csvLine } from '../reporting/ledger-csv.js';
import { type LedgerFilter, ledgerFilterOf } from '../reporting/ledger-filter.js';
import type { DatabaseHandle } from '../storage/database.js';
import { forEachLedgerBatch, ledgerPage } from '../storage/ledger-query.js';
import { validate } from '../storage/merchant-input.js';
import { requireMerchant } from '../storage/merchant-rows.js';
import { loadReport } from '../storage/report-query.js';
import type { Access } from './admin-auth.js';

export interface LedgerRouteDeps {
  access: Access;
  database: Pick<DatabaseHandle, 'db' | 'kind'>;
  clock: Clock;
}

const pageQuery = z.object({
  cursor: z.string().max(200).optional(),
  limit: z.coerce.number().int().min(1).max(1000).default(100),
});

const noStore: RequestHandler = (_req, res, next) => {
  res.set('Cache-Control', 'no-store');
  next();
};

/** The query without the paging parameters, which the filter does not know. */
function split(query: Request['query']): { filter: Record<string, unknown>; page: Record<string, unknown> } {
  const { cursor, limit, ...filter } = query as Record<string, unknown>;
  return { filter, page: { cursor, limit } };
}

/**
 * The finance ledger and report, JSON and CSV: `/admin/merchants/:merchant/{ledger,ledger.csv,report}`
 * for the partner or the merchant's own key, and `/admin/{ledger,ledger.csv,report}` across merchants
 * (or one, with `?merchant=`) for the partner only. Filters: `from`, `to` (UTC dates, the failure's
 * time), `environment`, `mode` (`live`/`shadow`), `site`, `flow`, `channel`, `state`, `currency`,
 * `declineCode`. The report is of one environment: `production` unless named.
 */
export function ledgerRoutes(deps: LedgerRouteDeps): Router {
  const router = Router();
  const { access, database, clock } = deps;
  const kinds = ['ledger', 'ledger.csv', 'report'];
  router.use(
    kinds.map((k) => `/admin/${k}`),
    noStore,
    access.authenticate,
    access.partnerUnlessMerchant,
  );
  router.use(
    kinds.map((k) => `/admin/merchants/:merchant/${k}`),
    noStore,
    access.authenticate,
    access.authorizeMerchant,
  );

  /** The filter of a request: its merchant from the path, else (the partner's routes) `?merchant=`. */
  async function filterOf(req: Request, query: Record<string, unknown>): Promise<LedgerFilter> {
    const fromPath = typeof req.params.merchant === 'string' ? req.params.merchant : null;
    const filter = ledgerFilterOf(query, { merchantId: fromPath }, clock.now());
    if (filter.merchantId !== null) await requireMerchant(database.db, filter.merchantId);
    return filter;
  }

  const ledger = async (req: Request, res: Response) => {
    const { filter, page } = split(req.query);
    const paging = validate(pageQuery, page, 'query');
    res.json(await ledgerPage(database.db, await filterOf(req, filter), paging));
  };

  const ledgerCsv = async (req: Request, res: Response) => {
    await sendLedgerCsv(res, database, await filterOf(req, req.query as Record<string, unknown>));
  };

  const report = async (req: Request, res: Response) => {
    const filter = await filterOf(req, req.query as Record<string, unknown>);
    res.json({
      report: await loadReport(database.db, { ...filter, environment: filter.environment ?? 'production' }),
    });
  };

  router.get('/admin/ledger', ledger);
  router.get('/admin/ledger.csv', ledgerCsv);
  router.get('/admin/report', report);
  router.get('/admin/merchants/:merchant/ledger', ledger);
  router.get('/admin/merchants/:merchant/ledger.csv', ledgerCsv);
  router.get('/admin/merchants/:merchant/report', report);
  return router;
}

/**
 * The ledger as CSV, row by row from the database's cursor: each write waits for the socket when its
 * buffer is full, so a year of a large merchant goes out with flat memory. The API and the report
 * page both answer with it.
 */
export async function sendLedgerCsv(
  res: Response,
  database: Pick<DatabaseHandle, 'db' | 'kind'>,
  filter: LedgerFilter,
): Promise<void> {
  res.status(200).type('text/csv; charset=utf-8');
  res.set('Content-Disposition', 'attachment; filename="flexcharge-ledger.csv"');
  const write = async (chunk: string) => {
    if (res.destroyed) throw new Error('the client went away');
    if (!res.write(chunk)) await drainedOrClosed(res);
  };
  try {
    await write(csvHeader());
    // One write per batch: a write per row costs a socket write (and a chunk header) per row.
    await forEachLedgerBatch(database, filter, (rows) => write(rows.map(csvLine).join('')));
    res.end();
  } catch (err) {
    // Headers are sent: the only way to say "incomplete" is to cut the connection.
    res.destroy(err instanceof Error ? err : new Error(String(err)));
  }
}

/** Resolves when the socket takes more (`drain`) or is gone (`close`); leaves no listener behind. */
function drainedOrClosed(res: Response): Promise<void> {
  return new Promise((resolve) => {
    const done = () => {
      res.off('drain', done);
      res.off('close', done);
      resolve();
    };
    res.on('drain', done);
    res.on('close', done);
  });
}
