import type { ColumnType, Generated, JSONColumnType } from 'kysely';
import type {
  FlexChargeEnvironment,
  FlowMode,
  MerchantEngine,
  MerchantFlow,
  OrderSource,
  RunMode,
  WriteBackMode,
} from '../core/merchant-settings.js';
import type { RescueState } from '../core/rescue-states.js';

/** The Postgres schema every table of the plugin lives in, so it can share a merchant's database. */
export const SCHEMA = 'flexcharge_mit';

type Timestamp = ColumnType<Date, Date | string, Date | string>;

/** One row per HTTP attempt against FlexCharge, with card data and secrets redacted. */
export interface FlexchargeCallsTable {
  id: Generated<number>;
  started_at: Timestamp;
  environment: string;
  operation: string;
  method: string;
  path: string;
  attempt: number;
  /** `ok`, `http_error`, `network_error` or `timeout`. */
  outcome: string;
  status_code: number | null;
  error_class: string | null;
  retryable: boolean | null;
  duration_ms: number;
  idempotency_key: string | null;
  trace_id: string | null;
  request_body: JSONColumnType<object> | null;
  response_body: JSONColumnType<object> | null;
  merchant_id: string | null;
  flow: string | null;
  site_id: string | null;
}

/** A verified webhook waiting for (or done with) processing; unique per (source, event_id). */
export interface InboxEventsTable {
  id: Generated<number>;
  source: string;
  merchant_id: string;
  event_id: string;
  event_type: string;
  payload: JSONColumnType<object>;
  received_at: Timestamp;
  processed_at: Timestamp | null;
  attempts: Generated<number>;
  next_attempt_at: Timestamp;
  last_error: string | null;
  locked_by: string | null;
  locked_until: Timestamp | null;
  /** The signed bytes, when `payload` had to be made storable or the event is quarantined. */
  raw_body: Uint8Array | null;
  /** Set when the event is kept but never processed: its id or type could not be stored as sent. */
  quarantine_reason: string | null;
  /** A FlexCharge webhook: the environment whose subscriber key verified it. */
  environment: FlexChargeEnvironment | null;
}

export interface RescuesTable {
  id: Generated<string>;
  merchant_id: string;
  engine: string;
  invoice_id: string;
  subscription_id: string | null;
  customer_id: string | null;
  state: RescueState;
  ineligible_reason: string | null;
  amount: number | null;
  currency: string | null;
  failed_at: Timestamp;
  engine_initiated: boolean | null;
  failed_charge_id: string | null;
  decline_code: string | null;
  /** The engine's message for the decline (migration 0014). */
  decline_message: string | null;
  site: string | null;
  flexcharge_order_id: string | null;
  flexcharge_status: string | null;
  confirmation_id: string | null;
  expires_at: Timestamp | null;
  hold_applied_at: Timestamp | null;
  previous_auto_advance: boolean | null;
  outcome_at: Timestamp | null;
  written_back_at: Timestamp | null;
  state_before_attention: RescueState | null;
  /** Our hold is on the invoice and not yet given back. */
  hold_active: Generated<boolean>;
  /** FlexCharge has (or may have) an order for this invoice without a final word yet. */
  order_open: Generated<boolean>;
  /** The final state `releasing` ends in: `released`, or `declined` when FlexCharge refused at once. */
  release_as: 'released' | 'declined' | null;
  /** A wake arrived while the row was leased: the step's holder must look again at once. */
  wake_pending: Generated<boolean>;
  /** Idempotency key of the write-back sent to the engine; replaying it tells ours from anyone's. */
  write_back_key: string | null;
  /** What FlexCharge said it collected, in the rescue's currency, when it said. */
  collected_amount: number | null;
  /** What was done after the release when the engine scheduled no further attempt. */
  release_fallback: string | null;
  /** The flow it runs under; rows from before 0008 are `mit`. */
  flow: Generated<MerchantFlow>;
  /** The FlexCharge environment, pinned when first prepared; null until then (and for old rows). */
  environment: FlexChargeEnvironment | null;
  /** `shadow`: the request is built and recorded, nothing is called. Null until prepared. */
  mode: RunMode | null;
  /** The merchant's site it was resolved to (merchant_sites.id). */
  site_id: string | null;
  order_source: OrderSource | null;
  /** A CIT evaluate answered CHALLENGE: the key the merchant's checkout presents it with. */
  order_session_key: string | null;
  /** Shadow mode: the evaluate request that would have been sent, card token redacted. */
  shadow_request: JSONColumnType<object> | null;
  /** When FlexCharge first took the order (entered `held` or `challenged`); null if never handed over. */
  handed_off_at: Timestamp | null;
  /** The billing engine's reference of the write-back: the invoice payment or payment record id. */
  write_back_reference: string | null;
  /** A conflict: FlexCharge's refund reference, and when the refund was confirmed. */
  refund_reference: string | null;
  refunded_at: Timestamp | null;
  next_action_at: Timestamp | null;
  attempts: Generated<number>;
  last_error: string | null;
  locked_by: string | null;
  locked_until: Timestamp | null;
  created_at: Timestamp;
  updated_at: Timestamp;
}

