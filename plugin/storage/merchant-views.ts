import type { MerchantSite } from '../core/merchant-runtime.js';
import type {
  FlexChargeEnvironment,
  FlowMode,
  MerchantEngine,
  MerchantFlow,
  WriteBackMode,
} from '../core/merchant-settings.js';
import type { SecretValue } from '../security/secret-value.js';
import type { siteInput } from './merchant-input.js';

/** What the merchant repository returns: redacted views, values for use, and the site row mapping. */

/**
 * What a read shows of a secret: that it is set, the key that sealed it, and its last four characters
 * when the secret is long enough for four to give nothing away (and the key is at hand to open it).
 */
export interface RedactedSecret {
  readonly last4: string | null;
  readonly keyId: string;
  /** False when the configured keys cannot open it: rotate, or restore the previous key. */
  readonly readable: boolean;
}

export interface Merchant {
  readonly id: string;
  readonly name: string;
  /** The metadata key naming a transaction's site (default `flexcharge_site`). */
  readonly siteMetadataKey: string;
  /** The metadata key naming an order's channel (default `order_channel`). */
  readonly orderChannelMetadataKey: string;
  readonly createdAt: Date;
  readonly updatedAt: Date;
}

export interface RedactedCredentials {
  readonly environment: FlexChargeEnvironment;
  readonly appKey: RedactedSecret;
  readonly appSecret: RedactedSecret;
  readonly mid: string;
  readonly webhookKey: RedactedSecret | null;
  readonly defaultSiteId: string | null;
  readonly defaultSiteUrl: string | null;
  readonly updatedAt: Date;
}

export interface FlowProfile {
  readonly flow: MerchantFlow;
  readonly mode: FlowMode;
  readonly environment: FlexChargeEnvironment;
  readonly updatedAt: Date;
}

/** A stored site: what the workflow decides with, and when it last changed. */
export interface Site extends MerchantSite {
  readonly updatedAt: Date;
}

export interface RedactedEngineConnection {
  readonly engine: MerchantEngine;
  readonly apiKey: RedactedSecret | null;
  readonly webhookSecret: RedactedSecret | null;
  readonly stripeAccountId: string | null;
  readonly writeBackMode: WriteBackMode;
  readonly updatedAt: Date;
}

/** A merchant with all its parts, secrets redacted: what any API, log or listing may show. */
export interface MerchantDetails extends Merchant {
  readonly credentials: readonly RedactedCredentials[];
  readonly flows: readonly FlowProfile[];
  readonly sites: readonly Site[];
  readonly engines: readonly RedactedEngineConnection[];
}

/** Decrypted FlexCharge credentials, for building the client of one merchant and environment. */
export interface FlexChargeCredentialsForUse {
  readonly merchantId: string;
  readonly environment: FlexChargeEnvironment;
  readonly appKey: SecretValue;
  readonly appSecret: SecretValue;
  readonly mid: string;
  readonly webhookKey: SecretValue | null;
  readonly defaultSiteId: string | null;
  readonly defaultSiteUrl: string | null;
}

/** Decrypted engine connection, for building the billing-engine adapter of one merchant. */
export interface EngineConnectionForUse {
  readonly merchantId: string;
  readonly engine: MerchantEngine;
  readonly apiKey: SecretValue | null;
  readonly webhookSecret: SecretValue | null;
  readonly stripeAccountId: string | null;
  readonly writeBackMode: WriteBackMode;
  /** The webhook endpoint `install` created for this connection; null when set by hand. */
  readonly webhookEndpointId: string | null;
}

/** The columns of a site's fields; `is_default` is the repository's, set with the previous default's. */
export function siteColumns(s: ReturnType<typeof siteInput.parse>) {
  return {
    url: s.url,
    statement_descriptor: s.statementDescriptor,
    flexcharge_sandbox_site_id: s.flexchargeSiteIds.sandbox,
    flexcharge_production_site_id: s.flexchargeSiteIds.production,
    mit_enabled: s.enabled.mit,
    cit_website_enabled: s.enabled.cit_website,
    cit_call_center_enabled: s.enabled.cit_call_center,
  };
}

export function siteFromRow(r: {
  id: string;
  url: string | null;
  statement_descriptor: string | null;
  flexcharge_sandbox_site_id: string | null;
  flexcharge_production_site_id: string | null;
  mit_enabled: boolean;
  cit_website_enabled: boolean;
  cit_call_center_enabled: boolean;
  is_default: boolean;
  updated_at: Date;
}): Site {
  return {
    id: r.id,
    url: r.url,
    statementDescriptor: r.statement_descriptor,
    flexchargeSiteIds: {
      ...(r.flexcharge_sandbox_site_id === null ? {} : { sandbox: r.flexcharge_sandbox_site_id }),
      ...(r.flexcharge_production_site_id === null ? {} : { production: r.flexcharge_production_site_id }),
    },
    enabled: {
      mit: r.mit_enabled,
      cit_website: r.cit_website_enabled,
      cit_call_center: r.cit_call_center_enabled,
    },
    isDefault: r.is_default,
    updatedAt: r.updated_at,
  };
}

export function merchantFromRow(r: {
  id: string;
  name: string;
  site_metadata_key: string;
  order_channel_metadata_key: string;
  created_at: Date;
  updated_at: Date;
}): Merchant {
  return {
    id: r.id,
    name: r.name,
    siteMetadataKey: r.site_metadata_key,
    orderChannelMetadataKey: r.order_channel_metadata_key,
    createdAt: r.created_at,
    updatedAt: r.updated_at,
  };
}
