import type { BillingEngineAdapter, InvoiceSnapshot, RenewalFailure } from '../billing-engine.js';
import type { MerchantPolicy } from '../merchant-policy.js';
import type { MerchantProfile, ProviderForUse } from '../merchant-runtime.js';
import type { FlexChargeEnvironment } from '../merchant-settings.js';
import type { Rescue, RescuePatch } from '../rescue.js';
import type { SiteReference } from '../rescue-provider.js';
import { siteReference } from '../site-choice.js';

/** What a step may use: the merchant's engine, FlexCharge and settings, the rules, and the time. */
export interface StepContext {
  readonly engine: BillingEngineAdapter;
  /** FlexCharge in the rescue's pinned environment (before it is pinned: its flow's environment now). */
  readonly provider: ProviderForUse;
  /** FlexCharge in another environment: where `received` pins the rescue. */
  providerFor(environment: FlexChargeEnvironment): ProviderForUse;
  readonly merchant: MerchantProfile;
  readonly policy: MerchantPolicy;
  readonly now: Date;
  /** The FlexCharge token registered for an engine payment method, if any. */
  findCardToken(paymentMethodId: string): Promise<string | null>;
  /**
   * Records `patch` before an outside call whose effect must be known even if the process dies
   * during it (an order that may now exist, a write-back key in flight). Throws `LeaseLostError`
   * when this worker no longer holds the row.
   */
  checkpoint(patch: RescuePatch): Promise<void>;
}

/** The site reference a rescue's requests carry, from the site it was resolved to when prepared. */
export function rescueSite(
  rescue: Rescue,
  renewal: { statementDescriptor: string | null },
  ctx: StepContext,
): { site: SiteReference; merchantSiteId: string | null } {
  const site = ctx.merchant.sites.find((s) => s.id === rescue.siteId) ?? null;
  const environment = rescue.environment ?? ctx.merchant.flows[rescue.flow].environment;
  return {
    site: siteReference(site, ctx.merchant, environment, renewal.statementDescriptor),
    merchantSiteId: site?.id ?? null,
  };
}

export const later = (now: Date, ms: number) => new Date(now.getTime() + ms);

export { rescueExpiry } from '../rescue-expiry.js';

/** The failure as the engine sees it now, with who made the attempt as its webhook said. */
export function loadRenewal(rescue: Rescue, ctx: StepContext): Promise<RenewalFailure> {
  const origin = rescue.engineInitiated === null ? undefined : { engineInitiated: rescue.engineInitiated };
  return ctx.engine.loadRenewalFailure(rescue.invoiceId, origin);
}

/** The card's FlexCharge token: from the engine (payment method metadata), else as registered with us. */
export async function cardTokenFor(renewal: RenewalFailure, ctx: StepContext): Promise<string | null> {
  if (!renewal.card) return null;
  return renewal.card.flexchargeToken ?? (await ctx.findCardToken(renewal.card.paymentMethodId));
}

/** When to poll a held rescue next: at the interval, but never past its expiry or the grace after it. */
export function nextPoll(rescue: Rescue, ctx: StepContext): Date {
  const poll = later(ctx.now, ctx.policy.pollIntervalMs).getTime();
  if (!rescue.expiresAt) return new Date(poll);
  const expiry = rescue.expiresAt.getTime();
  const checkpoint = expiry > ctx.now.getTime() ? expiry : expiry + ctx.policy.expiryGraceMs;
  return new Date(checkpoint > ctx.now.getTime() ? Math.min(poll, checkpoint) : poll);
}

/** Past expiry and the grace for FlexCharge's final word. */
export function pastDeadline(rescue: Rescue, ctx: StepContext): boolean {
  return rescue.expiresAt !== null && ctx.now >= later(rescue.expiresAt, ctx.policy.expiryGraceMs);
}

/**
 * Why the rescue must stop for the engine's sake (the invoice settled another way, the subscription
 * ended or is paused), or null when FlexCharge may go on working it.
 */
export function reasonToStop(invoice: {
  status: string;
  subscriptionStatus: string | null;
  subscriptionPaused?: boolean;
}): string | null {
  if (invoice.status !== 'open') return `invoice became ${invoice.status}`;
  if (invoice.subscriptionStatus === 'canceled' || invoice.subscriptionStatus === 'incomplete_expired')
    return 'subscription was cancelled';
  if (invoice.subscriptionPaused || invoice.subscriptionStatus === 'paused')
    return 'subscription collection is paused';
  return null;
}

/**
 * Gives a held, still open invoice back to the engine's dunning; returns the invoice as it was
 * before the release. Does nothing when no hold of ours is live.
 */
export async function releaseHoldIfOpen(
  rescue: Rescue,
  ctx: StepContext,
  reason: string,
): Promise<InvoiceSnapshot> {
  const snapshot = await ctx.engine.invoiceStatus(rescue.invoiceId);
  if (snapshot.status === 'open' && rescue.holdActive) {
    await ctx.engine.releaseHold(rescue.invoiceId, {
      rescueId: rescue.id,
      restoreAutoAdvance: rescue.previousAutoAdvance ?? true,
      reason,
    });
  }
  return snapshot;
}
