import { Router as createRouter, type Router } from 'express';
import { parseContractDate } from '../contract/field-formats.js';
import { type EvaluateBody, evaluateBodySchema } from '../contract/request-bodies.js';
import { evaluateRequirements } from '../contract/required-fields.js';
import { fingerprintOf } from '../idempotency-store.js';
import {
  checkExpiryWindow,
  checkSiteId,
  checkTestAmount,
  type ResolvedCard,
  requirementContext,
  resolveCard,
} from '../order-request-rules.js';
import { evaluateBody } from '../order-views.js';
import { decideEvaluate, withinApprovalRate } from '../outcome-rules.js';
import { parseRequestBody } from '../parse-request-body.js';
import { sendIdempotencyConflict, sendProblem, sendValidationProblem } from '../problem-details.js';
import { requireBearer } from '../require-bearer.js';
import { credentialOf, type SandboxContext } from '../sandbox-context.js';
import type { SandboxCredential } from '../sandbox-credentials.js';
import type { NewOrder } from '../sandbox-order.js';
import { FieldErrors } from '../validation-errors.js';

/**
 * `POST /v1/evaluate` (contract §6, §11, §13). In order: validation (400), the token's merchant (403),
 * the idempotency key (replay or 409), an existing order with the same merchant orderId (answered
 * with its current state, nothing created), then the expiry window and the rule table for a new order.
 */
export function evaluateRoute(ctx: SandboxContext): Router {
  const router = createRouter();
  router.post('/evaluate', requireBearer(ctx.tokens), (req, res) => {
    const { errorShape, clock } = ctx.options;
    const credential = credentialOf(res);
    const parsed = parseRequestBody(req, res, evaluateBodySchema, {
      errorShape,
      requirements: (body) => evaluateRequirements(requirementContext(ctx.options, credential, body)),
    });
    if (!parsed) return;
    const body = parsed.value;
    if (body.mid.toLowerCase() !== credential.mid.toLowerCase()) {
      sendProblem(
        res,
        403,
        'Forbidden',
        `The mid ${body.mid} is not the merchant this access token was issued to.`,
      );
      return;
    }
    const errors = new FieldErrors();
    checkTestAmount(errors, body.transaction.amount);
    checkSiteId(errors, body.siteId, credential);
    const card = resolveCard(errors, body.paymentMethod, credential.mid, ctx.vault);
    if (!errors.isEmpty || !card) {
      sendValidationProblem(res, errors, errorShape);
      return;
    }

    const { idempotencyKey, ...payload } = body;
    const fingerprint = fingerprintOf('evaluate', payload);
    const seen = ctx.idempotency.check(credential.mid, idempotencyKey, fingerprint);
    if (seen.kind === 'replay') {
      res.status(seen.status).json(seen.body);
      return;
    }
    if (seen.kind === 'conflict') {
      sendIdempotencyConflict(res, idempotencyKey);
      return;
    }

    let order = ctx.orders.findByExternal(credential.mid, body.orderId);
    if (!order) {
      const expiry = body.isMIT && body.expiryDateUtc ? parseContractDate(body.expiryDateUtc) : undefined;
      if (expiry) checkExpiryWindow(errors, expiry, clock.now());
      if (!errors.isEmpty) {
        sendValidationProblem(res, errors, errorShape);
        return;
      }
      const decision = decideEvaluate({
        card: card.card,
        isMIT: body.isMIT,
        managed: expiry !== undefined,
        authorizeOnly: body.transactionType === 'AUTHORIZATION',
        hasPayerPhone: Boolean(body.payer.phone?.trim()),
        hasCvv: card.hasCvv,
        responseCode: body.transaction.responseCode,
        withinApprovalRate: withinApprovalRate(body.orderId, ctx.options.approvalRate),
      });
      order = ctx.orders.create(newOrder(body, card, credential, expiry ?? null), decision);
      ctx.options.log(
        `evaluate ${body.orderId} → order ${order.orderSessionKey} ${decision.status} (${decision.rule})`,
      );
    }
    const response = evaluateBody(order, body.senseKey ?? null);
    ctx.idempotency.remember(credential.mid, idempotencyKey, fingerprint, 200, response);
    res.json(response);
  });
  return router;
}

function newOrder(
  body: EvaluateBody,
  card: ResolvedCard,
  credential: SandboxCredential,
  expiry: Date | null,
): NewOrder {
  const site = siteOf(body, credential);
  return {
    mid: credential.mid,
    externalOrderId: body.orderId,
    isMIT: body.isMIT,
    managed: expiry !== null,
    authorizeOnly: body.transactionType === 'AUTHORIZATION',
    amount: body.transaction.amount,
    currency: body.transaction.currency,
    card: { last4: card.card.last4, brand: body.paymentMethod.cardBrand ?? card.card.brand },
    payer: { email: body.payer.email, phone: body.payer.phone ?? null },
    billing: body.billingInformation,
    shipping: body.shippingInformation ?? null,
    correlationId: body.correlationId ?? null,
    siteId: body.siteId ?? (site.kind === 'assigned' ? site.value : null),
    site,
    orderSource: body.orderSource ?? null,
    expiryDate: expiry,
  };
}

/**
 * The site the order is for, by the one reference the request sent; with none, the MID's only
 * site when it has exactly one (README "Required fields", our assumption).
 */
function siteOf(body: EvaluateBody, credential: SandboxCredential): NewOrder['site'] {
  if (body.siteId) return { kind: 'site_id', value: body.siteId };
  if (body.siteUrl) return { kind: 'site_url', value: body.siteUrl };
  if (body.transaction.dynamicDescriptor)
    return { kind: 'descriptor', value: body.transaction.dynamicDescriptor };
  const only = credential.siteIds?.length === 1 ? credential.siteIds[0] : undefined;
  return only ? { kind: 'assigned', value: only } : { kind: 'none', value: null };
}
