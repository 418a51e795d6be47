import type { RenewalFailure } from '../billing-engine.js';
import { checkEligibility } from '../eligibility.js';
import { chooseFlow, isCustomerInitiated } from '../flow-choice.js';
import type { ProviderForUse } from '../merchant-runtime.js';
import type { MerchantFlow } from '../merchant-settings.js';
import type { Rescue, RescuePatch, StepOutcome } from '../rescue.js';
import type { IneligibleReason } from '../rescue-states.js';
import { resolveSite, siteLabelOf, siteReference } from '../site-choice.js';
import { cardTokenFor, later, loadRenewal, rescueExpiry, type StepContext } from './step-context.js';

/**
 * `received`: re-read the failure from the engine, pick its flow, site and FlexCharge environment
 * (pinned from here on), decide whether to hand it over and, for a renewal, hold the engine's
 * retries at once: the hold can be undone, the hand-over cannot, and Stripe's first automatic retry
 * must not land before the hold. In shadow mode the request is built, checked and recorded instead.
 */
export async function prepareRescue(rescue: Rescue, ctx: StepContext): Promise<StepOutcome> {
  const renewal = await loadRenewal(rescue, ctx);
  const flow = chooseFlow(renewal.context);
  const profile = ctx.merchant.flows[flow];
  const environment = rescue.environment ?? profile.environment;
  const site = resolveSite(ctx.merchant, {
    siteMetadata: renewal.context.siteMetadata,
    statementDescriptor: renewal.statementDescriptor,
  });
  const reference = siteReference(site, ctx.merchant, environment, renewal.statementDescriptor);
  const patch: RescuePatch = {
    subscriptionId: renewal.subscription.id,
    customerId: renewal.customer.id,
    amount: renewal.amountDue,
    failedChargeId: renewal.failedPayment.chargeId,
    declineCode: renewal.failedPayment.declineCode ?? renewal.failedPayment.code,
    declineMessage: renewal.failedPayment.message,
    flow,
    environment,
    siteId: site?.id ?? null,
    site: siteLabelOf(reference),
    orderSource: renewal.context.orderSource,
  };
  const refuse = async (reason: IneligibleReason, note: string): Promise<StepOutcome> => {
    // A hold from an attempt that died before recording it must not outlive the rescue.
    if (rescue.holdActive) await releaseLeftoverHold(rescue, ctx);
    return {
      to: 'ineligible',
      note,
      // Under a shadow flow the refusal is part of the trial: kept apart from the live figures.
      patch: {
        ...patch,
        ineligibleReason: reason,
        holdActive: false,
        mode: profile.mode === 'off' ? null : profile.mode,
      },
      nextActionAt: null,
      details: { reason, flow },
    };
  };

  if (profile.mode === 'off')
    return refuse('flow_off', `${flowName(flow)} is switched off for this merchant`);
  if (site && !site.enabled[flow])
    return refuse('site_disabled', `${flowName(flow)} is switched off for site ${siteLabelOf(reference)}`);
  if (!ctx.merchant.environments.has(environment))
    return refuse('no_credentials', `the merchant has no FlexCharge ${environment} credentials`);
  const provider = ctx.providerFor(environment);
  const token = await cardTokenFor(renewal, ctx);
  const verdict = checkEligibility(renewal, flow, ctx.policy, {
    now: ctx.now,
    firstSeenAt: rescue.createdAt,
    acceptsAmount: (a, c) => provider.acceptsAmount(a, c),
    hasCardToken: token !== null,
  });
  if (!verdict.eligible) return refuse(verdict.reason, verdict.detail);
  if (token === null) throw new Error('unreachable: an eligible failure has a card token');

  const expiresAt = rescue.expiresAt ?? followUntil(flow, renewal, ctx);
  const mode = profile.mode;
  if (mode === 'shadow') {
    return shadowed(rescue, { ...patch, mode, expiresAt }, provider, {
      flow,
      renewal,
      token,
      expiresAt,
      site: reference,
      merchantSiteId: site?.id ?? null,
    });
  }
  if (isCustomerInitiated(flow)) {
    // The customer was there: no retry of the engine's is pending, so there is nothing to hold.
    return {
      to: 'evaluating',
      note: `${flowName(flow)}: handing over (nothing to hold)`,
      patch: { ...patch, mode, expiresAt },
      nextActionAt: ctx.now,
    };
  }

  // Recorded first: should the process die inside the call, the rescue still knows to give it back.
  await ctx.checkpoint({ holdActive: true, expiresAt, environment, flow, mode });
  const { previousAutoAdvance, invoiceStatus } = await ctx.engine.holdRetries(rescue.invoiceId, {
    rescueId: rescue.id,
    until: expiresAt,
  });
  const held = {
    ...patch,
    mode,
    expiresAt,
    holdAppliedAt: ctx.now,
    previousAutoAdvance,
    holdActive: true,
  };
  // A payment or a retry may have slipped in between the read and the hold: the engine's answer to
  // the hold says so.
  if (invoiceStatus !== 'open') {
    return {
      to: 'cancelling',
      note: `invoice became ${invoiceStatus} while holding`,
      patch: held,
      nextActionAt: ctx.now,
    };
  }
  return {
    to: 'evaluating',
    note: 'eligible for rescue; engine retries held',
    patch: held,
    nextActionAt: ctx.now,
  };
}

/** Shadow mode: the complete request, checked and recorded; neither the hold nor /evaluate is called. */
function shadowed(
  rescue: Rescue,
  patch: RescuePatch,
  provider: ProviderForUse,
  input: {
    flow: MerchantFlow;
    renewal: RenewalFailure;
    token: string;
    expiresAt: Date;
    site: ReturnType<typeof siteReference>;
    merchantSiteId: string | null;
  },
): StepOutcome {
  const preview = provider.previewRenewal({
    rescueId: rescue.id,
    merchantOrderId: rescue.invoiceId,
    ...input,
    cardToken: input.token,
  });
  const valid = preview.problems.length === 0;
  return {
    to: 'shadowed',
    note: valid
      ? 'shadow mode: would have been handed over (request recorded, nothing called)'
      : `shadow mode: the request would have been refused: ${preview.problems.join('; ')}`,
    patch: { ...patch, shadowRequest: { body: preview.body, problems: preview.problems } },
    nextActionAt: null,
    details: { valid, problems: preview.problems },
  };
}

/** MIT: the managed window FlexCharge retries in; CIT: how long a challenge is followed. */
function followUntil(flow: MerchantFlow, renewal: RenewalFailure, ctx: StepContext): Date {
  if (isCustomerInitiated(flow)) return later(ctx.now, ctx.policy.challengeWindowMs);
  return rescueExpiry(renewal.failedAt, ctx.now, ctx.policy.expiryDays);
}

function flowName(flow: MerchantFlow): string {
  return { mit: 'MIT', cit_website: 'website CIT', cit_call_center: 'call-center CIT' }[flow];
}

async function releaseLeftoverHold(rescue: Rescue, ctx: StepContext): Promise<void> {
  const snapshot = await ctx.engine.invoiceStatus(rescue.invoiceId);
  if (snapshot.status !== 'open') return;
  await ctx.engine.releaseHold(rescue.invoiceId, {
    rescueId: rescue.id,
    restoreAutoAdvance: rescue.previousAutoAdvance ?? true,
    reason: 'not eligible for rescue',
  });
}
