import { type Request, type Response, Router } from 'express';
import { z } from 'zod';
import type { Clock } from '../../core/clock.js';
import { ConflictError, ForbiddenError, NotFoundError, ValidationError } from '../../core/errors.js';
import {
  FLEXCHARGE_ENVIRONMENTS,
  type FlexChargeEnvironment,
  MERCHANT_FLOWS,
} from '../../core/merchant-settings.js';
import type { ApiKeyRepository } from '../../storage/api-key-repository.js';
import type { AuditLog } from '../../storage/audit-log.js';
import { type MerchantChange, type MerchantChanges, merchantParts } from '../../storage/merchant-changes.js';
import type {
  CredentialsInput,
  EngineConnectionInput,
  FlowInput,
  MerchantInput,
  SiteInput,
} from '../../storage/merchant-input.js';
import type { MerchantDetails, MerchantRepository } from '../../storage/merchant-repository.js';
import type { RescueRepository } from '../../storage/rescue-repository.js';
import { type Access, actorOf, principalOf } from '../admin-auth.js';
import type { OnboardingChecks } from '../onboarding-checks.js';
import { rejectNulBytes } from '../reject-nul-bytes.js';
import type { FormState } from './form-fields.js';
import { layout } from './layout.js';
import { merchantListView, merchantView, type Notice, rescueView } from './merchant-views.js';
import { checkCsrf, formBody, sessionOf } from './page-session.js';

export interface MerchantPageDeps {
  access: Access;
  merchants: MerchantRepository;
  /** The same audited writes as the JSON admin API: the session's principal is the actor. */
  changes: MerchantChanges;
  rescues: RescueRepository;
  audit: AuditLog;
  /** Keys are created and revoked here as in the API: each writes its own audit entry. */
  apiKeys: ApiKeyRepository;
  /** The readiness checklist and the "test connection", as the API runs them. */
  checks: OnboardingChecks;
  clock: Clock;
}

