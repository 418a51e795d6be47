import {
  FLEXCHARGE_ENVIRONMENTS,
  type FlexChargeEnvironment,
  MERCHANT_FLOWS,
  type MerchantFlow,
} from './merchant-settings.js';

/** What the checklist looks at, read from storage; no secrets. */
export interface ReadinessFacts {
  readonly flows: Readonly<Record<MerchantFlow, { mode: string; environment: FlexChargeEnvironment }>>;
  readonly credentials: Readonly<
    Partial<
      Record<
        FlexChargeEnvironment,
        {
          readonly updatedAt: Date;
          readonly hasWebhookKey: boolean;
          readonly hasDefaultSite: boolean;
          /** The last "test connection", if any. */
          readonly lastCheck: { readonly at: Date; readonly ok: boolean; readonly message: string } | null;
        }
      >
    >
  >;
  /** Its own key, a Connect account, or the process's Stripe (the merchant from the environment). */
  readonly stripeConnected: boolean;
  readonly siteCount: number;
  readonly lastStripeEventAt: Date | null;
  readonly lastFlexChargeEventAt: Date | null;
}

export interface ReadinessCheck {
  readonly id: string;
  readonly ok: boolean;
  /**
   * Setup checks must pass before a flow is switched on; traffic checks (webhooks seen) can only pass
   * once something has happened, so they inform without holding readiness back.
   */
  readonly kind: 'setup' | 'traffic';
  readonly detail: string;
}

export interface Readiness {
  /** Every setup check passes: FlexCharge can be switched on for the flows that are not off. */
  readonly ready: boolean;
  readonly checks: readonly ReadinessCheck[];
  /** What to do next, one line per failing check. */
  readonly missing: readonly string[];
}

const FLOW_NAMES: Record<MerchantFlow, string> = {
  mit: 'MIT',
  cit_website: 'website CIT',
  cit_call_center: 'call-center CIT',
};

/**
 * The merchant's onboarding checklist: flows switched on, credentials for each environment they use
 * (tested since they last changed, with a webhook key), Stripe connected, sites known, and webhooks
 * from both sides seen. Pure: storage gathers the facts.
 */
export function assessReadiness(facts: ReadinessFacts): Readiness {
  const checks: ReadinessCheck[] = [];
  const check = (id: string, ok: boolean, detail: string, kind: 'setup' | 'traffic' = 'setup') =>
    checks.push({ id, ok, kind, detail });
  const live = MERCHANT_FLOWS.filter((f) => facts.flows[f].mode !== 'off');
  const environments = FLEXCHARGE_ENVIRONMENTS.filter((env) =>
    live.some((f) => facts.flows[f].environment === env),
  );

  check(
    'flows',
    live.length > 0,
    live.length > 0
      ? live.map((f) => `${FLOW_NAMES[f]} ${facts.flows[f].mode} in ${facts.flows[f].environment}`).join(', ')
      : 'every flow is off: switch MIT or CIT to shadow or on',
  );
  for (const env of environments) {
    const c = facts.credentials[env];
    const users = live.filter((f) => facts.flows[f].environment === env).map((f) => FLOW_NAMES[f]);
    check(
      `credentials_${env}`,
      c !== undefined,
      c ? `${env} credentials set` : `${users.join(' and ')} run in ${env}, which has no credentials`,
    );
    if (!c) continue;
    const tested = c.lastCheck !== null && c.lastCheck.at >= c.updatedAt;
    check(
      `connection_${env}`,
      tested && c.lastCheck?.ok === true,
      !tested
        ? `${env} credentials not tested since they were set: run "test connection"`
        : c.lastCheck?.ok
          ? `FlexCharge ${env} accepted the credentials`
          : `FlexCharge ${env} refused them: ${c.lastCheck?.message}`,
    );
    check(
      `webhook_key_${env}`,
      c.hasWebhookKey,
      c.hasWebhookKey
        ? `${env} webhook key set`
        : `no ${env} webhook subscriber key: FlexCharge webhooks are refused, outcomes come by polling only`,
    );
  }
  check(
    'stripe_connection',
    facts.stripeConnected,
    facts.stripeConnected ? 'Stripe connected' : 'no Stripe connection: an API key or a Connect account id',
  );
  const defaultSites = environments.every((env) => facts.credentials[env]?.hasDefaultSite);
  check(
    'sites',
    facts.siteCount > 0 || (environments.length > 0 && defaultSites),
    facts.siteCount > 0
      ? `${facts.siteCount} site(s)`
      : defaultSites && environments.length > 0
        ? "no sites; the credentials' default site is used"
        : 'no site: add one (URL, descriptor or FlexCharge site id)',
  );
  check(
    'stripe_webhooks',
    facts.lastStripeEventAt !== null,
    facts.lastStripeEventAt
      ? `last Stripe event ${facts.lastStripeEventAt.toISOString()}`
      : 'no Stripe webhook received yet: register the endpoint with the events manifest.json lists',
    'traffic',
  );
  check(
    'flexcharge_webhooks',
    facts.lastFlexChargeEventAt !== null,
    facts.lastFlexChargeEventAt
      ? `last FlexCharge event ${facts.lastFlexChargeEventAt.toISOString()}`
      : "no FlexCharge webhook received yet: register the merchant's webhook URL in FlexCharge's portal",
    'traffic',
  );
  const failing = checks.filter((c) => !c.ok);
  return {
    ready: failing.every((c) => c.kind === 'traffic'),
    checks,
    missing: failing.map((c) => c.detail),
  };
}
