import { DAY_MS } from '../../../plugin/core/clock.js';
import type { CardVault } from './card-vault.js';
import type { EvaluateBody } from './contract/request-bodies.js';
import type { RequirementContext } from './contract/required-fields.js';
import type { SandboxCredential } from './sandbox-credentials.js';
import type { ResolvedSandboxOptions } from './sandbox-options.js';
import { findTestCard, findTestCardByLast4, type TestCard } from './test-cards.js';
import type { FieldErrors } from './validation-errors.js';

/** Sandbox rules checked after the body was bound: the test-amount range, sites, expiry, test cards. */

/** Contract §11: a managed MIT needs at least two weeks. Enforced here, though the real sandbox may not. */
export const MIN_MANAGED_EXPIRY_MS = 14 * DAY_MS;
/** Beyond three months a rescue window makes no sense; the sandbox refuses it as a likely unit mistake. */
export const MAX_MANAGED_EXPIRY_MS = 90 * DAY_MS;
/** Allowance for the merchant's clock and the request's flight time when it sends exactly now + 14 days. */
export const EXPIRY_GRACE_MS = 5 * 60 * 1000;

/** Contract §1: in the sandbox, `transaction.amount` must be more than 10 and less than 20000 cents. */
export function checkTestAmount(errors: FieldErrors, amount: number): void {
  if (amount <= 10 || amount >= 20_000) {
    errors.add(
      ['transaction', 'amount'],
      'The field Amount must be greater than 10 and less than 20000 (cents) for test transactions.',
    );
  }
}

/** What decides which fields a request must carry: the switches and the merchant's sites. */
export function requirementContext(
  options: ResolvedSandboxOptions,
  credential: SandboxCredential,
  body: unknown,
): RequirementContext {
  return {
    body,
    requiredFields: options.requiredFields,
    billingFields: options.billingFields,
    siteCount: credential.siteIds?.length ?? 0,
  };
}

export function checkSiteId(
  errors: FieldErrors,
  siteId: string | undefined,
  credential: SandboxCredential,
): void {
  if (
    siteId &&
    credential.siteIds &&
    !credential.siteIds.some((id) => id.toLowerCase() === siteId.toLowerCase())
  ) {
    errors.add(['siteId'], `The site ${siteId} does not belong to this merchant.`);
  }
}

export function checkExpiryWindow(errors: FieldErrors, expiry: Date, now: Date): void {
  const ahead = expiry.getTime() - now.getTime();
  if (ahead < MIN_MANAGED_EXPIRY_MS - EXPIRY_GRACE_MS) {
    errors.add(
      ['expiryDateUtc'],
      `ExpiryDateUtc must be at least 14 days after now (${now.toISOString()}): FlexCharge needs two weeks, ideally three, to work a managed MIT.`,
    );
  } else if (ahead > MAX_MANAGED_EXPIRY_MS) {
    errors.add(['expiryDateUtc'], `ExpiryDateUtc must be at most 90 days after now (${now.toISOString()}).`);
  }
}

export interface ResolvedCard {
  readonly card: TestCard;
  readonly hasCvv: boolean;
}

/**
 * The test card behind `paymentMethod`: a token this sandbox issued to this merchant (`token: true`),
 * or a whitelisted test PAN. Anything else is refused: the sandbox takes no real card data (§12).
 */
export function resolveCard(
  errors: FieldErrors,
  paymentMethod: EvaluateBody['paymentMethod'],
  mid: string,
  vault: CardVault,
): ResolvedCard | undefined {
  const path = ['paymentMethod', 'cardNumber'];
  const hasCvv = Boolean(paymentMethod.verificationValue?.trim());
  if (paymentMethod.token === true) {
    const vaulted = vault.find(paymentMethod.cardNumber, mid);
    const card = vaulted && findTestCardByLast4(vaulted.last4);
    if (vaulted && card) return { card, hasCvv: hasCvv || vaulted.hasCvv };
    errors.add(path, 'The card token is unknown to this merchant: tokenize the card with /tokenize first.');
    return undefined;
  }
  const card = findTestCard(paymentMethod.cardNumber);
  if (card) return { card, hasCvv };
  errors.add(
    path,
    /^[\d\s-]{12,23}$/.test(paymentMethod.cardNumber)
      ? 'Real card data is not allowed in the sandbox: use a whitelisted test card or a /tokenize token.'
      : 'CardNumber is not a card number: send Token: true with a /tokenize token.',
  );
  return undefined;
}
