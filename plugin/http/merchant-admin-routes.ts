import { type Request, type RequestHandler, type Response, Router } from 'express';
import type { Clock } from '../core/clock.js';
import { NotFoundError } from '../core/errors.js';
import type { FlexChargeEnvironment } from '../core/merchant-settings.js';
import { type MerchantChange, type MerchantChanges, merchantParts } from '../storage/merchant-changes.js';
import {
  type CredentialsInput,
  type EngineConnectionInput,
  type FlowInput,
  type MerchantInput,
  refuseUnknownFields,
  type SiteInput,
} from '../storage/merchant-input.js';
import type { MerchantDetails, MerchantRepository } from '../storage/merchant-repository.js';
import { type Access, actorOf, principalOf } from './admin-auth.js';
import { jsonBody } from './json-body.js';
import { rejectNulBytes } from './reject-nul-bytes.js';

export interface MerchantAdminRouteDeps {
  /** The partner everywhere, a merchant's key on its own merchant only (see `createAccess`). */
  access: Access;
  merchants: MerchantRepository;
  /** Every write goes through here: made and recorded in the audit log in one transaction. */
  changes: MerchantChanges;
  clock: Clock;
}

// The fields each body may carry; what the path names (merchant, environment, flow, engine) is not
// taken from the body, so the two can never disagree.
const MERCHANT_FIELDS = ['name', 'siteMetadataKey', 'orderChannelMetadataKey'];
const CREDENTIAL_FIELDS = ['appKey', 'appSecret', 'mid', 'webhookKey', 'defaultSiteId', 'defaultSiteUrl'];
const FLOW_FIELDS = ['mode', 'environment'];
const SITE_FIELDS = ['url', 'statementDescriptor', 'flexchargeSiteIds', 'enabled', 'isDefault'];
const ENGINE_FIELDS = ['apiKey', 'webhookSecret', 'stripeAccountId', 'writeBackMode'];

const noStore: RequestHandler = (_req, res, next) => {
  res.set('Cache-Control', 'no-store');
  next();
};

/**
 * The admin API over stored merchants: `/admin/merchants/...`, JSON, under the partner's token or
 * the merchant's own API key (`createAccess`). Every write is recorded in the audit log and answers
 * with the merchant's redacted view; no answer carries a secret. An unknown merchant is a 404, a bad
 * body a 400 naming each bad field (`error.fields`).
 */