export interface RescueEventsTable {
  id: Generated<number>;
  rescue_id: string;
  at: Timestamp;
  from_state: RescueState | null;
  to_state: RescueState;
  note: string;
  details: JSONColumnType<object> | null;
}

export interface TransmissionsTable {
  id: Generated<number>;
  merchant_id: string;
  engine: string;
  charge_id: string;
  succeeded: boolean;
  amount: number;
  currency: string;
  /** `skipped`: the flow is off; `shadowed`: built and recorded, not sent. */
  state: 'pending' | 'sent' | 'failed' | 'skipped' | 'shadowed';
  transmit_id: string | null;
  attempts: Generated<number>;
  next_attempt_at: Timestamp | null;
  last_error: string | null;
  locked_by: string | null;
  locked_until: Timestamp | null;
  created_at: Timestamp;
  sent_at: Timestamp | null;
  flow: MerchantFlow | null;
  environment: FlexChargeEnvironment | null;
  site_id: string | null;
  order_source: OrderSource | null;
  shadow_request: JSONColumnType<object> | null;
}

export interface CardTokensTable {
  merchant_id: string;
  engine: string;
  payment_method_id: string;
  /** In clear only in rows from before encryption, until the start-up step seals them. */
  token: string | null;
  /** AES-256-GCM: nonce, ciphertext, tag (`plugin/security/secret-box.ts`). */
  token_ciphertext: Uint8Array | null;
  token_key_id: string | null;
  created_at: Timestamp;
}

export interface WebhookNoncesTable {
  source: string;
  nonce: string;
  seen_at: Timestamp;
}

export interface MerchantsTable {
  id: string;
  name: string;
  /** Metadata key naming a transaction's site (on the invoice, subscription, price or product). */
  site_metadata_key: Generated<string>;
  /** Metadata key naming an order's channel (`call_center` marks a call-center order). */
  order_channel_metadata_key: Generated<string>;
  created_at: Timestamp;
  updated_at: Timestamp;
}

/** Secrets as `<name>_ciphertext` (AES-256-GCM) plus `<name>_key_id`; never in clear. */
export interface MerchantFlexchargeCredentialsTable {
  merchant_id: string;
  environment: FlexChargeEnvironment;
  app_key_ciphertext: Uint8Array;
  app_key_key_id: string;
  app_secret_ciphertext: Uint8Array;
  app_secret_key_id: string;
  mid: string;
  webhook_key_ciphertext: Uint8Array | null;
  webhook_key_key_id: string | null;
  default_site_id: string | null;
  default_site_url: string | null;
  created_at: Timestamp;
  updated_at: Timestamp;
}

export interface MerchantFlowsTable {
  merchant_id: string;
  flow: MerchantFlow;
  mode: FlowMode;
  environment: FlexChargeEnvironment;
  created_at: Timestamp;
  updated_at: Timestamp;
}

