import type { BillingEngineAdapter } from './billing-engine.js';
import type { MerchantPolicy } from './merchant-policy.js';
import type { FlexChargeEnvironment, FlowMode, MerchantFlow } from './merchant-settings.js';
import type { RescueProvider } from './rescue-provider.js';

/** FlexCharge for one of the merchant's environments, with the amounts it takes. */
export type ProviderForUse = RescueProvider & { acceptsAmount(amount: number, currency: string): boolean };

/** How one flow is switched: its mode and the FlexCharge environment its calls go to. */
export interface FlowProfile {
  readonly mode: FlowMode;
  readonly environment: FlexChargeEnvironment;
}

/** One of the merchant's sites, with FlexCharge switched on or off per flow (per website or campaign). */
export interface MerchantSite {
  /** Our id (merchant_sites.id). */
  readonly id: string;
  readonly url: string | null;
  readonly statementDescriptor: string | null;
  /**
   * FlexCharge's site id under the merchant's MID, per environment: sandbox and production are
   * separate FlexCharge accounts, so the same website has a different id in each.
   */
  readonly flexchargeSiteIds: Readonly<Partial<Record<FlexChargeEnvironment, string>>>;
  readonly enabled: Readonly<Record<MerchantFlow, boolean>>;
  /** Used when nothing on a transaction names its site; one per merchant at most. */
  readonly isDefault: boolean;
}

/** The merchant's stored settings the workflow decides with; no secrets. */
export interface MerchantProfile {
  readonly merchantId: string;
  /** A flow never configured is off. */
  readonly flows: Readonly<Record<MerchantFlow, FlowProfile>>;
  readonly sites: readonly MerchantSite[];
  /** The site id and URL given with each environment's credentials, used when no site is resolved. */
  readonly credentialSites: Readonly<
    Partial<Record<FlexChargeEnvironment, { siteId: string | null; siteUrl: string | null }>>
  >;
  /** The environments the merchant holds FlexCharge credentials for. */
  readonly environments: ReadonlySet<FlexChargeEnvironment>;
}

/** Everything the worker needs to act for one merchant: its engines, its FlexCharge, its settings. */
export interface MerchantRuntime {
  readonly merchantId: string;
  readonly policy: MerchantPolicy;
  readonly profile: MerchantProfile;
  /** FlexCharge in one environment; calls throw a non-retryable `ProviderError` without credentials. */
  provider(environment: FlexChargeEnvironment): ProviderForUse;
  engine(engineId: string): BillingEngineAdapter;
}

/** Finds a merchant's runtime; built from storage and rebuilt when the merchant's settings change. */
export interface MerchantDirectory {
  /** Throws `NotFoundError` for an unknown merchant. */
  resolve(merchantId: string): Promise<MerchantRuntime>;
}
