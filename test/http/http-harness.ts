import { randomUUID } from 'node:crypto';
import request from 'supertest';
import { signWebhook } from '../../adapters/flexcharge/webhook-signature.js';
import { loadConfig } from '../../plugin/config/load-config.js';
import { ManualClock } from '../../plugin/core/clock.js';
import { type RunningPlugin, startPlugin } from '../../plugin/runtime/start-plugin.js';
import type { DatabaseHandle } from '../../plugin/storage/database.js';
import { createCapturedLogger } from '../support/log-capture.js';
import { createTestDatabase } from '../support/test-database.js';

export const ADMIN_TOKEN = 'http-admin-token-0123456789abcdef';

/**
 * The whole plugin on its local defaults over real HTTP, with a clock that stands still and the
 * worker left to the test, so what the HTTP surface stored can be looked at before anything acts on it.
 */
export async function startHttpHarness(env: Record<string, string> = {}) {
  const clock = new ManualClock('2026-05-04T10:00:00Z');
  const database: DatabaseHandle = await createTestDatabase();
  const config = loadConfig({ PORT: '0', FLEXCHARGE_ENV: 'local', ADMIN_TOKEN, ...env });
  // Kept off the test output, and scanned with the end-to-end suite's lines (test/e2e-log-scan.ts).
  const { logger, lines: logLines } = createCapturedLogger();
  const plugin: RunningPlugin = await startPlugin(config, {
    logger,
    clock,
    database,
    startWorker: false,
  });
  const http = request(plugin.url);

  /** A Stripe event body as Stripe would sign it now; `body` may be any bytes. */
  function postStripe(body: string | Buffer, signWith = plugin.stripe.webhookSecret) {
    const header = plugin.stripe.stripe.webhooks.generateTestHeaderString({
      payload: body.toString(),
      secret: signWith,
      timestamp: Math.floor(clock.now().getTime() / 1000),
    });
    return http
      .post('/webhooks/stripe')
      .set('stripe-signature', header)
      .set('content-type', 'application/json')
      .send(body);
  }

  /** FlexCharge's headers for these exact bytes, signed now for the plugin's host. */
  function flexchargeHeaders(body: string | Buffer): Record<string, string> {
    return {
      ...signWebhook({
        subscriberKey: plugin.flexcharge.subscriberKey!,
        host: new URL(plugin.url).host,
        body,
        date: clock.now(),
      }),
    };
  }

  function postFlexCharge(body: string | Buffer, headers = flexchargeHeaders(body)) {
    return http
      .post('/webhooks/flexcharge')
      .set(headers)
      .set('content-type', 'text/plain')
      .send(Buffer.isBuffer(body) ? body : Buffer.from(body));
  }

  const inboxRows = (source?: string) => {
    let q = database.db.selectFrom('flexcharge_mit.inbox_events').selectAll().orderBy('id');
    if (source) q = q.where('source', '=', source);
    return q.execute();
  };

  return {
    clock,
    plugin,
    database,
    http,
    postStripe,
    postFlexCharge,
    flexchargeHeaders,
    inboxRows,
    logLines,
    async close() {
      await plugin.stop();
      await database.close();
    },
  };
}

export type HttpHarness = Awaited<ReturnType<typeof startHttpHarness>>;

/** A Stripe event envelope; `object` is the event's `data.object`. */
export function stripeEvent(type: string, object: object, id = `evt_${randomUUID().replaceAll('-', '')}`) {
  return { id, object: 'event', type, created: 1_777_888_000, request: { id: null }, data: { object } };
}

/** A FlexCharge webhook body in its PascalCase wire format (contract §9.3). */
export function flexchargeBody(fields: Record<string, unknown>): string {
  return JSON.stringify({
    TimeStamp: '2026-05-04T10:00:00.000000Z',
    EventData: null,
    IsTestMode: true,
    IsResent: false,
    ...fields,
  });
}
