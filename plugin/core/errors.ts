/**
 * The plugin's error family. A decline is a value, never an error; these are faults.
 * Only the HTTP error middleware turns them into status codes.
 */
export type ErrorCode =
  | 'config_invalid'
  | 'signature_invalid'
  | 'validation_failed'
  | 'not_found'
  | 'unauthorized'
  | 'forbidden'
  | 'invalid_transition'
  | 'conflict'
  | 'provider_error'
  | 'lease_lost';

export class PluginError extends Error {
  readonly code: ErrorCode;

  constructor(code: ErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = new.target.name;
    this.code = code;
  }
}

/** A configuration value is missing or wrong; the process must not start. */
export class ConfigError extends PluginError {
  constructor(
    message: string,
    readonly issues: readonly ConfigIssue[] = [],
  ) {
    super('config_invalid', message);
  }
}

export interface ConfigIssue {
  /** The environment variable, e.g. `RESCUE_EXPIRY_DAYS`. */
  readonly variable: string;
  readonly message: string;
}

/** A webhook's signature, timestamp or nonce did not verify. Never retryable: the sender must fix it. */
export class SignatureError extends PluginError {
  constructor(message: string, options?: { cause?: unknown }) {
    super('signature_invalid', message, options);
  }
}

/** Input failed validation; `fields` maps a dotted path to its messages. */
export class ValidationError extends PluginError {
  constructor(
    message: string,
    readonly fields: Readonly<Record<string, readonly string[]>> = {},
    options?: { cause?: unknown },
  ) {
    super('validation_failed', message, options);
  }
}

export class NotFoundError extends PluginError {
  constructor(message: string, options?: { cause?: unknown }) {
    super('not_found', message, options);
  }
}

/** The request carries no credentials, or ones that are wrong, unknown or revoked. */
export class UnauthorizedError extends PluginError {
  constructor(message: string) {
    super('unauthorized', message);
  }
}

/** The credentials are good but may not do this (a merchant's key on a partner-only route). */
export class ForbiddenError extends PluginError {
  constructor(message: string) {
    super('forbidden', message);
  }
}

export class InvalidTransitionError extends PluginError {
  constructor(
    readonly from: string,
    readonly to: string,
  ) {
    super('invalid_transition', `cannot move from ${from} to ${to}`);
  }
}

export class ConflictError extends PluginError {
  constructor(message: string, options?: { cause?: unknown }) {
    super('conflict', message, options);
  }
}

/**
 * An outside system (FlexCharge, the billing engine) failed. `retryable` says whether the same call
 * may succeed later (network, timeout, 429, 5xx) or needs a fix first (validation, auth, conflict).
 */
export class ProviderError extends PluginError {
  readonly provider: string;
  readonly retryable: boolean;
  readonly statusCode: number | undefined;
  /** The provider's id for the request (trace id, request id), for support tickets. */
  readonly providerRequestId: string | undefined;
  /** How long the provider asked us to wait (`Retry-After`), in milliseconds, when it said. */
  readonly retryAfterMs: number | undefined;

  constructor(
    provider: string,
    message: string,
    details: {
      retryable: boolean;
      statusCode?: number | undefined;
      providerRequestId?: string | undefined;
      retryAfterMs?: number | undefined;
      cause?: unknown;
    },
  ) {
    super('provider_error', message, { cause: details.cause });
    this.provider = provider;
    this.retryable = details.retryable;
    this.statusCode = details.statusCode;
    this.providerRequestId = details.providerRequestId;
    this.retryAfterMs = details.retryAfterMs;
  }

  /** The provider refused the call for our request rate (429): a reason to slow down, not a fault. */
  get rateLimited(): boolean {
    return this.statusCode === 429;
  }
}

/**
 * This worker no longer holds the row it was working on: another worker may have claimed it. The
 * step stops before its next outside call and records nothing; the holder does the work.
 */
export class LeaseLostError extends PluginError {
  constructor(message: string) {
    super('lease_lost', message);
  }
}