export interface MerchantSitesTable {
  id: Generated<string>;
  merchant_id: string;
  url: string | null;
  statement_descriptor: string | null;
  /** FlexCharge's id of the site in each environment (separate accounts, so separate ids). */
  flexcharge_sandbox_site_id: string | null;
  flexcharge_production_site_id: string | null;
  mit_enabled: boolean;
  cit_website_enabled: boolean;
  cit_call_center_enabled: boolean;
  /** Used when nothing on a transaction names its site; one per merchant at most. */
  is_default: Generated<boolean>;
  created_at: Timestamp;
  updated_at: Timestamp;
}

export interface MerchantEngineConnectionsTable {
  merchant_id: string;
  engine: MerchantEngine;
  api_key_ciphertext: Uint8Array | null;
  api_key_key_id: string | null;
  webhook_secret_ciphertext: Uint8Array | null;
  webhook_secret_key_id: string | null;
  stripe_account_id: string | null;
  /** The webhook endpoint `install` created, whose secret is the one stored (migration 0015). */
  webhook_endpoint_id: string | null;
  /** How a rescued payment is written back to the invoice (see WriteBackMode). */
  write_back_mode: Generated<WriteBackMode>;
  created_at: Timestamp;
  updated_at: Timestamp;
}

/** A merchant's API key: only its SHA-256 is kept; the prefix (shown) finds the row. */
export interface MerchantApiKeysTable {
  id: Generated<string>;
  merchant_id: string;
  name: string;
  prefix: string;
  key_hash: Uint8Array;
  created_at: Timestamp;
  /** The actor that created it: `partner` or `key:<prefix>`. */
  created_by: string;
  last_used_at: Timestamp | null;
  revoked_at: Timestamp | null;
}

/** Who changed what; append-only (a trigger refuses UPDATE, DELETE and TRUNCATE). */
export interface AuditEntriesTable {
  id: Generated<number>;
  at: Timestamp;
  merchant_id: string | null;
  /** `partner` or `key:<prefix>`. */
  actor: string;
  /** `<subject>.<verb>`, e.g. `flow.updated`. */
  action: string;
  target: string | null;
  /** Redacted views: never a secret. */
  before: JSONColumnType<object> | null;
  after: JSONColumnType<object> | null;
}

/** The last "test connection" of one merchant's credentials in one environment. */
export interface CredentialChecksTable {
  merchant_id: string;
  environment: FlexChargeEnvironment;
  checked_at: Timestamp;
  ok: boolean;
  message: string;
}

/** A session of the onboarding pages; `id` is the SHA-256 of the cookie's value. */
export interface AdminSessionsTable {
  id: Uint8Array;
  principal: 'partner' | 'merchant';
  merchant_id: string | null;
  api_key_id: string | null;
  csrf_token: string;
  created_at: Timestamp;
  last_seen_at: Timestamp;
  expires_at: Timestamp;
}

/** Kysely's view of the tables, keyed by schema-qualified name. */
export interface Database {
  'flexcharge_mit.credential_checks': CredentialChecksTable;
  'flexcharge_mit.flexcharge_calls': FlexchargeCallsTable;
  'flexcharge_mit.inbox_events': InboxEventsTable;
  'flexcharge_mit.rescues': RescuesTable;
  'flexcharge_mit.rescue_events': RescueEventsTable;
  'flexcharge_mit.transmissions': TransmissionsTable;
  'flexcharge_mit.card_tokens': CardTokensTable;
  'flexcharge_mit.webhook_nonces': WebhookNoncesTable;
  'flexcharge_mit.merchants': MerchantsTable;
  'flexcharge_mit.merchant_flexcharge_credentials': MerchantFlexchargeCredentialsTable;
  'flexcharge_mit.merchant_flows': MerchantFlowsTable;
  'flexcharge_mit.merchant_sites': MerchantSitesTable;
  'flexcharge_mit.merchant_engine_connections': MerchantEngineConnectionsTable;
  'flexcharge_mit.merchant_api_keys': MerchantApiKeysTable;
  'flexcharge_mit.audit_entries': AuditEntriesTable;
  'flexcharge_mit.admin_sessions': AdminSessionsTable;
}