// What a form may name; the rest of its fields (csrf, a stray one) is not handed on.
const SECRET_FIELDS = ['appKey', 'appSecret', 'webhookKey', 'apiKey', 'webhookSecret', 'csrf'];
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

  async function showMerchant(
    req: Request,
    res: Response,
    options: { state?: FormState; notice?: Notice; status?: number } = {},
  ) {
    const id = merchantOf(req);
    const m = await details(id);
    const [rescues, audit, overview, apiKeys] = await Promise.all([
      deps.rescues.list(id, { limit: 20 }),
      deps.audit.list(id, { limit: 30 }),
      deps.checks.overview(id),
      deps.apiKeys.list(id),
    ]);
    send(
      res,
      m.name,
      merchantView({
        details: m,
        rescues,
        audit,
        apiKeys,
        ...overview,
        csrfToken: sessionOf(res).csrfToken,
        state: options.state,
        notice: options.notice,
      }),
      options.status,
    );
  }

  async function showList(res: Response, state?: FormState, status = 200) {
    const all = await merchants.listMerchants();
    const list = await Promise.all(
      all.map(async (m) => ({
        details: await details(m.id),
        readiness: await deps.checks.readiness(m.id),
      })),
    );
    send(res, 'Merchants', merchantListView(list, sessionOf(res).csrfToken, state), status);
  }

  /** What was typed in a refused form, to show it again: never a secret. */
  const typedValues = (req: Request) =>
    Object.fromEntries(
      Object.entries(req.body ?? {}).filter(
        (e): e is [string, string] => typeof e[1] === 'string' && !SECRET_FIELDS.includes(e[0]),
      ),
    );

  /**
   * Runs the audited change; a refused one (bad field, conflict) shows the page again with the
   * messages at the form, what was typed kept but for secrets. `merchantId` defaults to the path's.
   */
  async function submit<T>(
    req: Request,
    res: Response,
    form: string,
    what: Pick<MerchantChange<T>, 'action' | 'part'>,
    make: (m: MerchantRepository) => Promise<T>,
    options: { merchantId?: string; onRefused?: (state: FormState, status: number) => Promise<void> } = {},
  ) {
    const id = options.merchantId ?? merchantOf(req);
    try {
      await deps.changes.apply(
        { ...what, merchantId: id, actor: actorOf(principalOf(res)), at: clock.now() },
        make,
      );
    } catch (err) {
      if (!(err instanceof ValidationError || err instanceof ConflictError)) throw err;
      const fields = err instanceof ValidationError ? err.fields : { form: [err.message] };
      const state = { form, fields, values: typedValues(req) };
      const status = err instanceof ConflictError ? 409 : 400;
      if (options.onRefused) return options.onRefused(state, status);
      return showMerchant(req, res, { state, status });
    }
    res.redirect(303, `/merchants/${encodeURIComponent(id)}`);
  }

  // A merchant's session goes straight to its own page.
  router.get('/merchants', async (_req, res) => {
    const principal = principalOf(res);
    if (principal.kind === 'merchant')
      return res.redirect(303, `/merchants/${encodeURIComponent(principal.merchantId)}`);
    await showList(res);
  });

  // Creating a merchant is the partner's only, as in the API. An id in use is refused, not updated.
  router.post('/merchants', formBody, rejectNulBytes, checkCsrf, (req, res) => {
    if (principalOf(res).kind !== 'partner') throw new ForbiddenError("creating a merchant is the partner's");
    const input = { id: text(req, 'id') ?? '', name: text(req, 'name') };
    return submit(
      req,
      res,
      'merchant-new',
      { action: 'merchant.created', part: merchantParts.merchant(input.id) },
      async (m) => {
        if (input.id && (await m.getMerchant(input.id).catch(() => null)))
          throw new ValidationError('merchant exists', { id: ['a merchant with this id already exists'] });
        return m.upsertMerchant(input as MerchantInput, clock.now());
      },
      { merchantId: input.id, onRefused: (state, status) => showList(res, state, status) },
    );
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

  // The merchant's name and the metadata keys its Stripe integration writes; the id never changes.
  router.post('/merchants/:merchant', (req, res) => {
    const input = {
      id: merchantOf(req),
      name: text(req, 'name'),
      ...(text(req, 'siteMetadataKey') ? { siteMetadataKey: req.body.siteMetadataKey } : {}),
      ...(text(req, 'orderChannelMetadataKey')
        ? { orderChannelMetadataKey: req.body.orderChannelMetadataKey }
        : {}),
    };
    return submit(
      req,
      res,
      'merchant',
      { action: 'merchant.updated', part: merchantParts.merchant(input.id) },
      (m) => m.upsertMerchant(input as MerchantInput, clock.now()),
    );
  });

  // Replaces the whole connection, as the API's PUT does: a secret left blank is removed.
  router.post('/merchants/:merchant/engines/:engine', (req, res) => {
    const engine = String(req.params.engine);
    const input = {
      engine,
      apiKey: text(req, 'apiKey'),
      webhookSecret: text(req, 'webhookSecret'),
      stripeAccountId: text(req, 'stripeAccountId'),
      writeBackMode: text(req, 'writeBackMode'),
    };
    return submit(
      req,
      res,
      `engine-${engine}`,
      { action: 'engine.updated', part: merchantParts.engine(engine) },
      (m) => m.putEngineConnection(merchantOf(req), input as EngineConnectionInput, clock.now()),
    );
  });

  // Refused (409, shown at the form) while a flow runs in that environment or a rescue needs it.
  router.post('/merchants/:merchant/credentials/:environment/remove', (req, res) => {
    const environment = String(req.params.environment);
    return submit(
      req,
      res,
      `credentials-${environment}`,
      { action: 'credentials.removed', part: merchantParts.credentials(environment) },
      (m) => m.removeFlexChargeCredentials(merchantOf(req), environment as FlexChargeEnvironment),
    );
  });

  // Fetches a token with the stored credentials; the answer is recorded and shown on the page.
  router.post('/merchants/:merchant/credentials/:environment/test', async (req, res) => {
    const environment = z.enum(FLEXCHARGE_ENVIRONMENTS).safeParse(req.params.environment);
    if (!environment.success) throw new NotFoundError(`no environment ${req.params.environment}`);
    const result = await deps.checks.testCredentials(merchantOf(req), environment.data);
    await showMerchant(req, res, {
      notice: { ok: result.ok, text: `Test of the ${result.environment} credentials: ${result.message}` },
    });
  });

  // Every field of the site, its switches included (the checkboxes of this form).
  router.post('/merchants/:merchant/sites/:site', (req, res) => {
    const siteId = String(req.params.site);
    const input = {
      url: text(req, 'url'),
      statementDescriptor: text(req, 'statementDescriptor'),
      flexchargeSiteIds: {
        sandbox: text(req, 'flexchargeSiteIds.sandbox'),
        production: text(req, 'flexchargeSiteIds.production'),
      },
      enabled: Object.fromEntries(MERCHANT_FLOWS.map((f) => [f, checked(req, `enabled.${f}`)])),
      isDefault: checked(req, 'isDefault'),
    };
    return submit(
      req,
      res,
      `site-edit-${siteId}`,
      { action: 'site.updated', part: merchantParts.site(siteId) },
      (m) => m.updateSite(merchantOf(req), siteId, input as SiteInput, clock.now()),
    );
  });

  router.post('/merchants/:merchant/sites/:site/delete', (req, res) => {
    const siteId = String(req.params.site);
    return submit(
      req,
      res,
      `site-${siteId}`,
      { action: 'site.deleted', part: merchantParts.site(siteId) },
      (m) => m.deleteSite(merchantOf(req), siteId),
    );
  });

  // The key is on this answer only (no-store, like every page): only its hash is kept.
  router.post('/merchants/:merchant/api-keys', async (req, res) => {
    try {
      const created = await deps.apiKeys.create({
        merchantId: merchantOf(req),
        name: text(req, 'name') ?? '',
        actor: actorOf(principalOf(res)),
        now: clock.now(),
      });
      await showMerchant(req, res, {
        status: 201,
        notice: {
          ok: true,
          text: `Key "${created.apiKey.name}" created. Copy it now: it is not shown again.`,
          key: created.key,
        },
      });
    } catch (err) {
      if (!(err instanceof ValidationError)) throw err;
      const state = { form: 'api-key-new', fields: err.fields, values: typedValues(req) };
      await showMerchant(req, res, { state, status: 400 });
    }
  });

  router.post('/merchants/:merchant/api-keys/:id/revoke', async (req, res) => {
    await deps.apiKeys.revoke({
      merchantId: merchantOf(req),
      keyId: String(req.params.id),
      actor: actorOf(principalOf(res)),
      now: clock.now(),
    });
    res.redirect(303, `/merchants/${encodeURIComponent(merchantOf(req))}`);
  });

  return router;
}
