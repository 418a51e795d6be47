import { type Request, type RequestHandler, Router } from 'express';
import { z } from 'zod';
import type { Clock } from '../core/clock.js';
import { NotFoundError, ValidationError } from '../core/errors.js';
import { RESCUE_STATES } from '../core/rescue-states.js';
import type { CardTokenRepository } from '../storage/card-token-repository.js';
import type { InboxRepository } from '../storage/inbox-repository.js';
import type { RescueRepository, RescueRow } from '../storage/rescue-repository.js';
import type { Access } from './admin-auth.js';
import { jsonBody } from './json-body.js';
import { rejectNulBytes } from './reject-nul-bytes.js';

export interface AdminRouteDeps {
  /** Who may call: the partner everywhere, a merchant's key on its own `:merchant` routes only. */
  access: Access;
  /** The merchant the un-prefixed routes act for; `/admin/merchants/:merchant/...` names another. */
  merchantId: string;
  engineIds: readonly string[];
  rescues: RescueRepository;
  cardTokens: CardTokenRepository;
  inbox: Pick<InboxRepository, 'listQuarantined'>;
  clock: Clock;
}

const tokenBody = z.object({ token: z.string().min(1).max(200) });
const listQuery = z.object({
  state: z.enum(RESCUE_STATES).optional(),
  limit: z.coerce.number().int().min(1).max(500).default(50),
});
const pathParams = z.object({ engine: z.string(), paymentMethodId: z.string().min(1).max(200) });

function parse<T>(schema: z.ZodType<T>, value: unknown, what: string): T {
  const result = schema.safeParse(value);
  if (result.success) return result.data;
  const fields: Record<string, string[]> = {};
  for (const issue of result.error.issues) {
    const path = issue.path.join('.') || what;
    fields[path] = [...(fields[path] ?? []), issue.message];
  }
  throw new ValidationError(`invalid ${what}`, fields);
}

const noStore: RequestHandler = (_req, res, next) => {
  res.set('Cache-Control', 'no-store');
  next();
};

/**
 * The merchant's admin API: card tokens for rescues, and a look at rescues and their history. Each
 * route answers for the single-merchant installation at `/admin/...` and for any stored merchant at
 * `/admin/merchants/:merchant/...`.
 */
