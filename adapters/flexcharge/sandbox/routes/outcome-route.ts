import { Router as createRouter, type Router } from 'express';
import { outcomeBodySchema } from '../contract/request-bodies.js';
import { outcomeBody } from '../order-views.js';
import { parseRequestBody } from '../parse-request-body.js';
import { requireBearer } from '../require-bearer.js';
import { credentialOf, type SandboxContext } from '../sandbox-context.js';

/** `POST /v1/outcome` (contract §7): an unknown key, or another merchant's, is 200 `NOTFOUND`. */
export function outcomeRoute(ctx: SandboxContext): Router {
  const router = createRouter();
  router.post('/outcome', requireBearer(ctx.tokens), (req, res) => {
    const parsed = parseRequestBody(req, res, outcomeBodySchema, { errorShape: ctx.options.errorShape });
    if (!parsed) return;
    const order = ctx.orders.find(parsed.value.orderSessionKey, credentialOf(res).mid);
    res.json(outcomeBody(order));
  });
  return router;
}
