import { Router as createRouter, type Router } from 'express';
import { tokenBodySchema } from '../contract/request-bodies.js';
import { parseRequestBody } from '../parse-request-body.js';
import { sendValidationProblem } from '../problem-details.js';
import type { SandboxContext } from '../sandbox-context.js';
import { FieldErrors } from '../validation-errors.js';

/** `POST /v1/oauth2/token` (contract §2): AppKey/AppSecret in any casing; unknown pair → 400. */
export function tokenRoute(ctx: SandboxContext): Router {
  const router = createRouter();
  router.post('/oauth2/token', (req, res) => {
    const parsed = parseRequestBody(req, res, tokenBodySchema, { errorShape: ctx.options.errorShape });
    if (!parsed) return;
    const { appKey, appSecret } = parsed.value;
    const credential = ctx.options.credentials.find((c) => c.appKey === appKey && c.appSecret === appSecret);
    if (!credential) {
      const errors = new FieldErrors();
      errors.add(['appKey'], 'Invalid AppKey or AppSecret.');
      sendValidationProblem(res, errors, ctx.options.errorShape);
      return;
    }
    res.json(ctx.tokens.issue(credential));
  });
  return router;
}
