import type { Kysely } from 'kysely';
import { Counter, collectDefaultMetrics, Gauge, Histogram, Registry } from 'prom-client';
import type { FlexChargeCallRecord } from '../../adapters/flexcharge/call-log.js';
import type { StripeCallObserver } from '../../adapters/stripe/observed-http-client.js';
import type { Clock } from '../core/clock.js';
import type { Logger } from '../core/logger.js';
import type { WebhookIntakeObserver } from '../http/webhook-intake-observer.js';
import { readOperationalStats } from '../storage/operational-stats.js';
import type { Database } from '../storage/schema.js';

const PREFIX = 'flexcharge_mit_';
/** Outside calls: from a fast sandbox answer to a slow FlexCharge evaluate near its timeout. */
const CALL_BUCKETS = [0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30];
/** Webhook intake: verify, one insert, answer; anything near a second is trouble. */
const INTAKE_BUCKETS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5];

export interface PluginMetrics {
  readonly registry: Registry;
  readonly contentType: string;
  readonly webhookIntake: WebhookIntakeObserver;
  readonly observeStripe: StripeCallObserver;
  observeFlexCharge(call: FlexChargeCallRecord): void;
  /** The exposition text: counters as counted, database gauges read now. */
  render(): Promise<string>;
}

/**
 * One registry per running plugin (never prom-client's global one, so several plugins in one
 * process, as in the tests, keep their own counts). Counters and histograms are fed as things
 * happen; the queue, rescue and money gauges are read from the database at scrape time, so every
 * instance of the plugin reports the same shared truth about them.
 */
export function createMetrics(deps: { db: Kysely<Database>; clock: Clock; logger: Logger }): PluginMetrics {
  const registry = new Registry();
  const registers = [registry];
  collectDefaultMetrics({ register: registry });

  const webhooksReceived = new Counter({
    name: `${PREFIX}webhooks_received_total`,
    help: 'Signed webhooks stored (or recognised as redeliveries), per source and outcome.',
    labelNames: ['source', 'outcome'] as const,
    registers,
  });
  const webhooksRefused = new Counter({
    name: `${PREFIX}webhooks_refused_total`,
    help: 'Webhook requests refused, per source and reason (our error code, or http_<status>).',
    labelNames: ['source', 'reason'] as const,
    registers,
  });
  const intakeSeconds = new Histogram({
    name: `${PREFIX}webhook_intake_seconds`,
    help: 'Time from a webhook request arriving to its answer, per source.',
    labelNames: ['source'] as const,
    buckets: INTAKE_BUCKETS,
    registers,
  });
  const flexchargeSeconds = new Histogram({
    name: `${PREFIX}flexcharge_request_seconds`,
    help: 'FlexCharge HTTP attempts (retries each count), per operation and outcome.',
    labelNames: ['operation', 'outcome'] as const,
    buckets: CALL_BUCKETS,
    registers,
  });
  const flexchargeErrors = new Counter({
    name: `${PREFIX}flexcharge_request_errors_total`,
    help: 'FlexCharge HTTP attempts that failed, per operation, outcome and status (none without a response).',
    labelNames: ['operation', 'outcome', 'status'] as const,
    registers,
  });
  const stripeSeconds = new Histogram({
    name: `${PREFIX}stripe_request_seconds`,
    help: 'Stripe API HTTP attempts (the SDK retries each count), per method and endpoint.',
    labelNames: ['method', 'endpoint'] as const,
    buckets: CALL_BUCKETS,
    registers,
  });
  const stripeErrors = new Counter({
    name: `${PREFIX}stripe_request_errors_total`,
    help: 'Stripe API HTTP attempts answered 4xx/5xx or with no response (status none), per endpoint.',
    labelNames: ['method', 'endpoint', 'status'] as const,
    registers,
  });

  const queueWaiting = new Gauge({
    name: `${PREFIX}queue_waiting`,
    help: 'Work due now and not done, per queue (inbox, rescues, transmissions).',
    labelNames: ['queue'] as const,
    registers,
  });
  const queueOldest = new Gauge({
    name: `${PREFIX}queue_oldest_age_seconds`,
    help: 'How long the longest-waiting due item of each queue has been due (0 when none waits).',
    labelNames: ['queue'] as const,
    registers,
  });
  const rescues = new Gauge({
    name: `${PREFIX}rescues`,
    help: 'Stored rescues per merchant and state (finished ones age out with RETENTION_HISTORY_DAYS).',
    labelNames: ['merchant', 'state'] as const,
    registers,
  });
  const recovered = new Gauge({
    name: `${PREFIX}recovered_amount_minor`,
    help: 'Amount of recovered rescues still stored, in minor units, per currency.',
    labelNames: ['currency'] as const,
    registers,
  });
  const parked = new Gauge({
    name: `${PREFIX}parked_obligations`,
    help: 'Rescues in needs_attention still holding the invoice (hold_active) or with an order FlexCharge may settle (order_open).',
    labelNames: ['merchant', 'obligation'] as const,
    registers,
  });
  const databaseUp = new Gauge({
    name: `${PREFIX}metrics_database_up`,
    help: '1 when this scrape read the database gauges, 0 when the database did not answer (they are then absent).',
    registers,
  });

  /** Database gauges are rebuilt whole each scrape, so a merchant or state that vanished drops out. */
  async function readDatabaseGauges(): Promise<void> {
    for (const gauge of [queueWaiting, queueOldest, rescues, recovered, parked]) gauge.reset();
    const now = deps.clock.now();
    try {
      const stats = await readOperationalStats(deps.db, now);
      for (const q of stats.queues) {
        queueWaiting.set({ queue: q.queue }, q.waiting);
        const age = q.oldestDueAt ? Math.max(0, (now.getTime() - q.oldestDueAt.getTime()) / 1000) : 0;
        queueOldest.set({ queue: q.queue }, age);
      }
      for (const r of stats.rescues) rescues.set({ merchant: r.merchantId, state: r.state }, r.count);
      for (const r of stats.recovered) recovered.set({ currency: r.currency }, r.amount);
      for (const p of stats.parked) {
        parked.set({ merchant: p.merchantId, obligation: 'hold_active' }, p.holdActive);
        parked.set({ merchant: p.merchantId, obligation: 'order_open' }, p.orderOpen);
      }
      databaseUp.set(1);
    } catch (err) {
      deps.logger.warn('metrics: database gauges unavailable', { error: String(err) });
      databaseUp.set(0);
    }
  }

  return {
    registry,
    contentType: registry.contentType,
    webhookIntake: {
      received(source, outcome, seconds) {
        webhooksReceived.inc({ source, outcome });
        intakeSeconds.observe({ source }, seconds);
      },
      refused(source, reason, seconds) {
        webhooksRefused.inc({ source, reason });
        intakeSeconds.observe({ source }, seconds);
      },
    },
    observeStripe(call) {
      stripeSeconds.observe({ method: call.method, endpoint: call.endpoint }, call.seconds);
      if (call.status === null || call.status >= 400)
        stripeErrors.inc({
          method: call.method,
          endpoint: call.endpoint,
          status: String(call.status ?? 'none'),
        });
    },
    observeFlexCharge(call) {
      flexchargeSeconds.observe({ operation: call.operation, outcome: call.outcome }, call.durationMs / 1000);
      if (call.outcome !== 'ok')
        flexchargeErrors.inc({
          operation: call.operation,
          outcome: call.outcome,
          status: String(call.statusCode ?? 'none'),
        });
    },
    async render() {
      await readDatabaseGauges();
      return registry.metrics();
    },
  };
}