export function merchantAdminRoutes(deps: MerchantAdminRouteDeps): Router {
  const router = Router();
  const { merchants, clock, access } = deps;
  // Credentials travel in these requests and their answers: no cache on the way may keep either.
  router.use('/admin/merchants', noStore, access.authenticate, jsonBody, rejectNulBytes);
  router.use('/admin/merchants/:merchant', access.authorizeMerchant);

  async function view(merchantId: string): Promise<MerchantDetails> {
    const details = await merchants.getMerchant(merchantId);
    if (!details) throw new NotFoundError(`unknown merchant ${merchantId}`);
    return details;
  }
  const param = (req: Request, name: string) => String(req.params[name]);
  // The repository validates every value (its zod schemas); the casts only hand it the parsed JSON.
  const body = (req: Request, fields: readonly string[]): Record<string, unknown> => {
    refuseUnknownFields(req.body ?? {}, fields, 'body');
    return { ...(req.body ?? {}) };
  };
  // The write, and its audit entry naming who made it, in one transaction.
  const audited = <T>(
    req: Request,
    res: Response,
    what: Pick<MerchantChange<T>, 'action' | 'part'>,
    make: (m: MerchantRepository) => Promise<T>,
  ) =>
    deps.changes.apply(
      { ...what, merchantId: param(req, 'merchant'), actor: actorOf(principalOf(res)), at: clock.now() },
      make,
    );

  // A merchant's key sees its own merchant only.
  router.get('/admin/merchants', async (_req, res) => {
    const principal = principalOf(res);
    const all = await merchants.listMerchants();
    res.json({
      merchants: principal.kind === 'partner' ? all : all.filter((m) => m.id === principal.merchantId),
    });
  });

  router.get('/admin/merchants/:merchant', async (req, res) => {
    res.json({ merchant: await view(param(req, 'merchant')) });
  });

  router.put('/admin/merchants/:merchant', async (req, res) => {
    const input = { ...body(req, MERCHANT_FIELDS), id: param(req, 'merchant') };
    const saved = await audited(
      req,
      res,
      {
        action: (r: { created: boolean }) => (r.created ? 'merchant.created' : 'merchant.updated'),
        part: merchantParts.merchant(input.id),
      },
      (m) => m.upsertMerchant(input as MerchantInput, clock.now()),
    );
    res.status(saved.created ? 201 : 200).json({ merchant: await view(saved.id) });
  });

  router.put('/admin/merchants/:merchant/credentials/:environment', async (req, res) => {
    const id = param(req, 'merchant');
    const input = { ...body(req, CREDENTIAL_FIELDS), environment: param(req, 'environment') };
    await audited(
      req,
      res,
      { action: 'credentials.updated', part: merchantParts.credentials(input.environment) },
      (m) => m.putFlexChargeCredentials(id, input as CredentialsInput, clock.now()),
    );
    res.json({ merchant: await view(id) });
  });

  router.delete('/admin/merchants/:merchant/credentials/:environment', async (req, res) => {
    const id = param(req, 'merchant');
    const environment = param(req, 'environment') as FlexChargeEnvironment;
    await audited(
      req,
      res,
      { action: 'credentials.removed', part: merchantParts.credentials(environment) },
      (m) => m.removeFlexChargeCredentials(id, environment),
    );
    res.json({ merchant: await view(id) });
  });

  router.put('/admin/merchants/:merchant/flows/:flow', async (req, res) => {
    const id = param(req, 'merchant');
    const input = { ...body(req, FLOW_FIELDS), flow: param(req, 'flow') };
    await audited(req, res, { action: 'flow.updated', part: merchantParts.flow(input.flow) }, (m) =>
      m.putFlow(id, input as FlowInput, clock.now()),
    );
    res.json({ merchant: await view(id) });
  });

  router.post('/admin/merchants/:merchant/sites', async (req, res) => {
    const id = param(req, 'merchant');
    const input = body(req, SITE_FIELDS) as SiteInput;
    const site = await audited(req, res, { action: 'site.created', part: merchantParts.site() }, (m) =>
      m.addSite(id, input, clock.now()),
    );
    res.status(201).json({ site, merchant: await view(id) });
  });

  router.put('/admin/merchants/:merchant/sites/:site', async (req, res) => {
    const id = param(req, 'merchant');
    const input = body(req, SITE_FIELDS) as SiteInput;
    const siteId = param(req, 'site');
    const site = await audited(req, res, { action: 'site.updated', part: merchantParts.site(siteId) }, (m) =>
      m.updateSite(id, siteId, input, clock.now()),
    );
    res.json({ site, merchant: await view(id) });
  });

  router.delete('/admin/merchants/:merchant/sites/:site', async (req, res) => {
    const id = param(req, 'merchant');
    const siteId = param(req, 'site');
    await audited(req, res, { action: 'site.deleted', part: merchantParts.site(siteId) }, (m) =>
      m.deleteSite(id, siteId),
    );
    res.json({ merchant: await view(id) });
  });

  router.put('/admin/merchants/:merchant/engines/:engine', async (req, res) => {
    const id = param(req, 'merchant');
    const input = { ...body(req, ENGINE_FIELDS), engine: param(req, 'engine') };
    await audited(req, res, { action: 'engine.updated', part: merchantParts.engine(input.engine) }, (m) =>
      m.putEngineConnection(id, input as EngineConnectionInput, clock.now()),
    );
    res.json({ merchant: await view(id) });
  });

  return router;
}