export function adminRoutes(deps: AdminRouteDeps): Router {
  const router = Router();
  // Answers about rescues and tokens are the merchant's alone: no cache on the way may keep them.
  const { access } = deps;
  router.use(['/admin', '/api'], noStore, access.authenticate, jsonBody, rejectNulBytes);
  // A merchant's key acts on its own merchant's routes only; the un-prefixed single-merchant routes
  // are the partner's.
  router.use(['/admin/merchants/:merchant', '/api/merchants/:merchant'], access.authorizeMerchant);
  router.use(['/admin', '/api'], access.partnerUnlessMerchant);
  const merchantOf = (req: Request) =>
    typeof req.params.merchant === 'string' ? req.params.merchant : deps.merchantId;
  const both = (path: string) => [`/admin${path}`, `/admin/merchants/:merchant${path}`];

  // The merchant's checkout calls this after tokenizing the card with FlexCharge, so a later failed
  // renewal on that payment method can be evaluated. The token is a reference, never card data.
  router.put(both('/card-tokens/:engine/:paymentMethodId'), async (req, res) => {
    const params = parse(pathParams, req.params, 'path');
    if (!deps.engineIds.includes(params.engine))
      throw new NotFoundError(`unknown billing engine ${params.engine}`);
    const { token } = parse(tokenBody, req.body, 'body');
    await deps.cardTokens.register({
      merchantId: merchantOf(req),
      engine: params.engine,
      paymentMethodId: params.paymentMethodId,
      token,
      now: deps.clock.now(),
    });
    res.status(204).end();
  });

  router.get(both('/rescues'), async (req, res) => {
    const query = parse(listQuery, req.query, 'query');
    const rows = await deps.rescues.list(merchantOf(req), query);
    res.json({ rescues: rows.map(present) });
  });

  router.get(both('/rescues/:id'), async (req, res) => {
    const id = parse(z.uuid(), req.params.id, 'id');
    const row = await deps.rescues.get(id);
    if (!row || row.merchant_id !== merchantOf(req)) throw new NotFoundError(`no rescue ${id}`);
    res.json({ rescue: present(row), history: await deps.rescues.history(id) });
  });

  router.get(both('/invoices/:engine/:invoiceId/rescue'), async (req, res) => {
    const row = await deps.rescues.findByInvoice(
      merchantOf(req),
      String(req.params.engine),
      String(req.params.invoiceId),
    );
    if (!row) throw new NotFoundError(`no rescue for invoice ${req.params.invoiceId}`);
    res.json({ rescue: present(row), history: await deps.rescues.history(row.id) });
  });

  // Webhooks kept but never worked: the support queue must see that they exist and why.
  router.get(both('/inbox/quarantined'), async (req, res) => {
    const { limit } = parse(listQuery.pick({ limit: true }), req.query, 'query');
    res.json({ events: await deps.inbox.listQuarantined(merchantOf(req), limit) });
  });

  router.post(both('/rescues/:id/retry'), async (req, res) => {
    const id = parse(z.uuid(), req.params.id, 'id');
    const row = await deps.rescues.get(id);
    if (!row || row.merchant_id !== merchantOf(req) || !(await deps.rescues.retry(id, deps.clock.now())))
      throw new NotFoundError(`no rescue ${id} needing attention`);
    res.status(202).json({ retried: true });
  });

  // The merchant's checkout (with the merchant's key, or the partner's token) asks, after a declined customer payment, whether FlexCharge wants the
  // customer to complete a challenge, and with which session key it presents it.
  router.get('/api/merchants/:merchant/invoices/:engine/:invoiceId/challenge', async (req, res) => {
    const row = await deps.rescues.findByInvoice(
      merchantOf(req),
      String(req.params.engine),
      String(req.params.invoiceId),
    );
    if (!row) throw new NotFoundError(`no rescue for invoice ${req.params.invoiceId}`);
    res.json({
      invoiceId: row.invoice_id,
      state: row.state,
      challenge:
        row.state === 'challenged'
          ? { orderSessionKey: row.order_session_key, flexchargeOrderId: row.flexcharge_order_id }
          : null,
    });
  });

  return router;
}

function present(row: RescueRow) {
  return {
    id: row.id,
    engine: row.engine,
    invoiceId: row.invoice_id,
    subscriptionId: row.subscription_id,
    customerId: row.customer_id,
    state: row.state,
    flow: row.flow,
    environment: row.environment,
    mode: row.mode,
    orderSource: row.order_source,
    ineligibleReason: row.ineligible_reason,
    amount: row.amount === null ? null : { amount: row.amount, currency: row.currency },
    declineCode: row.decline_code,
    site: row.site,
    siteId: row.site_id,
    flexcharge: {
      orderId: row.flexcharge_order_id,
      status: row.flexcharge_status,
      confirmationId: row.confirmation_id,
      orderSessionKey: row.order_session_key,
    },
    // Shadow mode: the request that would have been sent (card token redacted) and its problems.
    shadowRequest: row.shadow_request,
    failedAt: row.failed_at,
    expiresAt: row.expires_at,
    holdAppliedAt: row.hold_applied_at,
    // What the rescue still owes the outside world, whatever its state: a parked rescue with a live
    // hold or order is honoured by the worker, and a person looking at it must see both.
    liveObligations: {
      holdOnInvoice: row.hold_active,
      flexchargeOrderOpen: row.order_open,
    },
    collected:
      row.collected_amount === null ? null : { amount: row.collected_amount, currency: row.currency },
    releaseFallback: row.release_fallback,
    writtenBackAt: row.written_back_at,
    attempts: row.attempts,
    lastError: row.last_error,
    nextActionAt: row.next_action_at,
    createdAt: row.created_at,
    updatedAt: row.updated_at,
  };
}
