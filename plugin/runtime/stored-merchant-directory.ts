import type { Kysely } from 'kysely';
import type Stripe from 'stripe';
import type { FlexChargeCallLog } from '../../adapters/flexcharge/call-log.js';
import { createFlexChargeClient } from '../../adapters/flexcharge/flexcharge-client.js';
import { createFlexChargeRescueProvider } from '../../adapters/flexcharge/flexcharge-rescue-provider.js';
import { createFlexChargeWebhookReceiver } from '../../adapters/flexcharge/flexcharge-webhook-receiver.js';
import type { StripeCallObserver } from '../../adapters/stripe/observed-http-client.js';
import { createStripeBillingAdapter } from '../../adapters/stripe/stripe-billing-adapter.js';
import { createStripeClient } from '../../adapters/stripe/stripe-config.js';
import type { BillingEngineAdapter } from '../core/billing-engine.js';
import type { Clock } from '../core/clock.js';
import { type ConcurrencyLimit, createConcurrencyLimit } from '../core/concurrency-limit.js';
import { NotFoundError, ProviderError, SignatureError } from '../core/errors.js';
import type { MerchantPolicy } from '../core/merchant-policy.js';
import type {
  FlowProfile,
  MerchantDirectory,
  MerchantProfile,
  MerchantRuntime,
  ProviderForUse,
} from '../core/merchant-runtime.js';
import {
  FLEXCHARGE_ENVIRONMENTS,
  type FlexChargeEnvironment,
  MERCHANT_FLOWS,
  type MerchantFlow,
  type WriteBackMode,
} from '../core/merchant-settings.js';
import type { VerifiedProviderWebhook } from '../http/webhook-routes.js';
import type { SecretBox } from '../security/secret-box.js';
import {
  createMerchantRepository,
  type FlexChargeCredentialsForUse,
  type MerchantDetails,
} from '../storage/merchant-repository.js';
import type { Database } from '../storage/schema.js';
import type { FlexChargeHosts } from './flexcharge-hosts.js';

/** A stored merchant's runtime plus what its webhook routes verify with. */
export interface StoredMerchantRuntime extends MerchantRuntime {
  /** Verifies a FlexCharge webhook with each environment's subscriber key; says which one signed it. */
  verifyFlexChargeWebhook(
    rawBody: Buffer,
    headers: Readonly<Record<string, string | string[] | undefined>>,
    host: string,
  ): VerifiedProviderWebhook & { environment: FlexChargeEnvironment };
}

export interface StoredMerchantDirectory extends MerchantDirectory {
  resolve(merchantId: string): Promise<StoredMerchantRuntime>;
  /** The merchant a Connect account's events belong to, or null. */
  merchantForStripeAccount(accountId: string): Promise<string | null>;
}

/** The Stripe the process itself talks to: the configured key, or the bundled emulator. */
export interface SharedStripe {
  readonly stripe: Stripe;
  readonly secretKey: string;
  readonly apiBase: string | undefined;
  readonly webhookSecret: string;
  /** For the merchant with no connection stored (the one configured from the environment). */
  readonly writeBackMode: WriteBackMode;
}

export interface StoredDirectoryDeps {
  db: Kysely<Database>;
  box: SecretBox;
  clock: Clock;
  policy: MerchantPolicy;
  hosts: FlexChargeHosts;
  flexcharge: {
    timeoutMs: number;
    maxRetries: number;
    callLog: FlexChargeCallLog;
    /** Requests open at once per FlexCharge host, across every merchant (FLEXCHARGE_HOST_CONCURRENCY). */
    concurrencyPerHost?: number;
  };
  stripe: SharedStripe;
  /** Told of every Stripe HTTP attempt of the merchants' own clients, for metrics. */
  observeStripe?: StripeCallObserver | undefined;
  /** How long a built runtime is trusted before its fingerprint is checked again; default 1 s. */
  refreshMs?: number;
}

const NO_FLOW: FlowProfile = { mode: 'off', environment: 'sandbox' };

