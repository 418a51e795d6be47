import { type Request, type Response, Router } from 'express';
import { z } from 'zod';
import type { Clock } from '../../core/clock.js';
import { ConflictError, NotFoundError, ValidationError } from '../../core/errors.js';
import { MERCHANT_FLOWS } from '../../core/merchant-settings.js';
import type { AuditLog } from '../../storage/audit-log.js';
import { type MerchantChange, type MerchantChanges, merchantParts } from '../../storage/merchant-changes.js';
import type { CredentialsInput, FlowInput, SiteInput } from '../../storage/merchant-input.js';
import type { MerchantDetails, MerchantRepository } from '../../storage/merchant-repository.js';
import type { RescueRepository } from '../../storage/rescue-repository.js';
import { type Access, actorOf, principalOf } from '../admin-auth.js';
import { rejectNulBytes } from '../reject-nul-bytes.js';
import type { FormState } from './form-fields.js';
import { layout } from './layout.js';
import { merchantListView, merchantView, rescueView } from './merchant-views.js';
import { checkCsrf, formBody, sessionOf } from './page-session.js';

export interface MerchantPageDeps {
  access: Access;
  merchants: MerchantRepository;
  /** The same audited writes as the JSON admin API: the session's principal is the actor. */
  changes: MerchantChanges;
  rescues: RescueRepository;
  audit: AuditLog;
  clock: Clock;
}

// What a form may name; the rest of its fields (csrf, a stray one) is not handed on.
const SECRET_FIELDS = ['appKey', 'appSecret', 'webhookKey', 'csrf'];
const text = (req: Request, name: string): string | null => {
  const v = req.body?.[name];
  return typeof v === 'string' && v.trim() !== '' ? v : null;
};
const checked = (req: Request, name: string) => req.body?.[name] === 'on';

/**
 * The onboarding pages over stored merchants (`/merchants/...`): the partner sees every merchant, a
 * merchant's session its own only (another's is a 404, as in the API). Each form calls the change
 * the admin API calls, so it is validated and audited alike; a refused form is shown again with each
 * message next to its field, an accepted one redirects (303) back to the merchant's page.
 */
