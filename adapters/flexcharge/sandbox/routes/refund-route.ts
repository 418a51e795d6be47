import { Router as createRouter, type Router } from 'express';
import { DAY_MS } from '../../../../plugin/core/clock.js';
import { refundBodySchema } from '../contract/request-bodies.js';
import { parseRequestBody } from '../parse-request-body.js';
import { sendOrderNotFound } from '../problem-details.js';
import { requireBearer } from '../require-bearer.js';
import { credentialOf, type SandboxContext } from '../sandbox-context.js';
import type { SandboxOrder } from '../sandbox-order.js';

/**
 * `POST /v1/orders/{id}/refund` (contract §8.3). `amountToRefund` is in dollars. Only a Completed
 * order has anything to refund; asking for more than is left answers 200 with the FAILED body the
 * real sandbox was seen to send. The server deduplicates by order (documented): the same amount again
 * within 24 hours of the last refund is that refund repeated, not a new one. Once the order is fully
 * refunded, what a further refund answers is the `refundRefunded` switch: FAILED (maximum 0.00), or
 * the last refund's SUCCESS again; either way no money moves.
 */
export function refundRoute(ctx: SandboxContext): Router {
  const router = createRouter();
  router.post('/orders/:id/refund', requireBearer(ctx.tokens), (req, res) => {
    const parsed = parseRequestBody(req, res, refundBodySchema, { errorShape: ctx.options.errorShape });
    if (!parsed) return;
    const id = String(req.params.id);
    const order = ctx.orders.find(id, credentialOf(res).mid);
    if (!order) {
      sendOrderNotFound(res, id);
      return;
    }
    const cents = Math.round(parsed.value.amountToRefund * 100);
    const last = order.refunds.at(-1);
    if (last && order.state === 'returned') {
      res.json(
        ctx.options.refundRefunded === 'replay'
          ? successBody(order, last.transactionId)
          : failedBody(cents, 0),
      );
      return;
    }
    if (last && last.amount === cents && ctx.options.clock.now().getTime() - last.at.getTime() < DAY_MS) {
      res.json(successBody(order, last.transactionId));
      return;
    }
    const result = ctx.orders.refund(order, cents);
    if (result.ok) {
      ctx.options.log(`refund ${order.orderSessionKey}: ${dollars(cents)}`);
      res.json(successBody(order, result.refund.transactionId));
    } else {
      res.json(failedBody(cents, result.maximumCents));
    }
  });
  return router;
}

function successBody(order: SandboxOrder, transactionId: string) {
  return {
    responseCode: '0',
    responseMessage: `Refunded ${dollars(order.refundedAmount)} of ${dollars(order.amount)}`,
    transactionId,
    success: true,
    result: null,
    status: 'SUCCESS',
    statusCode: null,
    errors: [],
    customProperties: {},
  };
}

function failedBody(requestedCents: number, maximumCents: number) {
  const message = `Amount to refund (${dollars(requestedCents)}) is greater than maximum refund amount (${dollars(maximumCents)})`;
  return {
    responseCode: '2001',
    responseMessage: message,
    transactionId: null,
    success: false,
    result: null,
    status: 'FAILED',
    statusCode: null,
    errors: [{ item1: message, item2: '2001', item3: '2001', item4: true }],
    customProperties: {},
  };
}

function dollars(cents: number): string {
  return (cents / 100).toFixed(2);
}
