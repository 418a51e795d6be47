import { randomUUID } from 'node:crypto';
import type { Clock } from '../core/clock.js';
import { LeaseLostError, PluginError, ProviderError } from '../core/errors.js';
import { chooseFlow } from '../core/flow-choice.js';
import { type Logger, withFields } from '../core/logger.js';
import type { MerchantDirectory } from '../core/merchant-runtime.js';
import type { FlexChargeEnvironment } from '../core/merchant-settings.js';
import type { ProviderWebhookEvent } from '../core/rescue-provider.js';
import { runRescueStep } from '../core/rescue-steps.js';
import { resolveSite, siteReference } from '../core/site-choice.js';
import type { CardTokenRepository } from '../storage/card-token-repository.js';
import type { InboxEvent, InboxRepository } from '../storage/inbox-repository.js';
import {
  RESCUE_LEASE_MS,
  type RescueRepository,
  type RescueRow,
  toRescue,
} from '../storage/rescue-repository.js';
import type { TransmissionRepository, TransmissionRow } from '../storage/transmission-repository.js';
import { guarded, keepLease } from './lease-keeper.js';

export interface WorkerDeps {
  inbox: InboxRepository;
  rescues: RescueRepository;
  transmissions: TransmissionRepository;
  cardTokens: CardTokenRepository;
  merchants: MerchantDirectory;
  /** Deletes what the retention policy no longer keeps (inbox, call log, final rescues, nonces). */
  retention?: { prune(now: Date): Promise<Record<string, number>> };
  clock: Clock;
  logger: Logger;
  /** Retryable failures of one step before a rescue needs a person; default `DEFAULT_MAX_ATTEMPTS`. */
  maxAttempts?: number;
  workerId?: string;
  /** Rescues (and transmissions) run at once; default `DEFAULT_CONCURRENCY`. */
  concurrency?: number;
  /** A claimed rescue's lease, renewed while its step runs; default `RESCUE_LEASE_MS`. */
  leaseMs?: number;
  /** How often (real time) a running step's lease is renewed; default a third of the lease. */
  leaseRenewMs?: number;
}

export const DEFAULT_CONCURRENCY = 4;

export const FLEXCHARGE_SOURCE = 'flexcharge';

/**
 * Retryable failures of one rescue step before it needs a person: with the backoff of `backoffFrom`
 * that is about twelve hours of trying, long enough to ride out an outage of Stripe or FlexCharge.
 */
export const DEFAULT_MAX_ATTEMPTS = 18;