export function merchantPages(deps: MerchantPageDeps): Router {
  const router = Router();
  const { access, merchants, clock } = deps;
  router.use('/merchants/:merchant', access.authorizeMerchant);
  router.post('/merchants/*path', formBody, rejectNulBytes, checkCsrf);
  const merchantOf = (req: Request) => String(req.params.merchant);

  async function details(id: string): Promise<MerchantDetails> {
    const found = await merchants.getMerchant(id);
    if (!found) throw new NotFoundError(`unknown merchant ${id}`);
    return found;
  }
  const who = (res: Response) => {
    const p = principalOf(res);
    return p.kind === 'partner' ? 'partner' : `${p.merchantId} (key ${p.prefix})`;
  };
  const send = (res: Response, title: string, content: Parameters<typeof layout>[1], status = 200) =>
    res
      .status(status)
      .type('html')
      .send(layout({ title, signedIn: { who: who(res), csrfToken: sessionOf(res).csrfToken } }, content));

  async function showMerchant(req: Request, res: Response, state?: FormState, status = 200) {
    const id = merchantOf(req);
    const m = await details(id);
    const [rescues, audit] = await Promise.all([
      deps.rescues.list(id, { limit: 20 }),
      deps.audit.list(id, { limit: 20 }),
    ]);
    send(
      res,
      m.name,
      merchantView({ details: m, rescues, audit, csrfToken: sessionOf(res).csrfToken, state }),
      status,
    );
  }

  /**
   * Runs the audited change; a refused one (bad field, conflict) shows the page again with the
   * messages at the form, what was typed kept but for secrets.
   */
  async function submit<T>(
    req: Request,
    res: Response,
    form: string,
    what: Pick<MerchantChange<T>, 'action' | 'part'>,
    make: (m: MerchantRepository) => Promise<T>,
  ) {
    const id = merchantOf(req);
    try {
      await deps.changes.apply(
        { ...what, merchantId: id, actor: actorOf(principalOf(res)), at: clock.now() },
        make,
      );
    } catch (err) {
      if (!(err instanceof ValidationError || err instanceof ConflictError)) throw err;
      const fields = err instanceof ValidationError ? err.fields : { form: [err.message] };
      const values = Object.fromEntries(
        Object.entries(req.body ?? {}).filter(
          (e): e is [string, string] => typeof e[1] === 'string' && !SECRET_FIELDS.includes(e[0]),
        ),
      );
      return showMerchant(req, res, { form, fields, values }, err instanceof ConflictError ? 409 : 400);
    }
    res.redirect(303, `/merchants/${encodeURIComponent(id)}`);
  }

  // A merchant's session goes straight to its own page.
  router.get('/merchants', async (_req, res) => {
    const principal = principalOf(res);
    if (principal.kind === 'merchant')
      return res.redirect(303, `/merchants/${encodeURIComponent(principal.merchantId)}`);
    const all = await merchants.listMerchants();
    const list = await Promise.all(all.map((m) => details(m.id)));
    send(res, 'Merchants', merchantListView(list));
  });

  router.get('/merchants/:merchant', (req, res) => showMerchant(req, res));

  router.get('/merchants/:merchant/rescues/:id', async (req, res) => {
    const id = z.uuid().safeParse(req.params.id);
    const row = id.success ? await deps.rescues.get(id.data) : undefined;
    if (!row || row.merchant_id !== merchantOf(req)) throw new NotFoundError(`no rescue ${req.params.id}`);
    send(
      res,
      `Rescue ${row.invoice_id}`,
      rescueView(merchantOf(req), row, await deps.rescues.history(row.id)),
    );
  });

  router.post('/merchants/:merchant/flows/:flow', (req, res) => {
    const input = {
      flow: String(req.params.flow),
      mode: text(req, 'mode'),
      environment: text(req, 'environment'),
    };
    return submit(
      req,
      res,
      `flow-${input.flow}`,
      { action: 'flow.updated', part: merchantParts.flow(input.flow) },
      (m) => m.putFlow(merchantOf(req), input as FlowInput, clock.now()),
    );
  });

  router.post('/merchants/:merchant/sites', (req, res) => {
    const input = {
      url: text(req, 'url'),
      statementDescriptor: text(req, 'statementDescriptor'),
      flexchargeSiteIds: {
        sandbox: text(req, 'flexchargeSiteIds.sandbox'),
        production: text(req, 'flexchargeSiteIds.production'),
      },
      ...(checked(req, 'isDefault') ? { isDefault: true } : {}),
    };
    return submit(req, res, 'site-new', { action: 'site.created', part: merchantParts.site() }, (m) =>
      m.addSite(merchantOf(req), input as SiteInput, clock.now()),
    );
  });

  // The switches change the site's flows only: its other fields are read and written back under the
  // merchant's lock, so a change made meanwhile by someone else is not undone.
  router.post('/merchants/:merchant/sites/:site/flows', (req, res) => {
    const siteId = String(req.params.site);
    const enabled = Object.fromEntries(MERCHANT_FLOWS.map((f) => [f, checked(req, `enabled.${f}`)]));
    return submit(
      req,
      res,
      `site-${siteId}`,
      { action: 'site.updated', part: merchantParts.site(siteId) },
      async (m) => {
        const site = (await m.getMerchant(merchantOf(req)))?.sites.find((s) => s.id === siteId);
        if (!site) throw new NotFoundError(`merchant ${merchantOf(req)} has no site ${siteId}`);
        const { url, statementDescriptor, flexchargeSiteIds } = site;
        return m.updateSite(
          merchantOf(req),
          siteId,
          { url, statementDescriptor, flexchargeSiteIds, enabled },
          clock.now(),
        );
      },
    );
  });

  router.post('/merchants/:merchant/credentials/:environment', (req, res) => {
    const environment = String(req.params.environment);
    const input = {
      environment,
      appKey: text(req, 'appKey'),
      appSecret: text(req, 'appSecret'),
      mid: text(req, 'mid'),
      webhookKey: text(req, 'webhookKey'),
      defaultSiteId: text(req, 'defaultSiteId'),
      defaultSiteUrl: text(req, 'defaultSiteUrl'),
    };
    return submit(
      req,
      res,
      `credentials-${environment}`,
      { action: 'credentials.updated', part: merchantParts.credentials(environment) },
      (m) => m.putFlexChargeCredentials(merchantOf(req), input as CredentialsInput, clock.now()),
    );
  });

  return router;
}
