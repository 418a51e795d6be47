import { randomUUID } from 'node:crypto';
import { Router as createRouter, type Router } from 'express';
import { transmitBodySchema } from '../contract/request-bodies.js';
import { transmitRequirements } from '../contract/required-fields.js';
import { checkSiteId, checkTestAmount, requirementContext } from '../order-request-rules.js';
import { parseRequestBody } from '../parse-request-body.js';
import { sendProblem, sendValidationProblem } from '../problem-details.js';
import { requireBearer } from '../require-bearer.js';
import { credentialOf, type SandboxContext } from '../sandbox-context.js';
import { FieldErrors } from '../validation-errors.js';

/** Card data transmit must not carry (contract §5: "no PCI data is needed"). */
const CARD_SECRETS = ['cardNumber', 'token', 'verificationValue'];

/**
 * `POST /v1/transmit` (contract §5): a copy of a processed transaction; starts nothing. Sandbox policy:
 * the same (mid, orderId, transaction.id) always gets the same `transmitId`.
 */
export function transmitRoute(ctx: SandboxContext): Router {
  const router = createRouter();
  router.post('/transmit', requireBearer(ctx.tokens), (req, res) => {
    const { errorShape } = ctx.options;
    const credential = credentialOf(res);
    const parsed = parseRequestBody(req, res, transmitBodySchema, {
      errorShape,
      requirements: (body) => transmitRequirements(requirementContext(ctx.options, credential, body)),
    });
    if (!parsed) return;
    const body = parsed.value;
    if (body.mid !== undefined && body.mid.toLowerCase() !== credential.mid.toLowerCase()) {
      sendProblem(
        res,
        403,
        'Forbidden',
        `The mid ${body.mid} is not the merchant this access token was issued to.`,
      );
      return;
    }
    const errors = new FieldErrors();
    const paymentMethod = parsed.raw.paymentMethod;
    if (paymentMethod && typeof paymentMethod === 'object') {
      for (const key of Object.keys(paymentMethod)) {
        const secret = CARD_SECRETS.find((name) => name.toLowerCase() === key.toLowerCase());
        if (secret) errors.add(['paymentMethod', secret], `/transmit takes no card data: remove ${key}.`);
      }
    }
    checkTestAmount(errors, body.transaction.amount);
    checkSiteId(errors, body.siteId, credential);
    if (!errors.isEmpty) {
      sendValidationProblem(res, errors, errorShape);
      return;
    }
    const key = [credential.mid, body.orderId, body.transaction.id].join('\n');
    const transmitId = ctx.transmits.get(key) ?? randomUUID();
    ctx.transmits.set(key, transmitId);
    res.json({
      success: true,
      result: 'success',
      status: 0,
      statusCode: null,
      errors: [],
      customProperties: {},
      transmitId,
    });
  });
  return router;
}
