import { Router as createRouter, type Request, type Response, type Router } from 'express';
import { cancelBodySchema } from '../contract/request-bodies.js';
import { fingerprintOf } from '../idempotency-store.js';
import { orderBody } from '../order-views.js';
import { parseRequestBody } from '../parse-request-body.js';
import { sendIdempotencyConflict, sendOrderNotFound, sendProblem } from '../problem-details.js';
import { requireBearer } from '../require-bearer.js';
import { credentialOf, type SandboxContext } from '../sandbox-context.js';
import type { SandboxOrder } from '../sandbox-order.js';

/**
 * `GET /v1/orders/{id}` (§8.1), `POST /v1/orders/{id}/cancel` and
 * `POST /v1/orders/{externalOrderId}/external-cancel` (§8.4). Another merchant's order is a 404.
 */
export function orderRoutes(ctx: SandboxContext): Router {
  const router = createRouter();
  router.use('/orders', requireBearer(ctx.tokens));

  router.get('/orders/:id', (req, res) => {
    const order = ctx.orders.find(req.params.id, credentialOf(res).mid);
    if (order) res.json(orderBody(order));
    else sendOrderNotFound(res, req.params.id);
  });

  router.post('/orders/:id/cancel', (req, res) => {
    cancel(ctx, req, res, ctx.orders.find(req.params.id, credentialOf(res).mid), req.params.id);
  });

  router.post('/orders/:externalOrderId/external-cancel', (req, res) => {
    const { externalOrderId } = req.params;
    cancel(ctx, req, res, ctx.orders.findByExternal(credentialOf(res).mid, externalOrderId), externalOrderId);
  });
  return router;
}

/**
 * Cancel and external-cancel of one order are one operation: both fingerprint the order, so an
 * idempotency key replays across them, and a second cancel is a 200 that changes nothing. A cancel
 * of an order whose money was collected answers per `cancelCompleted` and changes nothing either.
 */
function cancel(
  ctx: SandboxContext,
  req: Request,
  res: Response,
  order: SandboxOrder | undefined,
  id: string,
) {
  const parsed = parseRequestBody(req, res, cancelBodySchema, {
    errorShape: ctx.options.errorShape,
    optional: true,
  });
  if (!parsed) return;
  if (!order) {
    sendOrderNotFound(res, id);
    return;
  }
  const { idempotencyKey } = parsed.value;
  const fingerprint = fingerprintOf('cancel', { order: order.orderSessionKey });
  if (idempotencyKey) {
    const seen = ctx.idempotency.check(order.mid, idempotencyKey, fingerprint);
    if (seen.kind === 'conflict') {
      sendIdempotencyConflict(res, idempotencyKey);
      return;
    }
    if (seen.kind === 'replay') {
      res.status(seen.status).end();
      return;
    }
  }
  const result = ctx.orders.cancel(order);
  // With `accept`, a cancel that comes too late looks like any other; only a re-read shows it.
  if (
    result.kind === 'refused' ||
    (result.kind === 'collected' && ctx.options.cancelCompleted === 'refuse')
  ) {
    sendProblem(res, 409, 'The order cannot be cancelled.', result.reason);
    return;
  }
  if (idempotencyKey) ctx.idempotency.remember(order.mid, idempotencyKey, fingerprint, 200, null);
  res.status(200).end();
}
