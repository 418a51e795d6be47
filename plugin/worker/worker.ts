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
import type { ClaimFairness } from '../storage/claim-due.js';
import type { InboxEvent, InboxRepository } from '../storage/inbox-repository.js';
import {
  RESCUE_LEASE_MS,
  type RescueRepository,
  type RescueRow,
  toRescue,
} from '../storage/rescue-repository.js';
import type { TransmissionRepository, TransmissionRow } from '../storage/transmission-repository.js';
import { guarded, keepLease } from './lease-keeper.js';
import { createWorkPool } from './work-pool.js';

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
  /** Of those, how many one merchant's may be; default `DEFAULT_MERCHANT_CONCURRENCY`. */
  merchantConcurrency?: number;
  /** Steps one claim runs back to back while each says "go on at once"; default `DEFAULT_STEPS_PER_CLAIM`. */
  stepsPerClaim?: number;
  /** A claimed rescue's lease, renewed while its step runs; default `RESCUE_LEASE_MS`. */
  leaseMs?: number;
  /** How often (real time) a running step's lease is renewed; default a third of the lease. */
  leaseRenewMs?: number;
}

export const DEFAULT_CONCURRENCY = 64;
export const DEFAULT_MERCHANT_CONCURRENCY = 16;
/**
 * A rescue's steps that need nothing from outside in between (prepare, then evaluate; approved,
 * then write back) run in one claim, so a burst moves each rescue through rather than every rescue
 * one state per pass. Bounded, so a step that keeps asking to go on cannot hold its slot forever.
 */
