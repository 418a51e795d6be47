import { STRIPE_EVENT_RETENTION_MS } from '../../adapters/stripe/list-missed-failures.js';
import { minorUnitDigits, toMajorUnits } from '../core/currency-units.js';
import { type ReplayReport, replayMissedFailures } from '../runtime/replay-missed-failures.js';
import {
  parseOptions,
  resolveStripeKey,
  runOnMerchant,
  STRIPE_KEY_OPTIONS,
  STRIPE_KEY_USAGE,
  type StripeCommandConfig,
  type StripeCommandDeps,
  stripeClientFor,
  UsageError,
  withUsage,
} from './stripe-command-support.js';

export const REPLAY_USAGE = `usage: flexcharge-mit replay --merchant M --since <duration> [--dry-run] [key options] [--json]

Backfill after the plugin was installed mid-day or was down: finds the failed off-session renewals
of the last <duration> in Stripe's event list (then each invoice as it is now) that the plugin never
received, and hands those still fresh (RESCUE_FRESHNESS_HOURS) to the worker, exactly as their
webhook would have. Older ones, and invoices settled since, are listed and left alone. A failure is
handed over once however often replay runs.

  --since D           how far back: 90m, 6h, 2d, 1d12h (at most 30d, all Stripe keeps)
  --dry-run           list only; hand nothing over
${STRIPE_KEY_USAGE}

Exit status: 0 done, 1 refused, 2 usage.`;

export async function runReplayCommand(
  argv: readonly string[],
  config: StripeCommandConfig,
  deps: StripeCommandDeps,
): Promise<number> {
  return withUsage(REPLAY_USAGE, argv, deps, async () => {
    const values = parseOptions('replay', argv, {
      ...STRIPE_KEY_OPTIONS,
      since: { type: 'string' },
      'dry-run': { type: 'boolean' },
    });
    const sinceMs = parseDuration(values.since);
    return runOnMerchant(config, deps, values, async (store) => {
      const { key } = await resolveStripeKey(values, store, config, deps);
      const report = await replayMissedFailures({
        stripe: stripeClientFor(key, values, config, store.connection),
        db: store.db,
        merchantId: store.merchant.id,
        since: new Date(store.now.getTime() - sinceMs),
        now: store.now,
        freshnessWindowMs: config.RESCUE_FRESHNESS_HOURS * 3_600_000,
        dryRun: values['dry-run'] === true,
      });
      return {
        json: { merchant: store.merchant.id, ...report },
        text: describeReplay(store.merchant.id, report),
      };
    });
  });
}

/** `90m`, `6h`, `2d`, `1d12h` → milliseconds; within what Stripe's event list keeps. */
export function parseDuration(value: unknown): number {
  const text = typeof value === 'string' ? value.trim() : '';
  const match = /^(?:(\d+)d)?(?:(\d+)h)?(?:(\d+)m)?$/.exec(text);
  const [, d = '0', h = '0', m = '0'] = match ?? [];
  const ms = ((Number(d) * 24 + Number(h)) * 60 + Number(m)) * 60_000;
  if (!match || ms <= 0)
    throw new UsageError('replay: --since takes a duration such as 90m, 6h, 2d or 1d12h');
  if (ms > STRIPE_EVENT_RETENTION_MS)
    throw new UsageError('replay: --since is at most 30d: Stripe keeps events for 30 days');
  return ms;
}

export function describeReplay(merchantId: string, report: ReplayReport): string[] {
  const count = (verdicts: string[]) => report.failures.filter((f) => verdicts.includes(f.verdict)).length;
  const handed = count(['handed_over']);
  const wouldHand = count(['would_hand_over']);
  const lines = [
    `merchant ${merchantId}: renewal failures since ${report.since.toISOString()}: ` +
      `${handed} handed over${wouldHand ? `, ${wouldHand} would be (dry run)` : ''}, ` +
      `${count(['stale', 'settled'])} not handed over, ${report.alreadyKnown} already known to the plugin`,
  ];
  for (const f of report.failures) {
    const what = `${f.invoiceId}  ${toMajorUnits(f.amount).toFixed(minorUnitDigits(f.amount.currency))} ${f.amount.currency}  failed ${f.failedAt.toISOString()}`;
    lines.push(`  ${f.verdict.replaceAll('_', ' ')}: ${what}${f.why ? `  (${f.why})` : ''}`);
  }
  for (const [reason, n] of Object.entries(report.passedOver))
    lines.push(`  passed over ${n} invoice.payment_failed event${n === 1 ? '' : 's'}: ${reason}`);
  return lines;
}
