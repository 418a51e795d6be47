import { type Request, type RequestHandler, Router } from 'express';
import { z } from 'zod';
import type { Clock } from '../core/clock.js';
import { NotFoundError } from '../core/errors.js';
import type { ApiKeyRepository } from '../storage/api-key-repository.js';
import type { AuditLog } from '../storage/audit-log.js';
import { refuseUnknownFields, validate } from '../storage/merchant-input.js';
import type { MerchantRepository } from '../storage/merchant-repository.js';
import { type Access, actorOf, principalOf } from './admin-auth.js';
import { jsonBody } from './json-body.js';
import { rejectNulBytes } from './reject-nul-bytes.js';

export interface MerchantAccessRouteDeps {
  access: Access;
  apiKeys: ApiKeyRepository;
  audit: AuditLog;
  merchants: Pick<MerchantRepository, 'getMerchant'>;
  clock: Clock;
}

const auditQuery = z.object({
  before: z.coerce.number().int().positive().optional(),
  limit: z.coerce.number().int().min(1).max(200).default(50),
});

const noStore: RequestHandler = (_req, res, next) => {
  res.set('Cache-Control', 'no-store');
  next();
};

/**
 * Who may act for a merchant, and what was done: its API keys (`/admin/merchants/:merchant/api-keys`)
 * and its audit log (`/admin/merchants/:merchant/audit`), for the partner or the merchant's own key.
 */
export function merchantAccessRoutes(deps: MerchantAccessRouteDeps): Router {
  const router = Router();
  const { access, apiKeys, audit, clock } = deps;
  // A new key travels in its answer: no cache on the way may keep it.
  for (const path of ['/admin/merchants/:merchant/api-keys', '/admin/merchants/:merchant/audit'])
    router.use(path, noStore, access.authenticate, access.authorizeMerchant, jsonBody, rejectNulBytes);
  const merchantOf = (req: Request) => String(req.params.merchant);
  async function requireMerchant(id: string): Promise<void> {
    if (!(await deps.merchants.getMerchant(id))) throw new NotFoundError(`unknown merchant ${id}`);
  }

  // The key is in this answer and nowhere else: only its hash is stored.
  router.post('/admin/merchants/:merchant/api-keys', async (req, res) => {
    refuseUnknownFields(req.body ?? {}, ['name'], 'body');
    const created = await apiKeys.create({
      merchantId: merchantOf(req),
      name: req.body?.name,
      actor: actorOf(principalOf(res)),
      now: clock.now(),
    });
    res.status(201).json({ apiKey: created.apiKey, key: created.key });
  });

  router.get('/admin/merchants/:merchant/api-keys', async (req, res) => {
    await requireMerchant(merchantOf(req));
    res.json({ apiKeys: await apiKeys.list(merchantOf(req)) });
  });

  // Idempotent: a revoked key answers as it stands.
  router.delete('/admin/merchants/:merchant/api-keys/:id', async (req, res) => {
    const apiKey = await apiKeys.revoke({
      merchantId: merchantOf(req),
      keyId: String(req.params.id),
      actor: actorOf(principalOf(res)),
      now: clock.now(),
    });
    res.json({ apiKey });
  });

  // Newest first; `nextBefore` is the cursor of the next (older) page, null on the last one.
  router.get('/admin/merchants/:merchant/audit', async (req, res) => {
    const query = validate(auditQuery, req.query, 'query');
    await requireMerchant(merchantOf(req));
    const entries = await audit.list(merchantOf(req), query);
    const last = entries.at(-1);
    res.json({ entries, nextBefore: entries.length === query.limit && last ? last.id : null });
  });

  return router;
}
