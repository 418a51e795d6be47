import { type Request, type RequestHandler, type Response, Router } from 'express';
import type { Clock } from '../../core/clock.js';
import type { Logger } from '../../core/logger.js';
import { type LedgerFilter, ledgerFilterOf } from '../../reporting/ledger-filter.js';
import type { DatabaseHandle } from '../../storage/database.js';
import { requireMerchant } from '../../storage/merchant-rows.js';
import { loadReport } from '../../storage/report-query.js';
import type { SessionRepository } from '../../storage/session-repository.js';
import { type Access, principalOf } from '../admin-auth.js';
import { sendLedgerCsv } from '../ledger-routes.js';
import { layout } from './layout.js';
import { loadSession, noStore, pageErrors, requireSession, sessionOf } from './page-session.js';
import { reportView } from './report-view.js';

export interface ReportPageDeps {
  access: Access;
  sessions: SessionRepository;
  database: Pick<DatabaseHandle, 'db' | 'kind'>;
  clock: Clock;
  logger: Logger;
}

const PATHS = ['/report', '/merchants/:merchant/report'];

/**
 * The report as a page, for a signed-in session: `/merchants/:merchant/report` (the partner, or the
 * merchant's own session) and `/report` across merchants (the partner's; a merchant's session is sent
 * to its own). Each has its ledger as CSV at `<page>/ledger.csv`, under the same filter.
 */
export function reportPages(deps: ReportPageDeps): Router {
  const router = Router();
  const { access, database, clock } = deps;
  const paths = PATHS.flatMap((p) => [p, `${p}/ledger.csv`]);
  // The onboarding pages' router may have found the session already (for `/merchants/...`).
  const session: RequestHandler = (req, res, next) =>
    res.locals.session ? next() : loadSession(deps.sessions, clock)(req, res, next);
  router.use(paths, noStore, session, requireSession);
  router.use(
    PATHS.slice(1).flatMap((p) => [p, `${p}/ledger.csv`]),
    access.authorizeMerchant,
  );

  /** The filter of the page: the month so far by default, production unless named. */
  async function filterOf(req: Request): Promise<LedgerFilter> {
    const fromPath = typeof req.params.merchant === 'string' ? req.params.merchant : null;
    const query = Object.fromEntries(
      Object.entries(req.query).filter(([, v]) => typeof v === 'string' && v !== ''),
    );
    const filter = ledgerFilterOf(query, { merchantId: fromPath }, clock.now());
    if (filter.merchantId !== null) await requireMerchant(database.db, filter.merchantId);
    return filter;
  }
  /** A merchant's session on the partner's page goes to its own (with the same query). */
  const ownPageOf = (req: Request, res: Response): string | null => {
    const principal = principalOf(res);
    if (principal.kind !== 'merchant' || typeof req.params.merchant === 'string') return null;
    const query = req.originalUrl.includes('?') ? req.originalUrl.slice(req.originalUrl.indexOf('?')) : '';
    return `/merchants/${encodeURIComponent(principal.merchantId)}/report${query}`;
  };

  const page = async (req: Request, res: Response) => {
    const own = ownPageOf(req, res);
    if (own) return res.redirect(303, own);
    const filter = await filterOf(req);
    const environment = filter.environment ?? 'production';
    const report = await loadReport(database.db, { ...filter, environment });
    const merchants =
      typeof req.params.merchant === 'string'
        ? undefined
        : (await database.db.selectFrom('flexcharge_mit.merchants').select('id').orderBy('id').execute()).map(
            (m) => m.id,
          );
    const day = (d: Date) => d.toISOString().slice(0, 10);
    const query = req.originalUrl.includes('?') ? req.originalUrl.slice(req.originalUrl.indexOf('?')) : '';
    const principal = principalOf(res);
    const who =
      principal.kind === 'partner' ? 'partner' : `${principal.merchantId} (key ${principal.prefix})`;
    res.type('html').send(
      layout(
        { title: 'Report', signedIn: { who, csrfToken: sessionOf(res).csrfToken } },
        reportView({
          report,
          form: {
            from: day(filter.from),
            // The form's `to` is inclusive: the last day the period touches.
            to: day(new Date(filter.to.getTime() - 1)),
            merchant: filter.merchantId,
            ...(merchants ? { merchants } : {}),
          },
          action: req.path,
          csvHref: `${req.path}/ledger.csv${query}`,
        }),
      ),
    );
  };

  const csv = async (req: Request, res: Response) => {
    const own = ownPageOf(req, res);
    if (own) return res.redirect(303, own.replace('/report', '/report/ledger.csv'));
    const filter = await filterOf(req);
    await sendLedgerCsv(res, database, { ...filter, environment: filter.environment ?? 'production' });
  };

  for (const path of PATHS) {
    router.get(path, page);
    router.get(`${path}/ledger.csv`, csv);
  }
  router.use(paths, pageErrors(deps.logger));
  return router;
}
