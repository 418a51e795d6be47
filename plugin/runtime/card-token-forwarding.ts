import type Stripe from 'stripe';
import type { FlexChargeClient } from '../../adapters/flexcharge/flexcharge-client.js';
import {
  cardHolderFromName,
  FORWARDED_CARD_FIELDS,
  forwardedTokenizeBody,
  readForwardedTokenize,
} from '../../adapters/flexcharge/forwarded-tokenize.js';
import { cardsOnFile, forwardPaymentMethod } from '../../adapters/stripe/forward-payment-method.js';
import { PAYMENT_METHOD_TOKEN_KEY } from '../../adapters/stripe/invoice-metadata.js';
import { PluginError } from '../core/errors.js';
import type { CardTokenRepository } from '../storage/card-token-repository.js';

const ENGINE = 'stripe';

export type ForwardingVerdict =
  /** Stripe forwarded the card to FlexCharge's /tokenize; the token is now stored (encrypted). */
  | 'tokenized'
  /** `--dry-run`: would have been forwarded. */
  | 'would_tokenize'
  /** A token is already stored, or in the payment method's metadata: not forwarded again. */
  | 'already_tokenized'
  /** Not forwarded, or FlexCharge gave no token: `why` says what to fix. */
  | 'failed';

export interface ForwardedCard {
  readonly paymentMethodId: string;
  readonly customerId: string | null;
  readonly last4: string | null;
  readonly verdict: ForwardingVerdict;
  readonly why: string | null;
  /** The forwarding request's id, for Stripe support; null when nothing was forwarded. */
  readonly forwardingRequestId: string | null;
}

export type ForwardingTarget = { paymentMethodId: string } | { customerId: string } | { all: true };

/**
 * Gets FlexCharge tokens for cards already on file at Stripe without the plugin seeing a card number:
 * Stripe's Vault and Forward sends each card to FlexCharge's /tokenize (the body we give it has the
 * card fields blank), and the token in the relayed answer is stored where registered tokens are. A
 * card with a token stored or in its metadata is left alone, so running this again forwards nothing
 * twice.
 */
export async function tokenizeCardsByForwarding(input: {
  stripe: Stripe;
  flexcharge: FlexChargeClient;
  cardTokens: CardTokenRepository;
  merchantId: string;
  target: ForwardingTarget;
  now: Date;
  dryRun: boolean;
}): Promise<ForwardedCard[]> {
  const results: ForwardedCard[] = [];
  for await (const card of cardsOnFile(input.stripe, input.target, PAYMENT_METHOD_TOKEN_KEY)) {
    const result = (verdict: ForwardingVerdict, why: string | null = null, id: string | null = null) => ({
      paymentMethodId: card.id,
      customerId: card.customerId,
      last4: card.last4,
      verdict,
      why,
      forwardingRequestId: id,
    });
    const stored = await input.cardTokens.find(input.merchantId, ENGINE, card.id);
    if (stored || card.metadataToken) {
      results.push(result('already_tokenized'));
      continue;
    }
    const holder = cardHolderFromName(card.holderName);
    if (!holder) {
      results.push(
        result(
          'failed',
          'FlexCharge needs a first and last name: set billing_details.name or the customer name',
        ),
      );
      continue;
    }
    if (input.dryRun) {
      results.push(result('would_tokenize'));
      continue;
    }
    const destination = await input.flexcharge.tokenizeDestination();
    let answer: Awaited<ReturnType<typeof forwardPaymentMethod>>;
    try {
      answer = await forwardPaymentMethod(input.stripe, {
        paymentMethodId: card.id,
        url: destination.url,
        body: forwardedTokenizeBody({ ...holder, email: card.email }),
        headers: destination.headers,
        replacements: FORWARDED_CARD_FIELDS,
        metadata: { flexcharge_mit_merchant: input.merchantId },
      });
    } catch (error) {
      // Stripe refused this one (destination not enabled, permission, the card): say so, go on.
      if (!(error instanceof PluginError)) throw error;
      results.push(result('failed', error.message));
      continue;
    }
    const read = readForwardedTokenize(answer.status, answer.body);
    if (!read.ok) {
      results.push(result('failed', read.reason, answer.id));
      continue;
    }
    await input.cardTokens.register({
      merchantId: input.merchantId,
      engine: ENGINE,
      paymentMethodId: card.id,
      token: read.token,
      now: input.now,
    });
    results.push(result('tokenized', null, answer.id));
  }
  return results;
}
