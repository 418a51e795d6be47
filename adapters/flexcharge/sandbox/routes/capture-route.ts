import { Router as createRouter, type Router } from 'express';
import { captureBodySchema } from '../contract/request-bodies.js';
import { fingerprintOf } from '../idempotency-store.js';
import { parseRequestBody } from '../parse-request-body.js';
import { sendIdempotencyConflict, sendOrderNotFound } from '../problem-details.js';
import { requireBearer } from '../require-bearer.js';
import { credentialOf, type SandboxContext } from '../sandbox-context.js';

/**
 * `POST /v1/capture` (contract §8.5): completes an order awaiting capture (root `transactionType`
 * AUTHORIZATION) and fires `order.completed`. The sandbox never auto-voids an uncaptured order.
 */
export function captureRoute(ctx: SandboxContext): Router {
  const router = createRouter();
  router.post('/capture', requireBearer(ctx.tokens), (req, res) => {
    const parsed = parseRequestBody(req, res, captureBodySchema, { errorShape: ctx.options.errorShape });
    if (!parsed) return;
    const { idempotencyKey, orderId, amount, currency } = parsed.value;
    const order = ctx.orders.find(orderId, credentialOf(res).mid);
    if (!order) {
      sendOrderNotFound(res, orderId);
      return;
    }
    const fingerprint = fingerprintOf('capture', { orderId: order.orderSessionKey, amount, currency });
    const seen = ctx.idempotency.check(order.mid, idempotencyKey, fingerprint);
    if (seen.kind === 'conflict') {
      sendIdempotencyConflict(res, idempotencyKey);
      return;
    }
    if (seen.kind === 'replay') {
      res.status(seen.status).json(seen.body);
      return;
    }
    const result = ctx.orders.capture(order, amount, currency);
    const envelope = { statusCode: null, customProperties: {} };
    if (!result.ok) {
      res.json({
        ...envelope,
        status: 'FAILED',
        success: false,
        result: null,
        errors: [{ item1: result.reason, item2: '2002', item3: '2002', item4: true }],
      });
      return;
    }
    const body = { ...envelope, status: 'SUCCESS', success: true, result: null, errors: [] };
    ctx.idempotency.remember(order.mid, idempotencyKey, fingerprint, 200, body);
    res.json(body);
  });
  return router;
}
