import { createServer, type IncomingHttpHeaders } from 'node:http';
import type { AddressInfo } from 'node:net';
import type Stripe from 'stripe';
import { createStripeEmulator } from '../../adapters/stripe/emulator/create-stripe-emulator.js';
import type {
  StripeEmulator,
  StripeEmulatorOptions,
  StripeEmulatorServer,
  StripeEventRecord,
} from '../../adapters/stripe/emulator/emulator-types.js';
import { createStripeBillingAdapter } from '../../adapters/stripe/stripe-billing-adapter.js';
import { createStripeClient } from '../../adapters/stripe/stripe-config.js';
import type { BillingEngineAdapter, VerifiedEngineEvent } from '../../plugin/core/billing-engine.js';
import { DAY_MS, ManualClock } from '../../plugin/core/clock.js';
import { subscribeMonthly } from '../../plugin/runtime/local-subscriber.js';
import {
  justAfterPeriodEnd,
  setCardBehavior as setEmulatorCardBehavior,
} from '../support/stripe-emulator-controls.js';

export { DAY_MS };

export const WEBHOOK_SECRET = 'whsec_adapter_tests';

export interface AdapterHarness {
  clock: ManualClock;
  emulator: StripeEmulator;
  server: StripeEmulatorServer;
  /** The real SDK, built by the adapter's own `createStripeClient`, pointed at the emulator. */
  stripe: Stripe;
  adapter: BillingEngineAdapter;
  close(): Promise<void>;
}

/**
 * An emulator on a ManualClock, listening on a free port, signing webhooks with that clock, and the
 * adapter over the real SDK. SDK retries are off so faults surface at once.
 */
export async function startAdapterHarness(
  options: Partial<StripeEmulatorOptions> = {},
  webhookSecret = WEBHOOK_SECRET,
): Promise<AdapterHarness> {
  const clock = new ManualClock('2026-01-15T12:00:00Z');
  const emulator = createStripeEmulator({ clock, webhookTimestamps: 'clock', ...options });
  const server = await emulator.listen(0);
  const stripe = createStripeClient({
    secretKey: emulator.apiKey,
    apiBase: server.url,
    maxNetworkRetries: 0,
  });
  const adapter = createStripeBillingAdapter({ stripe, webhookSecret, clock });
  return { clock, emulator, server, stripe, adapter, close: () => emulator.close() };
}

export interface Subscriber {
  customer: Stripe.Customer;
  paymentMethod: Stripe.PaymentMethod;
  price: Stripe.Price;
  subscription: Stripe.Subscription;
}

/**
 * Jenny, with an address and phone, subscribed monthly to a €29 plan. The default card needs 3-D
 * Secure on its first (on-session) payment and is then set up for off-session renewals, so the
 * first invoice is an authenticated CIT. The card carries a FlexCharge token in its metadata.
 */
export async function subscribe(
  stripe: Stripe,
  options: { testPaymentMethod?: string; flexchargeToken?: string | null } = {},
): Promise<Subscriber> {
  const customer = await stripe.customers.create({
    email: 'jenny@example.com',
    name: 'Jenny Rosen',
    phone: '+33612345678',
    address: { line1: '1 Rue de Rivoli', city: 'Paris', postal_code: '75001', country: 'FR' },
  });
  const attached = await stripe.paymentMethods.attach(
    options.testPaymentMethod ?? 'pm_card_authenticationRequiredOnSetup',
    { customer: customer.id },
  );
  const token = options.flexchargeToken === undefined ? 'fct_jenny_card' : options.flexchargeToken;
  const paymentMethod = await stripe.paymentMethods.update(attached.id, {
    billing_details: {
      name: 'Jenny Rosen',
      address: { line1: '1 Rue de Rivoli', city: 'Paris', postal_code: '75001', country: 'FR' },
    },
    ...(token ? { metadata: { flexcharge_token: token } } : {}),
  });
  const { price, subscription } = await subscribeMonthly(stripe, customer.id, paymentMethod.id);
  return { customer, paymentMethod, price, subscription };
}

/** From now on, charges of this card decline with `declineCode` (or succeed when null). */
export function setCardBehavior(h: AdapterHarness, paymentMethod: string, declineCode: string | null) {
  return setEmulatorCardBehavior(h.server.url, paymentMethod, declineCode);
}

/** Moves the clock just past the subscription's current period end and runs everything due. */
export async function passPeriodEnd(h: AdapterHarness, subscriptionId: string): Promise<void> {
  h.clock.set(Math.max(h.clock.now().getTime(), await justAfterPeriodEnd(h.stripe, subscriptionId)));
  await h.emulator.runDue();
}

export interface FailedRenewal extends Subscriber {
  renewal: Stripe.Invoice;
}

/** A subscriber whose first renewal Stripe Billing charged off-session and the issuer declined. */
export async function failedRenewal(
  h: AdapterHarness,
  declineCode = 'insufficient_funds',
  options: Parameters<typeof subscribe>[1] = {},
): Promise<FailedRenewal> {
  const subscriber = await subscribe(h.stripe, options);
  await setCardBehavior(h, subscriber.paymentMethod.id, declineCode);
  await passPeriodEnd(h, subscriber.subscription.id);
  const invoices = await h.stripe.invoices.list({ subscription: subscriber.subscription.id });
  const renewal = invoices.data.find((inv) => inv.billing_reason === 'subscription_cycle');
  if (!renewal) throw new Error('no renewal invoice was created');
  return { ...subscriber, renewal };
}

/** The emulator's events of `type` about `objectId`, oldest first. */
export function eventsOf(h: AdapterHarness, type: string, objectId: string): StripeEventRecord[] {
  return h.emulator.events.filter((e) => e.type === type && e.objectId === objectId);
}

/** An emulator event signed the way Stripe signs it, then verified by the adapter. */
export function verified(h: AdapterHarness, record: StripeEventRecord): VerifiedEngineEvent {
  const payload = JSON.stringify(record.event);
  const header = h.stripe.webhooks.generateTestHeaderString({
    payload,
    secret: WEBHOOK_SECRET,
    timestamp: Math.floor(h.clock.now().getTime() / 1000),
  });
  return h.adapter.verifyWebhook(Buffer.from(payload), { 'stripe-signature': header });
}

export interface ReceivedWebhook {
  body: Buffer;
  headers: IncomingHttpHeaders;
}

/** A local endpoint that keeps each delivery's raw bytes and headers and answers 200. */
export async function startWebhookReceiver() {
  const received: ReceivedWebhook[] = [];
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      received.push({ body: Buffer.concat(chunks), headers: req.headers });
      res.end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/webhooks/stripe`,
    received,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
