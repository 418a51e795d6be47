import { createServer, type IncomingHttpHeaders } from 'node:http';
import type { AddressInfo } from 'node:net';
import Stripe from 'stripe';
import { createStripeEmulator } from '../../adapters/stripe/emulator/create-stripe-emulator.js';
import type {
  StripeEmulator,
  StripeEmulatorOptions,
  StripeEmulatorServer,
} from '../../adapters/stripe/emulator/emulator-types.js';
import { DAY_MS, ManualClock } from '../../plugin/core/clock.js';
import { subscribeMonthly } from '../../plugin/runtime/local-subscriber.js';
import {
  justAfterPeriodEnd,
  setCardBehavior as setEmulatorCardBehavior,
} from '../support/stripe-emulator-controls.js';

export { DAY_MS };

export interface Harness {
  clock: ManualClock;
  emulator: StripeEmulator;
  server: StripeEmulatorServer;
  stripe: Stripe;
  close(): Promise<void>;
}

/** An emulator on a ManualClock, listening on a free port, and the real SDK pointed at it. */
export async function startHarness(options: Partial<StripeEmulatorOptions> = {}): Promise<Harness> {
  const clock = new ManualClock('2026-01-15T12:00:00Z');
  const emulator = createStripeEmulator({ clock, ...options });
  const server = await emulator.listen(0);
  const stripe = new Stripe(emulator.apiKey, {
    host: '127.0.0.1',
    port: server.port,
    protocol: 'http',
    maxNetworkRetries: 0,
  });
  return { clock, emulator, server, stripe, close: () => emulator.close() };
}

export interface Subscriber {
  customer: Stripe.Customer;
  paymentMethod: Stripe.PaymentMethod;
  price: Stripe.Price;
  subscription: Stripe.Subscription;
}

/** A customer with `testPaymentMethod` attached as default, subscribed monthly to a €29 plan. */
export async function subscribe(stripe: Stripe, testPaymentMethod = 'pm_card_visa'): Promise<Subscriber> {
  const customer = await stripe.customers.create({ email: 'jenny@example.com', name: 'Jenny Rosen' });
  const paymentMethod = await stripe.paymentMethods.attach(testPaymentMethod, { customer: customer.id });
  const { price, subscription } = await subscribeMonthly(stripe, customer.id, paymentMethod.id, {
    plan: 'pro',
  });
  return { customer, paymentMethod, price, subscription };
}

/** From now on, charges of this card decline with `declineCode` (or succeed when null). */
export function setCardBehavior(harness: Harness, paymentMethod: string, declineCode: string | null) {
  return setEmulatorCardBehavior(harness.server.url, paymentMethod, declineCode);
}

/** Moves the clock just past the subscription's current period end and runs everything due. */
export async function passPeriodEnd(harness: Harness, subscriptionId: string): Promise<void> {
  harness.clock.set(
    Math.max(harness.clock.now().getTime(), await justAfterPeriodEnd(harness.stripe, subscriptionId)),
  );
  await harness.emulator.runDue();
}

export async function invoicesOf(stripe: Stripe, subscription: string): Promise<Stripe.Invoice[]> {
  return (await stripe.invoices.list({ subscription, limit: 100 })).data;
}

export interface ReceivedWebhook {
  body: string;
  headers: IncomingHttpHeaders;
}

/** A local HTTP endpoint that records webhook deliveries and answers with `statusFor(n)` (1-based). */
export async function startWebhookReceiver(statusFor: (n: number) => number = () => 200) {
  const received: ReceivedWebhook[] = [];
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      received.push({ body: Buffer.concat(chunks).toString('utf8'), headers: req.headers });
      res.statusCode = statusFor(received.length);
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
