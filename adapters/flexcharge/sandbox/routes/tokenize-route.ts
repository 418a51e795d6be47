import { Router as createRouter, type Request, type Router } from 'express';
import type { VaultedCard } from '../card-vault.js';
import { tokenizeBodySchema } from '../contract/request-bodies.js';
import { parseRequestBody } from '../parse-request-body.js';
import { sendValidationProblem } from '../problem-details.js';
import { bearerCredential } from '../require-bearer.js';
import type { SandboxContext } from '../sandbox-context.js';
import type { SandboxCredential } from '../sandbox-credentials.js';
import { findTestCard } from '../test-cards.js';
import { FieldErrors } from '../validation-errors.js';

/**
 * `POST /v1/tokenize` (contract §4). Authenticated either as documented, by `?mid=&environment=` with
 * the tokenization key, or as ActiveMerchant does, by bearer token. Only whitelisted test cards are
 * vaulted; the PAN and CVV are dropped once the token exists.
 */
export function tokenizeRoute(ctx: SandboxContext): Router {
  const router = createRouter();
  router.post('/tokenize', (req, res) => {
    const credential = tokenizeCredential(req, ctx);
    if (!credential) {
      res.status(401).setHeader('www-authenticate', 'Bearer').end();
      return;
    }
    const parsed = parseRequestBody(req, res, tokenizeBodySchema, { errorShape: ctx.options.errorShape });
    if (!parsed) return;
    const { credit_card: creditCard, email } = parsed.value.payment_method;
    const card = findTestCard(creditCard.number);
    if (!card) {
      const errors = new FieldErrors();
      errors.add(
        ['payment_method', 'credit_card', 'number'],
        'Real card data is not allowed in the sandbox: use a whitelisted test card.',
      );
      sendValidationProblem(res, errors, ctx.options.errorShape);
      return;
    }
    const vaulted = ctx.vault.store({
      mid: credential.mid,
      card,
      month: Number(creditCard.month),
      year: Number(creditCard.year),
      firstName: creditCard.first_name,
      lastName: creditCard.last_name,
      email,
      hasCvv: Boolean(creditCard.verification_value),
    });
    res.json(tokenizeBody(vaulted));
  });
  return router;
}

function tokenizeCredential(req: Request, ctx: SandboxContext): SandboxCredential | undefined {
  const mid = queryValue(req, 'mid');
  const environment = queryValue(req, 'environment');
  if (mid === undefined && environment === undefined) return bearerCredential(req, ctx.tokens);
  return ctx.options.credentials.find(
    (c) => c.mid.toLowerCase() === mid?.toLowerCase() && c.tokenizationKey === environment,
  );
}

/** Query names bind case-insensitively too. */
function queryValue(req: Request, name: string): string | undefined {
  for (const [key, value] of Object.entries(req.query)) {
    if (key.toLowerCase() === name && typeof value === 'string') return value;
  }
  return undefined;
}

/** Shaped like the real sandbox's answer (contract §4 fixture): the token at `transaction.payment_method.token`. */
function tokenizeBody(card: VaultedCard) {
  const at = card.createdAt.toISOString();
  return {
    transaction: {
      on_test_gateway: true,
      created_at: at,
      updated_at: at,
      succeeded: true,
      state: null,
      token: null,
      transaction_type: null,
      amount: 0,
      payment_method_added: false,
      message: null,
      payment_method: {
        token: card.token,
        created_at: at,
        updated_at: at,
        email: card.email,
        storage_state: null,
        test: false,
        last_four_digits: card.last4,
        first_six_digits: card.firstDigits,
        card_type: null,
        first_name: card.firstName,
        last_name: card.lastName,
        month: card.month,
        year: card.year,
        address1: null,
        city: null,
        state: null,
        zip: null,
        country: null,
        fingerprint: null,
        verification_value: null,
        number: null,
      },
    },
    cardBinInfo: null,
    success: true,
    result: null,
    status: null,
    statusCode: null,
    errors: [],
    customProperties: {},
  };
}
