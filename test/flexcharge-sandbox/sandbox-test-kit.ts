import { randomUUID } from 'node:crypto';
import { createServer, type IncomingHttpHeaders } from 'node:http';
import type { AddressInfo } from 'node:net';
import request from 'supertest';
import {
  createFlexChargeSandbox,
  DEMO_CREDENTIAL,
  type FlexChargeSandboxOptions,
} from '../../adapters/flexcharge/sandbox/create-flexcharge-sandbox.js';
import { DAY_MS, ManualClock } from '../../plugin/core/clock.js';

/** Shared set-up for the sandbox tests: a sandbox on a manual clock, requests, a webhook receiver. */

export const START = '2026-06-12T14:30:00Z';
export const RESCUED_PAN = '4000002760003184';
export const NEVER_RESCUED_PAN = '4000300011112220';

export function newSandbox(options: Partial<FlexChargeSandboxOptions> = {}) {
  const clock = new ManualClock(START);
  const sandbox = createFlexChargeSandbox({ clock, ...options });
  return { clock, sandbox, api: request(sandbox.app) };
}

export type Api = ReturnType<typeof newSandbox>['api'];

export async function accessToken(api: Api): Promise<string> {
  const response = await api
    .post('/v1/oauth2/token')
    .send({ AppKey: DEMO_CREDENTIAL.appKey, AppSecret: DEMO_CREDENTIAL.appSecret })
    .expect(200);
  return response.body.accessToken;
}

export const DEMO_SITE_ID = DEMO_CREDENTIAL.siteIds?.[0] as string;

/** The declined attempt with every field the sandbox requires by default (2024 codes included). */
export function declinedTransaction(overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    id: `ch_${randomUUID()}`,
    timestampUtc: START,
    amount: 1999,
    currency: 'USD',
    responseCode: '51',
    responseCodeSource: 'stripe',
    avsResultCode: 'NA',
    cvvResultCode: 'NA',
    cavvResultCode: 'NA',
    ...overrides,
  };
}

/** A full billing address, as contract §6.4 requires by default. */
export const BILLING = {
  firstName: 'Jane',
  lastName: 'Doe',
  country: 'United States',
  countryCode: 'US',
  addressLine1: '123 Main St.',
  state: 'CA',
  city: 'San Francisco',
  zipCode: '94111',
};

/** A declined monthly renewal as a managed MIT with three weeks to rescue it, card as a raw test PAN. */
export function managedMit(now: Date, overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    isDeclined: true,
    isMIT: true,
    isRecurring: true,
    mid: DEMO_CREDENTIAL.mid,
    siteId: DEMO_SITE_ID,
    orderId: `INV-${randomUUID()}`,
    idempotencyKey: randomUUID(),
    expiryDateUtc: new Date(now.getTime() + 21 * DAY_MS).toISOString(),
    subscription: { subscriptionId: 'SUB-42', interval: 'monthly', price: 1999, currency: 'USD' },
    transaction: declinedTransaction(),
    payer: { email: 'jane@example.com' },
    billingInformation: BILLING,
    paymentMethod: { cardNumber: RESCUED_PAN, token: false },
    ...overrides,
  };
}

/** A customer-initiated decline at checkout. */
export function cit(overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    isDeclined: true,
    isMIT: false,
    mid: DEMO_CREDENTIAL.mid,
    siteId: DEMO_SITE_ID,
    customerIp: '203.0.113.7',
    orderId: `ORDER-${randomUUID()}`,
    idempotencyKey: randomUUID(),
    transaction: declinedTransaction({ id: '3478613', amount: 15000, responseCode: '05' }),
    payer: { email: 'jane@example.com', phone: '+1 555-123-4567' },
    billingInformation: BILLING,
    paymentMethod: { cardNumber: '4111111111111111', verificationValue: '999' },
    ...overrides,
  };
}

export function evaluate(api: Api, token: string, body: Record<string, unknown>) {
  return api.post('/v1/evaluate').auth(token, { type: 'bearer' }).send(body);
}

export interface ReceivedWebhook {
  readonly headers: IncomingHttpHeaders;
  readonly rawBody: Buffer;
  readonly json: Record<string, unknown>;
  readonly answeredWith: number;
}

/** A local webhook listener answering with `statuses` in turn (then 200), recording every delivery. */
export async function startReceiver(statuses: number[] = []) {
  const received: ReceivedWebhook[] = [];
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const rawBody = Buffer.concat(chunks);
      const answeredWith = statuses.shift() ?? 200;
      received.push({
        headers: req.headers,
        rawBody,
        json: JSON.parse(rawBody.toString('utf8')),
        answeredWith,
      });
      res.writeHead(answeredWith).end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/webhooks/flexcharge`,
    received,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
