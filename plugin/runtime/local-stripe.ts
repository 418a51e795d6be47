import { resolve } from 'node:path';
import type Stripe from 'stripe';
import { createStripeEmulator, type StripeEmulator } from '../../adapters/stripe/emulator/index.js';
import type { StripeCallObserver } from '../../adapters/stripe/observed-http-client.js';
import { createStripeClient } from '../../adapters/stripe/stripe-config.js';
import type { Config } from '../config/config-schema.js';
import type { Clock } from '../core/clock.js';
import { emulatorSwitches } from './local-switches.js';

/** The emulator's state file in the plugin's local state directory. */
export const STRIPE_EMULATOR_STATE_FILE = 'stripe-emulator.json';

export interface LocalStripe {
  readonly emulator: StripeEmulator;
  readonly url: string;
  readonly stripe: Stripe;
  /** The signing secret of the endpoint registered for this plugin. */
  readonly webhookSecret: string;
}

/**
 * The bundled Stripe emulator, in-process, for when no STRIPE_SECRET_KEY is configured, with a
 * webhook endpoint registered for this plugin. Imported only by `import()` in that case, so a
 * configuration with a real Stripe key loads no emulator code.
 */
export async function startLocalStripe(
  config: Config,
  deps: {
    clock: Clock;
    pluginUrl: string;
    events: Stripe.WebhookEndpointCreateParams.EnabledEvent[];
    observe?: StripeCallObserver | undefined;
    /** Where the emulator keeps its state across restarts; absent: in memory (tests). */
    stateDir?: string | undefined;
  },
): Promise<LocalStripe> {
  // Signed with the shared clock, which is the one the adapter checks signature age against.
  const emulator = createStripeEmulator({
    clock: deps.clock,
    webhookTimestamps: 'clock',
    ...emulatorSwitches(config),
    ...(deps.stateDir ? { stateFile: resolve(deps.stateDir, STRIPE_EMULATOR_STATE_FILE) } : {}),
  });
  const server = await emulator.listen(0, '127.0.0.1');
  const stripe = createStripeClient({
    secretKey: emulator.apiKey,
    apiBase: server.url,
    observe: deps.observe,
  });
  const url = `${config.PUBLIC_URL ?? deps.pluginUrl}/webhooks/stripe`;
  // A restarted emulator still has this plugin's endpoint, and the deliveries it owes it: the endpoint
  // follows the plugin to its new address rather than being registered twice.
  const kept = (await stripe.webhookEndpoints.list({ limit: 100 })).data.find((e) =>
    e.url.endsWith('/webhooks/stripe'),
  );
  const endpoint = kept
    ? await stripe.webhookEndpoints.update(kept.id, { url, enabled_events: deps.events })
    : await stripe.webhookEndpoints.create({ url, enabled_events: deps.events });
  const secret = kept ? emulator.webhookEndpointSecret(kept.id) : endpoint.secret;
  if (!secret) throw new Error('the Stripe emulator returned no endpoint secret');
  return { emulator, url: server.url, stripe, webhookSecret: secret };
}