/**
 * Merchants as stored, each built into its adapters once and cached. Every resolve past `refreshMs`
 * compares the merchant's fingerprint (one small query), so a change of credentials, flows or sites
 * takes effect in every process without a restart. Secrets are opened only here, into the clients.
 */
export function createStoredMerchantDirectory(deps: StoredDirectoryDeps): StoredMerchantDirectory {
  const repository = createMerchantRepository(deps.db, deps.box);
  const refreshMs = deps.refreshMs ?? 1000;
  const hostLimits = new Map<string, ConcurrencyLimit>();
  const cache = new Map<
    string,
    { fingerprint: string; checkedAt: number; runtime: Promise<StoredMerchantRuntime> }
  >();

  async function build(merchantId: string): Promise<StoredMerchantRuntime> {
    const details = await repository.getMerchant(merchantId);
    if (!details) throw new NotFoundError(`unknown merchant ${merchantId}`);
    const credentials = new Map<FlexChargeEnvironment, FlexChargeCredentialsForUse>();
    for (const environment of FLEXCHARGE_ENVIRONMENTS) {
      const c = await repository.flexChargeCredentialsForUse(merchantId, environment);
      if (c) credentials.set(environment, c);
    }
    const profile = profileOf(details, credentials);
    const providers = new Map<FlexChargeEnvironment, ProviderForUse>();
    for (const [environment, c] of credentials) providers.set(environment, providerFor(merchantId, c));
    const engine = await stripeEngine(details);
    const receivers = [...credentials.values()]
      .filter((c) => c.webhookKey)
      .map((c) => ({
        environment: c.environment,
        receiver: createFlexChargeWebhookReceiver({
          subscriberKey: c.webhookKey?.reveal(),
          clock: deps.clock,
        }),
      }));
    return {
      merchantId,
      policy: deps.policy,
      profile,
      provider: (environment) => providers.get(environment) ?? missingCredentials(merchantId, environment),
      engine(engineId) {
        if (engineId !== engine.id) throw new NotFoundError(`billing engine ${engineId} is not configured`);
        return engine;
      },
      verifyFlexChargeWebhook(rawBody, headers, host) {
        if (receivers.length === 0)
          throw new SignatureError(`merchant ${merchantId} has no FlexCharge webhook key stored`);
        let last: unknown;
        for (const { environment, receiver } of receivers) {
          try {
            return { ...receiver.verify(rawBody, headers, host), environment };
          } catch (err) {
            last = err;
          }
        }
        throw last;
      },
    };
  }

  function providerFor(merchantId: string, c: FlexChargeCredentialsForUse): ProviderForUse {
    const client = createFlexChargeClient({
      baseUrl: deps.hosts[c.environment],
      environment: c.environment,
      credentials: { appKey: c.appKey.reveal(), appSecret: c.appSecret.reveal() },
      mid: c.mid,
      merchantId,
      timeoutMs: deps.flexcharge.timeoutMs,
      maxRetries: deps.flexcharge.maxRetries,
      clock: deps.clock,
      callLog: deps.flexcharge.callLog,
      ...(deps.flexcharge.concurrencyPerHost
        ? {
            fetchImpl: limitedFetch(hostLimit(deps.hosts[c.environment], deps.flexcharge.concurrencyPerHost)),
          }
        : {}),
    });
    return createFlexChargeRescueProvider({ client, environment: c.environment, mid: c.mid });
  }

  /** One limit per host, shared by every merchant's client that calls it. */
  function hostLimit(baseUrl: string, max: number): ConcurrencyLimit {
    const host = new URL(baseUrl).host;
    let limit = hostLimits.get(host);
    if (!limit) {
      limit = createConcurrencyLimit(max);
      hostLimits.set(host, limit);
    }
    return limit;
  }

  /**
   * The merchant's own Stripe key; a Connect account on the platform's (the process's) key; or, with
   * no connection stored, the process's Stripe itself (the single-merchant installation).
   */
  async function stripeEngine(details: MerchantDetails): Promise<BillingEngineAdapter> {
    const metadataKeys = { site: details.siteMetadataKey, orderChannel: details.orderChannelMetadataKey };
    const connection = await repository.engineConnectionForUse(details.id, 'stripe');
    if (!connection) {
      const { stripe, webhookSecret, writeBackMode } = deps.stripe;
      return createStripeBillingAdapter({
        stripe,
        webhookSecret,
        clock: deps.clock,
        metadataKeys,
        writeBackMode,
      });
    }
    const stripe = createStripeClient({
      secretKey: connection.apiKey?.reveal() ?? deps.stripe.secretKey,
      apiBase: deps.stripe.apiBase,
      ...(connection.stripeAccountId ? { stripeAccount: connection.stripeAccountId } : {}),
      observe: deps.observeStripe,
    });
    const webhookSecret = connection.webhookSecret?.reveal();
    const adapter = createStripeBillingAdapter({
      stripe,
      webhookSecret: webhookSecret ?? '',
      clock: deps.clock,
      metadataKeys,
      writeBackMode: connection.writeBackMode,
    });
    if (webhookSecret) return adapter;
    return {
      ...adapter,
      verifyWebhook() {
        throw new SignatureError(
          `merchant ${details.id} has no Stripe webhook secret stored (Connect events arrive at /webhooks/stripe-connect)`,
        );
      },
    };
  }

  return {
    async resolve(merchantId) {
      const now = Date.now();
      const cached = cache.get(merchantId);
      if (cached && now - cached.checkedAt < refreshMs) return cached.runtime;
      const fingerprint = await repository.fingerprint(merchantId).catch((err: unknown) => {
        cache.delete(merchantId);
        throw err;
      });
      if (cached && cached.fingerprint === fingerprint) {
        cached.checkedAt = now;
        return cached.runtime;
      }
      const runtime = build(merchantId);
      cache.set(merchantId, { fingerprint, checkedAt: now, runtime });
      runtime.catch(() => cache.delete(merchantId));
      return runtime;
    },
    merchantForStripeAccount: (accountId) => repository.merchantIdForStripeAccount(accountId),
  };
}