/** Drains due work: inbox events first (they create and wake rescues), then rescues, then transmissions. */
export function createWorker(deps: WorkerDeps) {
  const workerId = deps.workerId ?? `worker-${randomUUID().slice(0, 8)}`;
  const maxAttempts = deps.maxAttempts ?? DEFAULT_MAX_ATTEMPTS;
  const concurrency = deps.concurrency ?? DEFAULT_CONCURRENCY;
  const leaseMs = deps.leaseMs ?? RESCUE_LEASE_MS;
  const leaseRenewMs = deps.leaseRenewMs ?? Math.max(50, Math.floor(leaseMs / 3));
  let timer: NodeJS.Timeout | undefined;
  let lastHousekeeping = 0;
  let running: Promise<unknown> | undefined;

  async function processInboxEvent(event: InboxEvent): Promise<void> {
    const now = deps.clock.now();
    if (event.source === FLEXCHARGE_SOURCE) {
      const hint = event.payload as ProviderWebhookEvent;
      const merchantId = event.merchant_id;
      // An evaluate whose answer was lost left the rescue without FlexCharge's order id: the order's
      // own event names it, with our invoice as its merchant order id.
      if (hint.merchantOrderId)
        await deps.rescues.adoptOrder(merchantId, hint.merchantOrderId, hint.orderId, now);
      await deps.rescues.wake({ merchantId, providerOrderId: hint.orderId }, now);
      return;
    }
    const merchant = await deps.merchants.resolve(event.merchant_id);
    const engine = merchant.engine(event.source);
    const billingEvent = engine.normalize({
      id: event.event_id,
      type: event.event_type,
      createdAt: event.received_at,
      // The route already picked the merchant by it; kept as the engine sent it.
      account: accountOf(event.payload),
      payload: event.payload,
    });
    const scope = { merchantId: merchant.merchantId, engine: engine.id };
    switch (billingEvent.kind) {
      case 'renewal_failed':
        // First seen when the webhook arrived, not when the worker got to it: freshness is about us.
        await deps.rescues.createIfAbsent({
          ...scope,
          invoiceId: billingEvent.invoiceId,
          failedAt: billingEvent.failedAt,
          engineInitiated: billingEvent.automatic,
          now: event.received_at,
        });
        return;
      case 'invoice_paid':
      case 'invoice_voided':
      case 'invoice_uncollectible':
        await deps.rescues.wake({ ...scope, invoiceId: billingEvent.invoiceId }, now);
        return;
      case 'subscription_cancelled':
        await deps.rescues.wake({ ...scope, subscriptionId: billingEvent.subscriptionId }, now);
        return;
      case 'charge':
        await deps.transmissions.enqueue({
          ...scope,
          chargeId: billingEvent.chargeId,
          succeeded: billingEvent.succeeded,
          amount: billingEvent.amount,
          now,
        });
        return;
      case 'ignored':
        return;
    }
  }

  /**
   * Runs one step of a claimed rescue. Its lease is renewed while the step runs and checked before
   * every outside call and before the result is recorded, so a step slower than the lease is never
   * run twice at once; a step that finds its lease gone stops and records nothing.
   */
  async function processRescue(row: RescueRow): Promise<void> {
    // Every line of this step carries whose rescue it is and what it is about.
    const ids = {
      merchantId: row.merchant_id,
      rescueId: row.id,
      invoiceId: row.invoice_id,
      orderId: row.flexcharge_order_id,
    };
    const log = withFields(deps.logger, ids);
    const renew = () => deps.rescues.renewLease(row.id, workerId, deps.clock.now(), leaseMs);
    const lease = keepLease({
      renew,
      intervalMs: leaseRenewMs,
      describe: `rescue ${row.id}`,
      onRenewError: (err) => log.warn('lease renewal failed', { error: describe(err) }),
    });
    const guard = () => lease.assertHeld();
    try {
      const merchant = await deps.merchants.resolve(row.merchant_id);
      // The environment the rescue was pinned to; rows from before that have their flow's now.
      const environment = row.environment ?? merchant.profile.flows[row.flow].environment;
      const providerFor = (env: FlexChargeEnvironment) =>
        guarded(merchant.provider(env), guard, ['acceptsAmount', 'previewRenewal', 'previewTransmit']);
      await guard();
      const outcome = await runRescueStep(toRescue(row), {
        engine: guarded(merchant.engine(row.engine), guard, ['verifyWebhook', 'normalize']),
        provider: providerFor(environment),
        providerFor,
        merchant: merchant.profile,
        policy: merchant.policy,
        now: deps.clock.now(),
        findCardToken: (pm) => deps.cardTokens.find(row.merchant_id, row.engine, pm),
        checkpoint: (patch) => deps.rescues.checkpoint(row, patch, workerId, deps.clock.now(), leaseMs),
      });
      await guard();
      const applied = await deps.rescues.applyStep(row, outcome, workerId, deps.clock.now());
      if (applied && outcome.to) {
        // The step may have just been given FlexCharge's order id (an evaluate).
        const orderId = outcome.patch?.providerOrderId;
        (orderId ? withFields(deps.logger, { ...ids, orderId }) : log).info('rescue moved', {
          from: row.state,
          to: outcome.to,
          note: outcome.note,
        });
      }
    } catch (err) {
      if (err instanceof LeaseLostError) {
        log.warn('rescue step abandoned: another worker holds it now');
        return;
      }
      const retryable = isRetryable(err);
      const result = await deps.rescues.failStep(
        row,
        { error: describe(err), retryable, maxAttempts },
        workerId,
        deps.clock.now(),
      );
      log.warn('rescue step failed', {
        state: row.state,
        result,
        error: describe(err),
      });
    } finally {
      lease.stop();
    }
  }

  /**
   * Sends one charge to /transmit under its flow: the flow's environment and the charge's site; a
   * flow that is off (or a site switched off for it) sends nothing, shadow records the request.
   */
  async function processTransmission(row: TransmissionRow): Promise<void> {
    try {
      const merchant = await deps.merchants.resolve(row.merchant_id);
      const { profile } = merchant;
      const charge = await merchant.engine(row.engine).loadCharge(row.charge_id);
      const flow = chooseFlow(charge.context);
      // /transmit feeds the merchant's FlexCharge account every processed charge (contract §5): a
      // charge goes under its own flow, or, when that flow is off, under MIT's, as a merchant that
      // rescues renewals only still reports its checkout's charges.
      const reporting = profile.flows[flow].mode === 'off' ? 'mit' : flow;
      const { mode, environment } = profile.flows[reporting];
      const site = resolveSite(profile, {
        siteMetadata: charge.context.siteMetadata,
        statementDescriptor: charge.statementDescriptor,
      });
      const context = {
        flow,
        environment,
        siteId: site?.id ?? null,
        orderSource: charge.context.orderSource,
      };
      const skip = (reason: string) =>
        deps.transmissions.finish(row.id, workerId, deps.clock.now(), { state: 'skipped', reason, context });
      if (mode === 'off') return await skip(`${flow} is off`);
      if (site && !site.enabled[reporting])
        return await skip(`site_disabled: ${reporting} is off for the site`);
      if (!profile.environments.has(environment))
        return await skip(`no FlexCharge ${environment} credentials`);
      const provider = merchant.provider(environment);
      const transmitContext = {
        merchantOrderId: charge.invoiceId ?? charge.chargeId,
        flow,
        site: siteReference(site, profile, environment, charge.statementDescriptor),
        merchantSiteId: site?.id ?? null,
      };
      if (mode === 'shadow') {
        const preview = provider.previewTransmit(charge, transmitContext);
        return await deps.transmissions.finish(row.id, workerId, deps.clock.now(), {
          state: 'shadowed',
          request: { body: preview.body, problems: preview.problems },
          context,
        });
      }
      const { transmitId } = await provider.transmit(charge, transmitContext);
      await deps.transmissions.finish(row.id, workerId, deps.clock.now(), {
        state: 'sent',
        transmitId,
        context,
      });
    } catch (err) {
      const retryable = isRetryable(err);
      await deps.transmissions.fail(row.id, workerId, deps.clock.now(), describe(err), retryable);
      deps.logger.warn('transmit failed', {
        merchantId: row.merchant_id,
        transmissionId: row.id,
        chargeId: row.charge_id,
        retryable,
        error: describe(err),
      });
    }
  }

  /** One pass over everything due now. Returns how much it did, so callers can loop until idle. */
  async function runOnce(): Promise<{ inbox: number; rescues: number; transmissions: number }> {
    let inbox = 0;
    for (const event of await deps.inbox.claim(workerId, deps.clock.now())) {
      try {
        await processInboxEvent(event);
        await deps.inbox.complete(event.id, workerId, deps.clock.now());
      } catch (err) {
        await deps.inbox.fail(event.id, workerId, deps.clock.now(), describe(err));
        deps.logger.warn('inbox event failed', {
          merchantId: event.merchant_id,
          source: event.source,
          eventId: event.event_id,
          error: describe(err),
        });
      }
      inbox++;
    }
    // Claimed only as many as run at once, so no claimed row waits on its lease behind another.
    const rescues = await deps.rescues.claim(workerId, deps.clock.now(), concurrency, leaseMs);
    await Promise.all(rescues.map(processRescue));
    const transmissions = await deps.transmissions.claim(workerId, deps.clock.now(), concurrency);
    await Promise.all(transmissions.map(processTransmission));
    await housekeeping();
    return { inbox, rescues: rescues.length, transmissions: transmissions.length };
  }

  /** Hourly: prune what the retention policy no longer keeps, in bounded batches. */
  async function housekeeping(): Promise<void> {
    const now = deps.clock.now().getTime();
    if (!deps.retention || now - lastHousekeeping < 3_600_000) return;
    lastHousekeeping = now;
    const pruned = await deps.retention.prune(new Date(now));
    if (Object.values(pruned).some((n) => n > 0)) deps.logger.info('retention pruned', pruned);
  }

  /** Runs passes until nothing is due (bounded, so a step that keeps re-arming cannot spin forever). */
  async function drain(maxPasses = 50): Promise<void> {
    for (let i = 0; i < maxPasses; i++) {
      const did = await runOnce();
      if (did.inbox + did.rescues + did.transmissions === 0) return;
    }
  }

  return {
    workerId,
    runOnce,
    drain,
    start(intervalMs = 1000): void {
      const tick = () => {
        running = drain()
          .catch((err) => deps.logger.error('worker pass failed', { error: describe(err) }))
          .finally(() => {
            if (timer) timer = setTimeout(tick, intervalMs);
          });
      };
      timer = setTimeout(tick, 0);
    },
    async stop(): Promise<void> {
      const t = timer;
      timer = undefined;
      if (t) clearTimeout(t);
      await running;
    },
  };
}

export type Worker = ReturnType<typeof createWorker>;

/**
 * Whether trying the same step again later can succeed. Provider errors say so themselves; our own
 * typed errors (not found, validation, conflict, invalid transition) need a fix first; anything else
 * (a dropped database connection, say) is taken as passing.
 */
function isRetryable(err: unknown): boolean {
  if (err instanceof ProviderError) return err.retryable;
  return !(err instanceof PluginError);
}

function describe(err: unknown): string {
  return err instanceof Error ? `${err.name}: ${err.message}` : String(err);
}

/** The Connect account a stored engine event happened on, as its body says. */
function accountOf(payload: object): string | null {
  const account = (payload as { account?: unknown }).account;
  return typeof account === 'string' ? account : null;
}
