import { createFlexChargeClient } from '../../adapters/flexcharge/flexcharge-client.js';
import { withTrailingSlash } from '../../adapters/flexcharge/flexcharge-environments.js';
import type { Config } from '../config/config-schema.js';
import { ValidationError } from '../core/errors.js';
import { FLEXCHARGE_ENVIRONMENTS, type FlexChargeEnvironment } from '../core/merchant-settings.js';
import {
  type ForwardedCard,
  type ForwardingTarget,
  tokenizeCardsByForwarding,
} from '../runtime/card-token-forwarding.js';
import { flexChargeHosts } from '../runtime/flexcharge-hosts.js';
import { createCardTokenRepository } from '../storage/card-token-repository.js';
import { createFlexChargeCallLog } from '../storage/flexcharge-call-log.js';
import { createMerchantRepository } from '../storage/merchant-repository.js';
import {
  parseOptions,
  resolveStripeKey,
  runOnMerchant,
  STRIPE_KEY_OPTIONS,
  STRIPE_KEY_USAGE,
  type StripeCommandDeps,
  stripeClientFor,
  UsageError,
  withUsage,
} from './stripe-command-support.js';

export const TOKENIZE_USAGE = `usage: flexcharge-mit tokenize --merchant M (--payment-method pm_… | --customer cus_… | --all)
                          [--environment sandbox|production] [--flexcharge-url URL] [--dry-run]
                          [key options] [--json]

Gets a FlexCharge card token for cards already on file at Stripe, without the plugin seeing a card
number: Stripe's Vault and Forward sends each card to FlexCharge's /tokenize (ask Stripe to enable
forwarding to that URL first: docs/card-tokens.md), and the token is stored encrypted, as the
checkout's PUT /admin/card-tokens would store it. A card that already has a token (stored, or in its
metadata as flexcharge_token) is not forwarded again, so the command can run as often as wanted.

  --payment-method ID  one card
  --customer ID        every card of one customer
  --all                every card of every customer
  --environment E      the FlexCharge account whose tokens these are (default: the MIT flow's)
  --flexcharge-url URL FlexCharge's API base (default FLEXCHARGE_SANDBOX_URL / _PRODUCTION_URL)
  --dry-run            list what would be forwarded; forward nothing
${STRIPE_KEY_USAGE}

Exit status: 0 done (every card has a token), 1 refused or some card failed, 2 usage.`;

export async function runTokenizeCommand(
  argv: readonly string[],
  config: Config,
  deps: StripeCommandDeps,
): Promise<number> {
  return withUsage(TOKENIZE_USAGE, argv, deps, async () => {
    const values = parseOptions('tokenize', argv, {
      ...STRIPE_KEY_OPTIONS,
      'payment-method': { type: 'string' },
      customer: { type: 'string' },
      all: { type: 'boolean' },
      environment: { type: 'string' },
      'flexcharge-url': { type: 'string' },
      'dry-run': { type: 'boolean' },
    });
    const target = targetOf(values);
    const asked = values.environment;
    if (asked !== undefined && !FLEXCHARGE_ENVIRONMENTS.includes(asked as FlexChargeEnvironment))
      throw new UsageError('tokenize: --environment is sandbox or production');
    return runOnMerchant(config, deps, values, async (store) => {
      const merchantId = store.merchant.id;
      const environment =
        (asked as FlexChargeEnvironment | undefined) ??
        store.merchant.flows.find((f) => f.flow === 'mit')?.environment ??
        'sandbox';
      const credentials = await createMerchantRepository(store.db, store.box).flexChargeCredentialsForUse(
        merchantId,
        environment,
      );
      if (!credentials) {
        const message = `merchant ${merchantId} has no FlexCharge ${environment} credentials`;
        throw new ValidationError(message, { environment: [message] });
      }
      const override = values['flexcharge-url'];
      const baseUrl =
        typeof override === 'string'
          ? withTrailingSlash(override)
          : flexChargeHosts(config, undefined)[environment];
      // The URL Stripe must have enabled for forwarding, said even on a dry run.
      const destination = new URL('tokenize', baseUrl).toString();
      const flexcharge = createFlexChargeClient({
        baseUrl,
        environment,
        credentials: { appKey: credentials.appKey.reveal(), appSecret: credentials.appSecret.reveal() },
        mid: credentials.mid,
        merchantId,
        timeoutMs: config.FLEXCHARGE_TIMEOUT_MS,
        maxRetries: config.FLEXCHARGE_MAX_RETRIES,
        callLog: createFlexChargeCallLog(store.db),
      });
      const { key } = await resolveStripeKey(values, store, config, deps);
      const cards = await tokenizeCardsByForwarding({
        stripe: stripeClientFor(key, values, config, store.connection),
        flexcharge,
        cardTokens: createCardTokenRepository(store.db, store.box),
        merchantId,
        target,
        now: store.now,
        dryRun: values['dry-run'] === true,
      });
      return {
        json: { merchant: merchantId, environment, destination, cards },
        text: describeTokenize(merchantId, environment, destination, cards),
        exitCode: cards.some((c) => c.verdict === 'failed') ? 1 : 0,
      };
    });
  });
}

function targetOf(values: Record<string, string | boolean | undefined>): ForwardingTarget {
  const pm = values['payment-method'];
  const customer = values.customer;
  const chosen = [typeof pm === 'string', typeof customer === 'string', values.all === true].filter(Boolean);
  if (chosen.length !== 1)
    throw new UsageError('tokenize: give exactly one of --payment-method, --customer or --all');
  if (typeof pm === 'string') return { paymentMethodId: pm };
  if (typeof customer === 'string') return { customerId: customer };
  return { all: true };
}

export function describeTokenize(
  merchantId: string,
  environment: FlexChargeEnvironment,
  destination: string,
  cards: readonly ForwardedCard[],
): string[] {
  const count = (verdict: ForwardedCard['verdict']) => cards.filter((c) => c.verdict === verdict).length;
  const wouldBe = count('would_tokenize');
  const lines = [
    `merchant ${merchantId}, FlexCharge ${environment}: ${cards.length} card${cards.length === 1 ? '' : 's'}: ` +
      `${count('tokenized')} tokenized${wouldBe ? `, ${wouldBe} would be (dry run)` : ''}, ` +
      `${count('already_tokenized')} already had a token, ${count('failed')} failed`,
    `  forwarded by Stripe to ${destination}`,
  ];
  for (const c of cards) {
    const card = `${c.paymentMethodId}${c.last4 ? ` (…${c.last4})` : ''}${c.customerId ? ` of ${c.customerId}` : ''}`;
    const via = c.forwardingRequestId ? ` [${c.forwardingRequestId}]` : '';
    lines.push(`  ${c.verdict.replaceAll('_', ' ')}: ${card}${via}${c.why ? `  (${c.why})` : ''}`);
  }
  return lines;
}