export const DEFAULT_STEPS_PER_CLAIM = 8;
/** How long a rescue is put off after a 429 that did not say how long to wait. */
export const RATE_LIMIT_DEFER_MS = 30_000;

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
  const pool = createWorkPool({
    total: concurrency,
    perMerchant: Math.min(concurrency, deps.merchantConcurrency ?? DEFAULT_MERCHANT_CONCURRENCY),
  });
  const stepsPerClaim = Math.max(1, deps.stepsPerClaim ?? DEFAULT_STEPS_PER_CLAIM);
  const leaseMs = deps.leaseMs ?? RESCUE_LEASE_MS;
  const leaseRenewMs = deps.leaseRenewMs ?? Math.max(50, Math.floor(leaseMs / 3));
  /** Merchants a service told to slow down (429), until when (clock time): their work is not claimed. */
  const pausedMerchants = new Map<string, number>();
  let lastHousekeeping = 0;
  let running: Promise<unknown> | undefined;
  let stopped = true;
  let wakeLoop: (() => void) | undefined;

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
   * Runs a claimed rescue's steps: one, and the next straight after it while the step moved the
   * rescue on and asked for nothing to wait for (`stepsPerClaim` at most). Its lease is renewed
   * while the steps run and checked before every outside call and before each result is recorded,
   * so a step slower than the lease is never run twice at once; a step that finds its lease gone
   * stops and records nothing. Between steps the lease is kept, so no other worker takes the row.
   */
  async function processRescue(claimed: RescueRow): Promise<void> {
    let row = claimed;
    // Every line of this rescue carries whose rescue it is and what it is about.
    const idsOf = (r: RescueRow) => ({
      merchantId: r.merchant_id,
      rescueId: r.id,
      invoiceId: r.invoice_id,
      orderId: r.flexcharge_order_id,
    });
    const log = () => withFields(deps.logger, idsOf(row));
    const renew = () => deps.rescues.renewLease(row.id, workerId, deps.clock.now(), leaseMs);
    const lease = keepLease({
      renew,
      intervalMs: leaseRenewMs,
      describe: `rescue ${row.id}`,
      onRenewError: (err) => log().warn('lease renewal failed', { error: describe(err) }),
    });
    const guard = () => lease.assertHeld();
    try {
      for (let step = 1; ; step++) {
        const outcome = await runOneStep(row, guard);
        await guard();
        const now = deps.clock.now();
        const goOn =
          step < stepsPerClaim &&
          outcome.to !== null &&
          outcome.nextActionAt !== null &&
          outcome.nextActionAt <= now;
        const next = goOn
          ? await deps.rescues.advance(row, outcome, workerId, now, leaseMs)
          : (await deps.rescues.applyStep(row, outcome, workerId, now))
            ? row
            : null;
        if (next && outcome.to) {
          // The step may have just been given FlexCharge's order id (an evaluate).
          const orderId = outcome.patch?.providerOrderId;
          withFields(deps.logger, { ...idsOf(row), ...(orderId ? { orderId } : {}) }).info('rescue moved', {
            from: row.state,
            to: outcome.to,
            note: outcome.note,
          });
        }
        if (!goOn || !next) return;
        row = next;
      }
    } catch (err) {
      if (err instanceof LeaseLostError) {
        log().warn('rescue step abandoned: another worker holds it now');
        return;
      }
      if (err instanceof ProviderError && err.rateLimited && err.retryable) {
        await putOff(row, err);
        return;
      }
      const retryable = isRetryable(err);
      const result = await deps.rescues.failStep(
        row,
        { error: describe(err), retryable, maxAttempts },
        workerId,
        deps.clock.now(),
      );
      log().warn('rescue step failed', {
        state: row.state,
        result,
        error: describe(err),
      });
    } finally {
      lease.stop();
    }
  }

  /** One step of `row` with its merchant's ports, each outside call behind `guard`. */
  async function runOneStep(row: RescueRow, guard: () => Promise<void>) {
    const merchant = await deps.merchants.resolve(row.merchant_id);
    // The environment the rescue was pinned to; rows from before that have their flow's now.
    const environment = row.environment ?? merchant.profile.flows[row.flow].environment;
    const providerFor = (env: FlexChargeEnvironment) =>
      guarded(merchant.provider(env), guard, ['acceptsAmount', 'previewRenewal', 'previewTransmit']);
    await guard();
    return runRescueStep(toRescue(row), {
      engine: guarded(merchant.engine(row.engine), guard, ['verifyWebhook', 'normalize']),
      provider: providerFor(environment),
      providerFor,
      merchant: merchant.profile,
      policy: merchant.policy,
      now: deps.clock.now(),
      findCardToken: (pm) => deps.cardTokens.find(row.merchant_id, row.engine, pm),
      checkpoint: (patch) => deps.rescues.checkpoint(row, patch, workerId, deps.clock.now(), leaseMs),
    });
  }

  /**
   * A service answered 429 (after its client's own waits and retries): the rescue is put off, not
   * failed, and the merchant's other work is not claimed until then, as its limit is per account.
   */
  async function putOff(row: RescueRow, err: ProviderError): Promise<void> {
    const now = deps.clock.now();
    const until = new Date(now.getTime() + Math.max(1000, err.retryAfterMs ?? RATE_LIMIT_DEFER_MS));
    pausedMerchants.set(
      row.merchant_id,
      Math.max(until.getTime(), pausedMerchants.get(row.merchant_id) ?? 0),
    );
    await deps.rescues.defer(row, until, describe(err), workerId, now);
    withFields(deps.logger, {
      merchantId: row.merchant_id,
      rescueId: row.id,
      invoiceId: row.invoice_id,
      orderId: row.flexcharge_order_id,
    }).info('rescue put off: rate limited', {
      provider: err.provider,
      state: row.state,
      until: until.toISOString(),
    });
  }

  /** How the next claim shares slots: each merchant's room, none for one told to slow down. */
  function fairness(): ClaimFairness {
    const now = deps.clock.now().getTime();
    const rooms = new Map(pool.rooms().map((r) => [r.merchantId, r.room]));
    for (const [merchantId, until] of pausedMerchants) {
      if (until <= now) pausedMerchants.delete(merchantId);
      else rooms.set(merchantId, 0);
    }
    return {
      perMerchant: pool.limits.perMerchant,
      rooms: [...rooms].map(([merchantId, room]) => ({ merchantId, room })),
    };
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

  /** Handles the due inbox events, one after another; returns how many. */
  async function processInbox(): Promise<number> {
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
    return inbox;
  }

  /**
   * Claims as many due rescues as there are free slots, merchants taking turns within their room,
   * and starts them. Claimed only as many as run at once, so no claimed row waits on its lease.
   */
  async function startRescues(): Promise<number> {
    const free = pool.free();
    if (free <= 0) return 0;
    const rows = await deps.rescues.claim(workerId, deps.clock.now(), free, leaseMs, fairness());
    for (const row of rows) pool.start(row.merchant_id, () => processRescue(row).catch(jobFailed));
    return rows.length;
  }

  async function startTransmissions(): Promise<number> {
    const free = pool.free();
    if (free <= 0) return 0;
    const rows = await deps.transmissions.claim(workerId, deps.clock.now(), free, undefined, fairness());
    for (const row of rows) pool.start(row.merchant_id, () => processTransmission(row).catch(jobFailed));
    return rows.length;
  }

  function jobFailed(err: unknown): void {
    deps.logger.error('worker job failed', { error: describe(err) });
  }

  /**
   * One pass over everything due now, waiting for what it started. Returns how much it did, so
   * callers can loop until idle.
   */
  async function runOnce(): Promise<{ inbox: number; rescues: number; transmissions: number }> {
    const inbox = await processInbox();
    const rescues = await startRescues();
    await pool.idle();
    const transmissions = await startTransmissions();
    await pool.idle();
    await housekeeping();
    return { inbox, rescues, transmissions };
  }

  /**
   * The running worker: claims whenever slots free up rather than pass by pass, so a slow rescue
   * holds only its own slot. Idle, it looks for due work every `intervalMs`.
   */
  async function loop(intervalMs: number): Promise<void> {
    // Claiming in small bites costs a query per rescue; a few slots free at once are worth one.
    const refillAt = Math.max(1, Math.floor(concurrency / 8));
    while (!stopped) {
      const hadRoom = pool.free() > 0;
      let started = 0;
      try {
        started += await processInbox();
        started += await startRescues();
        started += await startTransmissions();
        await housekeeping();
      } catch (err) {
        deps.logger.error('worker pass failed', { error: describe(err) });
      }
      if (stopped) break;
      const interval = pause(intervalMs);
      // Busy: go again once some slots are free (or at the interval, for new inbox events).
      await (started > 0 || !hadRoom ? Promise.race([pool.room(refillAt), interval.done]) : interval.done);
      interval.cancel();
    }
  }

  /** A wait `stop()` can cut short. */
  function pause(ms: number) {
    let timer: NodeJS.Timeout | undefined;
    const done = new Promise<void>((resolve) => {
      timer = setTimeout(resolve, ms);
      wakeLoop = resolve;
    });
    return { done, cancel: () => clearTimeout(timer) };
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
      if (!stopped) return;
      stopped = false;
      running = loop(intervalMs);
    },
    async stop(): Promise<void> {
      stopped = true;
      wakeLoop?.();
      await running;
      await pool.idle();
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