function profileOf(
  details: MerchantDetails,
  credentials: ReadonlyMap<FlexChargeEnvironment, FlexChargeCredentialsForUse>,
): MerchantProfile {
  const flows = Object.fromEntries(
    MERCHANT_FLOWS.map((flow) => {
      const stored = details.flows.find((f) => f.flow === flow);
      return [flow, stored ? { mode: stored.mode, environment: stored.environment } : NO_FLOW];
    }),
  ) as Record<MerchantFlow, FlowProfile>;
  const credentialSites: MerchantProfile['credentialSites'] = Object.fromEntries(
    [...credentials.values()].map((c) => [
      c.environment,
      { siteId: c.defaultSiteId, siteUrl: c.defaultSiteUrl },
    ]),
  );
  return {
    merchantId: details.id,
    flows,
    sites: details.sites,
    credentialSites,
    environments: new Set(credentials.keys()),
  };
}

/** `fetch` that waits for a turn under `limit`; the turn ends when the response's headers are in. */
function limitedFetch(limit: ConcurrencyLimit): typeof fetch {
  return (input, init) => limit.run(() => fetch(input, init));
}

function missingCredentials(merchantId: string, environment: FlexChargeEnvironment): ProviderForUse {
  const fail = async (): Promise<never> => {
    throw new ProviderError(
      'flexcharge',
      `merchant ${merchantId} has no FlexCharge ${environment} credentials`,
      { retryable: false },
    );
  };
  return {
    id: 'flexcharge',
    acceptsAmount: () => false,
    submitRenewal: fail,
    outcome: fail,
    cancel: fail,
    refund: fail,
    transmit: fail,
    previewRenewal: () => ({ body: {}, problems: [`no FlexCharge ${environment} credentials`] }),
    previewTransmit: () => ({ body: {}, problems: [`no FlexCharge ${environment} credentials`] }),
  };
}
