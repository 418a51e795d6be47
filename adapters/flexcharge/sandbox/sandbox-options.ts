import type { Clock } from '../../../plugin/core/clock.js';
import type { BillingFieldsProfile, RequiredFieldsProfile } from './contract/required-fields.js';
import { assertUsableCredentials, DEMO_CREDENTIAL, type SandboxCredential } from './sandbox-credentials.js';

/** Where the sandbox posts webhooks, and the key it signs them with (the portal's subscriber key). */
export interface SandboxWebhookTarget {
  /** Listener URL; its host (with port) is part of the signature (contract §9.4). */
  url: string;
  /** Base64 subscriber key, as the FlexCharge portal shows it. */
  subscriberKey: string;
}

export type SandboxErrorShape = 'problem' | 'flat';

/** What cancelling a Completed order does (README "Behaviour switches"); the contract does not say. */
export type CancelCompletedBehaviour = 'refuse' | 'accept';
/** What a refund of an order with nothing left to refund answers; the contract does not say. */
export type RefundRefundedBehaviour = 'refuse' | 'replay';

export interface FlexChargeSandboxOptions {
  /** Every time the sandbox reads (token expiry, decisions, expiry, retries, signatures) comes from here. */
  clock: Clock;
  /** Accepted credentials. Default: `[DEMO_CREDENTIAL]`. */
  credentials?: SandboxCredential[];
  /** Webhook target; may be set later with `setWebhook` or `PUT /_sandbox/webhook`. */
  webhook?: SandboxWebhookTarget;
  /** How long after evaluate a managed MIT is decided. Default 30 000 ms. */
  decisionDelayMs?: number;
  /**
   * Share (0..1) of rescuable MITs that end APPROVED. Default 1. Deterministic: decided by a hash of
   * the merchant orderId, so the same orderId always meets the same fate.
   */
  approvalRate?: number;
  /**
   * Shape of 400 validation bodies. Default `problem`: the documented ValidationProblemDetails.
   * `flat`: `{TraceId:[..], Field:[..]}` as the 2024 sandbox answered (contract §10).
   */
  errorShape?: SandboxErrorShape;
  /**
   * Which contract version's required fields evaluate and transmit need. Default `union`: every field
   * any version required (contract §15.1). `latest`: the newest pages' set (contract/required-fields.ts).
   */
  requiredFields?: RequiredFieldsProfile;
  /** Address fields a billing (or shipping) address needs. Default `full` (§6.4); `country_postal`. */
  billingFields?: BillingFieldsProfile;
  /**
   * Cancel of a Completed order. Default `refuse`: 409, refund instead. `accept`: 200 with an empty
   * body like any cancel, though the money stays collected and the order stays Completed.
   */
  cancelCompleted?: CancelCompletedBehaviour;
  /**
   * Refund of an order with nothing left to refund (Returned). Default `refuse`: the FAILED body with
   * a maximum of 0.00. `replay`: the last refund's SUCCESS body again; nothing is refunded twice.
   */
  refundRefunded?: RefundRefundedBehaviour;
  /** Access-token lifetime. Default 600 000 ms (10 minutes, contract §2). */
  tokenTtlMs?: number;
  /**
   * Real milliseconds every `/v1` request waits before it is handled: FlexCharge's processing time
   * plus the network, which a local sandbox otherwise lacks. Default 0. For benchmarks (README).
   */
  latencyMs?: number;
  /** Used to deliver webhooks. Default: the global `fetch`. */
  fetchImpl?: typeof fetch;
  /** One line per notable event (orders decided, webhooks given up). Default: silent. */
  log?: (line: string) => void;
  /**
   * A JSON file the sandbox keeps its state in (README "State"): read at creation, written shortly
   * after each change and at `close`. Default: none, the state lives in memory only.
   */
  stateFile?: string;
}

export interface ResolvedSandboxOptions {
  readonly clock: Clock;
  readonly credentials: readonly SandboxCredential[];
  readonly decisionDelayMs: number;
  readonly approvalRate: number;
  readonly errorShape: SandboxErrorShape;
  readonly requiredFields: RequiredFieldsProfile;
  readonly billingFields: BillingFieldsProfile;
  readonly cancelCompleted: CancelCompletedBehaviour;
  readonly refundRefunded: RefundRefundedBehaviour;
  readonly tokenTtlMs: number;
  readonly latencyMs: number;
  readonly fetchImpl: typeof fetch;
  readonly log: (line: string) => void;
}

export const SANDBOX_DEFAULTS = {
  decisionDelayMs: 30_000,
  approvalRate: 1,
  errorShape: 'problem',
  requiredFields: 'union',
  billingFields: 'full',
  cancelCompleted: 'refuse',
  refundRefunded: 'refuse',
  tokenTtlMs: 600_000,
  latencyMs: 0,
} as const;

/** Fills in defaults and refuses options that could only produce a broken sandbox. */
export function resolveSandboxOptions(opts: FlexChargeSandboxOptions): ResolvedSandboxOptions {
  const credentials = opts.credentials ?? [DEMO_CREDENTIAL];
  assertUsableCredentials(credentials);
  const approvalRate = opts.approvalRate ?? SANDBOX_DEFAULTS.approvalRate;
  if (!(approvalRate >= 0 && approvalRate <= 1)) throw new RangeError('approvalRate must be within 0..1');
  const decisionDelayMs = opts.decisionDelayMs ?? SANDBOX_DEFAULTS.decisionDelayMs;
  if (!(decisionDelayMs >= 0)) throw new RangeError('decisionDelayMs must be 0 or more');
  const tokenTtlMs = opts.tokenTtlMs ?? SANDBOX_DEFAULTS.tokenTtlMs;
  if (!(tokenTtlMs > 0)) throw new RangeError('tokenTtlMs must be positive');
  const latencyMs = opts.latencyMs ?? SANDBOX_DEFAULTS.latencyMs;
  if (!(latencyMs >= 0)) throw new RangeError('latencyMs must be 0 or more');
  return {
    clock: opts.clock,
    credentials,
    decisionDelayMs,
    approvalRate,
    errorShape: opts.errorShape ?? SANDBOX_DEFAULTS.errorShape,
    requiredFields: opts.requiredFields ?? SANDBOX_DEFAULTS.requiredFields,
    billingFields: opts.billingFields ?? SANDBOX_DEFAULTS.billingFields,
    cancelCompleted: opts.cancelCompleted ?? SANDBOX_DEFAULTS.cancelCompleted,
    refundRefunded: opts.refundRefunded ?? SANDBOX_DEFAULTS.refundRefunded,
    tokenTtlMs,
    latencyMs,
    fetchImpl: opts.fetchImpl ?? ((input, init) => fetch(input, init)),
    log: opts.log ?? (() => {}),
  };
}

/** Throws unless the target is an http(s) URL and a non-empty base64 key, so a typo fails when set, not on delivery. */
export function assertWebhookTarget(target: SandboxWebhookTarget): void {
  const url = new URL(target.url);
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw new TypeError(`webhook url must be http(s), not ${url.protocol}`);
  }
  if (!/^[A-Za-z0-9+/]+={0,2}$/.test(target.subscriberKey)) {
    throw new TypeError('webhook subscriberKey must be base64, as the portal shows it');
  }
}
