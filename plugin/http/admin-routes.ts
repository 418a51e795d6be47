import express, { type RequestHandler, Router } from 'express';
import { z } from 'zod';
import type { Clock } from '../core/clock.js';
import { NotFoundError, ValidationError } from '../core/errors.js';
import { RESCUE_STATES } from '../core/rescue-states.js';
import type { CardTokenRepository } from '../storage/card-token-repository.js';
import type { InboxRepository } from '../storage/inbox-repository.js';
import type { RescueRepository, RescueRow } from '../storage/rescue-repository.js';
import { adminAuth } from './admin-auth.js';
import { rejectNulBytes } from './reject-nul-bytes.js';

export interface AdminRouteDeps {
  adminToken: string | undefined;
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

/** The merchant's admin API: card tokens for rescues, and a look at rescues and their history. */
export function adminRoutes(deps: AdminRouteDeps): Router {
  const router = Router();
  // Answers about rescues and tokens are the merchant's alone: no cache on the way may keep them.
  router.use('/admin', noStore, adminAuth(deps.adminToken), express.json({ limit: '64kb' }), rejectNulBytes);

  // The merchant's checkout calls this after tokenizing the card with FlexCharge, so a later failed
  // renewal on that payment method can be evaluated. The token is a reference, never card data.
  router.put('/admin/card-tokens/:engine/:paymentMethodId', async (req, res) => {
    const params = parse(pathParams, req.params, 'path');
    if (!deps.engineIds.includes(params.engine))
      throw new NotFoundError(`unknown billing engine ${params.engine}`);
    const { token } = parse(tokenBody, req.body, 'body');
    await deps.cardTokens.register({
      merchantId: deps.merchantId,
      engine: params.engine,
      paymentMethodId: params.paymentMethodId,
      token,
      now: deps.clock.now(),
    });
    res.status(204).end();
  });

  router.get('/admin/rescues', async (req, res) => {
    const query = parse(listQuery, req.query, 'query');
    const rows = await deps.rescues.list(deps.merchantId, query);
    res.json({ rescues: rows.map(present) });
  });

  router.get('/admin/rescues/:id', async (req, res) => {
    const id = parse(z.uuid(), req.params.id, 'id');
    const row = await deps.rescues.get(id);
    if (!row || row.merchant_id !== deps.merchantId) throw new NotFoundError(`no rescue ${id}`);
    res.json({ rescue: present(row), history: await deps.rescues.history(id) });
  });

  router.get('/admin/invoices/:engine/:invoiceId/rescue', async (req, res) => {
    const row = await deps.rescues.findByInvoice(
      deps.merchantId,
      String(req.params.engine),
      String(req.params.invoiceId),
    );
    if (!row) throw new NotFoundError(`no rescue for invoice ${req.params.invoiceId}`);
    res.json({ rescue: present(row), history: await deps.rescues.history(row.id) });
  });

  // Webhooks kept but never worked: the support queue must see that they exist and why.
  router.get('/admin/inbox/quarantined', async (req, res) => {
    const { limit } = parse(listQuery.pick({ limit: true }), req.query, 'query');
    res.json({ events: await deps.inbox.listQuarantined(deps.merchantId, limit) });
  });

  router.post('/admin/rescues/:id/retry', async (req, res) => {
    const id = parse(z.uuid(), req.params.id, 'id');
    if (!(await deps.rescues.retry(id, deps.clock.now())))
      throw new NotFoundError(`no rescue ${id} needing attention`);
    res.status(202).json({ retried: true });
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
    ineligibleReason: row.ineligible_reason,
    amount: row.amount === null ? null : { amount: row.amount, currency: row.currency },
    declineCode: row.decline_code,
    site: row.site,
    flexcharge: {
      orderId: row.flexcharge_order_id,
      status: row.flexcharge_status,
      confirmationId: row.confirmation_id,
    },
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
