import { type Request, type RequestHandler, Router } from 'express';
import type { Clock } from '../core/clock.js';
import { NotFoundError } from '../core/errors.js';
import type { FlexChargeEnvironment } from '../core/merchant-settings.js';
import {
  type CredentialsInput,
  type EngineConnectionInput,
  type FlowInput,
  type MerchantInput,
  refuseUnknownFields,
  type SiteInput,
} from '../storage/merchant-input.js';
import type { MerchantDetails, MerchantRepository } from '../storage/merchant-repository.js';
import { adminAuth } from './admin-auth.js';
import { jsonBody } from './json-body.js';
import { rejectNulBytes } from './reject-nul-bytes.js';

export interface MerchantAdminRouteDeps {
  /** The partner token (ADMIN_TOKEN), checked as the admin API checks it; unset, every route answers 403. */
  adminToken: string | undefined;
  merchants: MerchantRepository;
  clock: Clock;
}

// The fields each body may carry; what the path names (merchant, environment, flow, engine) is not
// taken from the body, so the two can never disagree.
const MERCHANT_FIELDS = ['name', 'siteMetadataKey', 'orderChannelMetadataKey'];
const CREDENTIAL_FIELDS = ['appKey', 'appSecret', 'mid', 'webhookKey', 'defaultSiteId', 'defaultSiteUrl'];
const FLOW_FIELDS = ['mode', 'environment'];
const SITE_FIELDS = ['url', 'statementDescriptor', 'flexchargeSiteIds', 'enabled', 'isDefault'];
const ENGINE_FIELDS = ['apiKey', 'webhookSecret', 'stripeAccountId'];

const noStore: RequestHandler = (_req, res, next) => {
  res.set('Cache-Control', 'no-store');
  next();
};

/**
 * The partner's admin API over stored merchants: `/admin/merchants/...`, JSON, under the admin
 * bearer token. Every write answers with the merchant's redacted view; no answer carries a secret.
 * An unknown merchant is a 404, a bad body a 400 naming each bad field (`error.fields`).
 */
export function merchantAdminRoutes(deps: MerchantAdminRouteDeps): Router {
  const router = Router();
  const { merchants, clock } = deps;
  // Credentials travel in these requests and their answers: no cache on the way may keep either.
  router.use('/admin/merchants', noStore, adminAuth(deps.adminToken), jsonBody, rejectNulBytes);

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

  router.get('/admin/merchants', async (_req, res) => {
    res.json({ merchants: await merchants.listMerchants() });
  });

  router.get('/admin/merchants/:merchant', async (req, res) => {
    res.json({ merchant: await view(param(req, 'merchant')) });
  });

  router.put('/admin/merchants/:merchant', async (req, res) => {
    const input = { ...body(req, MERCHANT_FIELDS), id: param(req, 'merchant') };
    const saved = await merchants.upsertMerchant(input as MerchantInput, clock.now());
    res.status(saved.created ? 201 : 200).json({ merchant: await view(saved.id) });
  });

  router.put('/admin/merchants/:merchant/credentials/:environment', async (req, res) => {
    const id = param(req, 'merchant');
    const input = { ...body(req, CREDENTIAL_FIELDS), environment: param(req, 'environment') };
    await merchants.putFlexChargeCredentials(id, input as CredentialsInput, clock.now());
    res.json({ merchant: await view(id) });
  });

  router.delete('/admin/merchants/:merchant/credentials/:environment', async (req, res) => {
    const id = param(req, 'merchant');
    const environment = param(req, 'environment') as FlexChargeEnvironment;
    await merchants.removeFlexChargeCredentials(id, environment);
    res.json({ merchant: await view(id) });
  });

  router.put('/admin/merchants/:merchant/flows/:flow', async (req, res) => {
    const id = param(req, 'merchant');
    const input = { ...body(req, FLOW_FIELDS), flow: param(req, 'flow') };
    await merchants.putFlow(id, input as FlowInput, clock.now());
    res.json({ merchant: await view(id) });
  });

  router.post('/admin/merchants/:merchant/sites', async (req, res) => {
    const id = param(req, 'merchant');
    const site = await merchants.addSite(id, body(req, SITE_FIELDS) as SiteInput, clock.now());
    res.status(201).json({ site, merchant: await view(id) });
  });

  router.put('/admin/merchants/:merchant/sites/:site', async (req, res) => {
    const id = param(req, 'merchant');
    const site = await merchants.updateSite(
      id,
      param(req, 'site'),
      body(req, SITE_FIELDS) as SiteInput,
      clock.now(),
    );
    res.json({ site, merchant: await view(id) });
  });

  router.delete('/admin/merchants/:merchant/sites/:site', async (req, res) => {
    const id = param(req, 'merchant');
    await merchants.deleteSite(id, param(req, 'site'));
    res.json({ merchant: await view(id) });
  });

  router.put('/admin/merchants/:merchant/engines/:engine', async (req, res) => {
    const id = param(req, 'merchant');
    const input = { ...body(req, ENGINE_FIELDS), engine: param(req, 'engine') };
    await merchants.putEngineConnection(id, input as EngineConnectionInput, clock.now());
    res.json({ merchant: await view(id) });
  });

  return router;
}
