import type Stripe from 'stripe';
import type { StripeEmulator } from '../../adapters/stripe/emulator/index.js';
import type { StripeCallObserver } from '../../adapters/stripe/observed-http-client.js';
import { createStripeBillingAdapter } from '../../adapters/stripe/stripe-billing-adapter.js';
import { createStripeClient } from '../../adapters/stripe/stripe-config.js';
import type { Config } from '../config/config-schema.js';
import { readManifest } from '../config/write-manifest.js';
import type { BillingEngineAdapter } from '../core/billing-engine.js';
import type { Clock } from '../core/clock.js';
import type { Logger } from '../core/logger.js';
import type { WriteBackMode } from '../core/merchant-settings.js';

export interface StripeSetup {
  readonly stripe: Stripe;
  /** The key `stripe` uses: the merchant's, or the emulator's; a Connect platform's for its accounts. */
  readonly secretKey: string;
  /** Where `stripe` sends requests when not to Stripe itself (the emulator, STRIPE_API_BASE). */
  readonly apiBase: string | undefined;
  readonly adapter: BillingEngineAdapter;
  /** The signing secret of the endpoint that points at this plugin. */
  readonly webhookSecret: string;
  /** How the merchant configured here (STRIPE_WRITE_BACK_MODE) has rescued payments written back. */
  readonly writeBackMode: WriteBackMode;
  /** The in-process emulator when no STRIPE_SECRET_KEY is configured. */
  readonly emulator: { readonly emulator: StripeEmulator; readonly url: string } | null;
  close(): Promise<void>;
}

/** The webhook events the Stripe adapter needs, as manifest.json lists them. */
export function stripeWebhookEvents(): Stripe.WebhookEndpointCreateParams.EnabledEvent[] {
  const engines = readManifest().engines as { id: string; webhook: { events: string[] } }[];
  return (engines.find((e) => e.id === 'stripe')?.webhook.events ??
    []) as Stripe.WebhookEndpointCreateParams.EnabledEvent[];
}

/**
 * Stripe with the merchant's key, or, with none configured, the bundled emulator in-process (loaded
 * only then) with a webhook endpoint registered for this plugin, so a newcomer's first run has a
 * working Stripe.
 */
export async function setupStripe(
  config: Config,
  deps: {
    clock: Clock;
    logger: Logger;
    pluginUrl: string;
    observe?: StripeCallObserver | undefined;
    /** Where the local emulator keeps its state; absent: in memory. */
    stateDir?: string | undefined;
  },
): Promise<StripeSetup> {
  if (config.STRIPE_SECRET_KEY && config.STRIPE_WEBHOOK_SECRET) {
    const stripe = createStripeClient({
      secretKey: config.STRIPE_SECRET_KEY,
      apiBase: config.STRIPE_API_BASE,
      observe: deps.observe,
    });
    const adapter = createStripeBillingAdapter({
      stripe,
      webhookSecret: config.STRIPE_WEBHOOK_SECRET,
      clock: deps.clock,
      writeBackMode: config.STRIPE_WRITE_BACK_MODE,
    });
    return {
      stripe,
      secretKey: config.STRIPE_SECRET_KEY,
      apiBase: config.STRIPE_API_BASE,
      adapter,
      webhookSecret: config.STRIPE_WEBHOOK_SECRET,
      writeBackMode: config.STRIPE_WRITE_BACK_MODE,
      emulator: null,
      close: async () => {},
    };
  }
  const { startLocalStripe } = await import('./local-stripe.js');
  const local = await startLocalStripe(config, { ...deps, events: stripeWebhookEvents() });
  const { stripe, webhookSecret, emulator, url } = local;
  const writeBackMode = config.STRIPE_WRITE_BACK_MODE;
  const adapter = createStripeBillingAdapter({ stripe, webhookSecret, clock: deps.clock, writeBackMode });
  deps.logger.info('Stripe emulator running in-process', { url });
  return {
    stripe,
    secretKey: emulator.apiKey,
    apiBase: url,
    adapter,
    webhookSecret,
    writeBackMode,
    emulator: { emulator, url },
    close: () => emulator.close(),
  };
}
