import { isIP } from 'node:net';
import { z } from 'zod';
import { WRITE_BACK_MODES } from '../core/merchant-settings.js';

/**
 * Everything the plugin reads from the environment, in one place. Parsed once at start by
 * `loadConfig`; `manifest.json` carries this schema as JSON Schema (see `configJsonSchema`).
 */

const base64Bytes = (bytes: number | undefined, what: string) =>
  z
    .string()
    .regex(/^[A-Za-z0-9+/]+={0,2}$/, `must be base64 (${what})`)
    .refine((s) => bytes === undefined || Buffer.from(s, 'base64').length === bytes, {
      message: `must decode to ${bytes} bytes (${what})`,
    });

export const MIN_RESCUE_EXPIRY_DAYS = 14;
const HOST_NAME =
  /^(?=.{1,253}$)[A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?(\.[A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?)*$/;

export const configSchema = z
  .object({
    DATABASE_URL: z
      .url({ protocol: /^postgres(ql)?$/, error: 'must be a postgres:// or postgresql:// URL' })
      .optional()
      .describe('PostgreSQL connection string. Absent: an embedded PGlite database under DATA_DIR.'),
    DATA_DIR: z
      .string()
      .min(1)
      .default('./.data')
      .describe('Where the embedded database keeps its files when DATABASE_URL is absent.'),
    PORT: z.coerce
      .number({ error: 'must be a number' })
      .int()
      .min(0)
      .max(65535)
      .default(8080)
      .describe('HTTP port the plugin listens on (0: any free port).'),
    HOST: z
      .string()
      .refine((h) => isIP(h) !== 0 || HOST_NAME.test(h), 'must be an IP address or a host name')
      .default('0.0.0.0')
      .describe(
        'Address the plugin listens on. Default all interfaces (0.0.0.0), as a container needs; 127.0.0.1 keeps it to this machine.',
      ),
    PUBLIC_URL: z
      .url({ protocol: /^https?$/ })
      .optional()
      .describe(
        'The URL FlexCharge and the billing engine reach this plugin at; its host is part of the FlexCharge webhook signature.',
      ),
    ADMIN_TOKEN: z
      .string()
      .min(24, 'must be at least 24 characters')
      .optional()
      .describe('Bearer token for the admin API. Absent: the admin API is switched off.'),
    METRICS_TOKEN: z
      .string()
      .min(24, 'must be at least 24 characters')
      .optional()
      .describe(
        'Bearer token a Prometheus scraper presents at GET /metrics (the partner ADMIN_TOKEN is accepted too; merchant keys never are, as the metrics span every merchant). Neither set: /metrics is off (403).',
      ),
    LOG_LEVEL: z
      .enum(['debug', 'info', 'warn', 'error', 'silent'])
      .default('info')
      .describe('The least severe log entries written.'),
    LOG_FORMAT: z
      .enum(['json', 'text'])
      .default('json')
      .describe(
        '`json`: one JSON object per line on stdout, for a log collector; `text`: one readable line per entry, for a terminal.',
      ),
    ENCRYPTION_KEY: base64Bytes(32, '32 random bytes, e.g. `openssl rand -base64 32`')
      .optional()
      .describe(
        'Key that encrypts card tokens and credentials at rest (AES-256-GCM): 32 random bytes in base64. Required outside local; in local, generated once under DATA_DIR when unset.',
      ),
    ENCRYPTION_KEY_PREVIOUS: z
      .string()
      .refine(
        (list) =>
          list
            .split(',')
            .every((k) => /^[A-Za-z0-9+/]+={0,2}$/.test(k) && Buffer.from(k, 'base64').length === 32),
        'must be a comma-separated list of base64 keys of 32 bytes each',
      )
      .optional()
      .describe(
        'Keys ENCRYPTION_KEY replaced, comma-separated: secrets sealed under them still open, and `flexcharge-mit keys rotate` re-encrypts them under ENCRYPTION_KEY.',
      ),
    FLEXCHARGE_ENV: z
      .enum(['local', 'sandbox', 'production'])
      .default('local')
      .describe('Which FlexCharge to talk to. `local` starts the bundled sandbox in-process.'),
    FLEXCHARGE_BASE_URL: z
      .url({ protocol: /^https?$/ })
      .optional()
      .describe('Overrides the API base URL of the chosen environment (e.g. a standalone local sandbox).'),
    FLEXCHARGE_SANDBOX_URL: z
      .url({ protocol: /^https?$/ })
      .optional()
      .describe(
        "Where every merchant's FlexCharge sandbox calls go (default: FlexCharge's sandbox; with FLEXCHARGE_ENV=local, the bundled one).",
      ),
    FLEXCHARGE_PRODUCTION_URL: z
      .url({ protocol: /^https?$/ })
      .optional()
      .describe(
        "Where every merchant's FlexCharge production calls go (default: FlexCharge's production API; with FLEXCHARGE_ENV=local, the bundled sandbox).",
      ),
    FLEXCHARGE_APP_KEY: z.string().min(1).optional().describe('FlexCharge API key (AppKey).'),
    FLEXCHARGE_APP_SECRET: z.string().min(1).optional().describe('FlexCharge API secret (AppSecret).'),
    FLEXCHARGE_MID: z.uuid().optional().describe('FlexCharge merchant id (MID), a GUID.'),
    FLEXCHARGE_SITE_ID: z.uuid().optional().describe('FlexCharge site id, a GUID.'),
    FLEXCHARGE_WEBHOOK_KEY: base64Bytes(undefined, "the portal's subscriber key")
      .optional()
      .describe("The FlexCharge portal's base64 webhook subscriber key."),
    FLEXCHARGE_TIMEOUT_MS: z.coerce
      .number({ error: 'must be a number' })
      .int()
      .min(100)
      .max(120_000)
      .default(15_000)
      .describe('Per-call timeout for FlexCharge requests, in milliseconds.'),
    FLEXCHARGE_MAX_RETRIES: z.coerce
      .number({ error: 'must be a number' })
      .int()
      .min(0)
      .max(10)
      .default(3)
      .describe('Retries of a retryable FlexCharge failure (network, 429, 5xx) before giving up.'),
    RESCUE_EXPIRY_DAYS: z.coerce
      .number({ error: 'must be a number' })
      .int()
      .min(
        MIN_RESCUE_EXPIRY_DAYS,
        `must be at least ${MIN_RESCUE_EXPIRY_DAYS}: FlexCharge requires two weeks`,
      )
      .max(90)
      .default(21)
      .describe('How long FlexCharge may work a declined renewal (expiryDateUtc = now + this many days).'),
    FLEXCHARGE_SITE_URL: z
      .url({ protocol: /^https?$/ })
      .optional()
      .describe(
        'The website linked to the subscription descriptor, sent as siteUrl when no FLEXCHARGE_SITE_ID is set.',
      ),
    MIT_MODE: z
      .enum(['on', 'shadow', 'off'])
      .default('on')
      .describe(
        'MIT rescue for the merchant configured here; on as soon as FlexCharge credentials are given.',
      ),
    RESCUE_FRESHNESS_HOURS: z.coerce
      .number({ error: 'must be a number' })
      .positive()
      .max(72)
      .default(24)
      .describe(
        'A renewal failure older than this when it reaches the plugin is not handed over (FlexCharge wants same-day).',
      ),
    RESCUE_POLL_INTERVAL_MINUTES: z.coerce
      .number({ error: 'must be a number' })
      .positive()
      .default(360)
      .describe('How often a held rescue is polled with /outcome when no webhook has settled it.'),
    RESCUE_RELEASE_FALLBACK: z
      .enum(['retry_once', 'mark_uncollectible', 'none'])
      .default('retry_once')
      .describe(
        'After a release, when Stripe has scheduled no further attempt: one off-session payment attempt, mark the invoice uncollectible, or nothing.',
      ),
    RESCUE_NO_RETRY_DECLINE_CODES: z
      .string()
      .regex(/^[\w-]+(,[\w-]+)*$/, 'must be a comma-separated list of decline codes')
      .optional()
      .describe(
        'Decline codes never handed over (card networks forbid retrying them). Default: lost, stolen, pick-up, fraud, revoked authorization.',
      ),
    RETENTION_INBOX_DAYS: z.coerce
      .number({ error: 'must be a number' })
      .int()
      .min(1)
      .default(30)
      .describe('Days a processed webhook stays in the inbox; unprocessed ones are never pruned.'),
    RETENTION_CALL_LOG_DAYS: z.coerce
      .number({ error: 'must be a number' })
      .int()
      .min(1)
      .default(90)
      .describe(
        'Days the FlexCharge call log and quarantined webhooks are kept; calls made since the oldest open rescue began are kept regardless.',
      ),
    // Seven years is what many jurisdictions ask of accounting records (set your own obligation); the
    // floor covers card-network dispute windows, so a chargeback on a rescued payment can be answered.
    RETENTION_HISTORY_DAYS: z.coerce
      .number({ error: 'must be a number' })
      .int()
      .min(180, 'must be at least 180: a rescued payment can be disputed for 120 days and more')
      .default(2557)
      .describe(
        'Days a finished rescue and its history (and a settled /transmit report) are kept after their last change (default 7 years, for finance); open rescues and pending reports are never pruned.',
      ),
    STRIPE_SECRET_KEY: z
      .string()
      .regex(/^(sk|rk)_(test|live)_\w+$/, 'must be a Stripe secret or restricted key (sk_… or rk_…)')
      .optional()
      .describe('Stripe API key. Absent: the bundled Stripe emulator runs in-process.'),
    STRIPE_WEBHOOK_SECRET: z
      .string()
      .regex(/^whsec_\w+$/, 'must be a webhook signing secret (whsec_…)')
      .optional()
      .describe('The signing secret of the Stripe webhook endpoint that points at /webhooks/stripe.'),
    STRIPE_CONNECT_WEBHOOK_SECRET: z
      .string()
      .regex(/^whsec_\w+$/, 'must be a webhook signing secret (whsec_…)')
      .optional()
      .describe(
        "A Connect platform's endpoint secret: its connected accounts' events arrive at /webhooks/stripe-connect and `account` picks the merchant.",
      ),
    STRIPE_API_BASE: z
      .url({ protocol: /^https?$/ })
      .optional()
      .describe(
        'Where the Stripe SDK sends requests, e.g. a standalone emulator or a proxy. Absent: api.stripe.com.',
      ),
    STRIPE_WRITE_BACK_MODE: z
      .enum(WRITE_BACK_MODES)
      .default('paid_out_of_band')
      .describe(
        'How a rescued payment is written back to the Stripe invoice of the merchant configured here: marked `paid_out_of_band` with FlexCharge ids in metadata, or a `payment_record` processed by FlexCharge attached to it.',
      ),
    WORKER_INTERVAL_MS: z.coerce
      .number({ error: 'must be a number' })
      .int()
      .min(50)
      .default(1000)
      .describe('How often the worker looks for due work.'),
    WORKER_CONCURRENCY: z.coerce
      .number({ error: 'must be a number' })
      .int()
      .min(1)
      .max(1024)
      .default(64)
      .describe(
        'Rescues (and /transmit reports) one worker runs at once, each under a renewed lease on its row. They mostly wait on Stripe and FlexCharge, so this can be far above the cores; keep DATABASE_POOL_SIZE in step.',
      ),
    WORKER_MERCHANT_CONCURRENCY: z.coerce
      .number({ error: 'must be a number' })
      .int()
      .min(1)
      .max(1024)
      .default(16)
      .describe(
        "Of WORKER_CONCURRENCY, how many one merchant's work may take at once, so one large merchant cannot starve the others; claims also take merchants in turn. Stripe limits each account to about 100 requests a second (25 in test mode), which 16 rescues in flight already approach.",
      ),
    FLEXCHARGE_HOST_CONCURRENCY: z.coerce
      .number({ error: 'must be a number' })
      .int()
      .min(1)
      .max(1024)
      .default(64)
      .describe(
        'FlexCharge requests this process has open at once per FlexCharge host (sandbox, production), across every merchant; further calls wait their turn.',
      ),
    DATABASE_POOL_SIZE: z.coerce
      .number({ error: 'must be a number' })
      .int()
      .min(2)
      .max(500)
      .default(20)
      .describe(
        'Connections this process keeps to PostgreSQL at most (DATABASE_URL only). Every rescue in flight renews its lease before each outside call; the server must allow this many per instance (max_connections).',
      ),
    SANDBOX_DECISION_DELAY_SECONDS: z.coerce
      .number({ error: 'must be a number' })
      .min(0)
      .default(30)
      .describe('Local sandbox: how long after an evaluate a managed MIT is decided.'),
    SANDBOX_APPROVAL_RATE: z.coerce
      .number({ error: 'must be a number' })
      .min(0)
      .max(1)
      .default(1)
      .describe('Local sandbox: the share of rescuable MITs that end APPROVED rather than EXPIRED (0..1).'),
    SANDBOX_REQUIRED_FIELDS: z
      .enum(['union', 'latest'])
      .default('union')
      .describe(
        'Local sandbox: `union` requires every field any version of the FlexCharge docs required; `latest` only the newest set.',
      ),
    SANDBOX_BILLING_FIELDS: z
      .enum(['full', 'country_postal'])
      .default('full')
      .describe(
        'Local sandbox: `full` requires the documented billing address fields; `country_postal` only country and postal code.',
      ),
    SANDBOX_CANCEL_COMPLETED: z
      .enum(['refuse', 'accept'])
      .default('refuse')
      .describe(
        'Local sandbox: cancelling a completed order is refused (409), or `accept`ed with 200 though the money stays collected.',
      ),
    SANDBOX_REFUND_REFUNDED: z
      .enum(['refuse', 'replay'])
      .default('refuse')
      .describe(
        'Local sandbox: refunding a refunded order answers FAILED, or `replay`s the earlier SUCCESS; never refunds twice.',
      ),
    STRIPE_EMULATOR_RELEASE_RETRY: z
      .enum(['rearm', 'none', 'final_action'])
      .default('rearm')
      .describe(
        'Local Stripe emulator: after a long hold is released, retries resume an hour later (`rearm`), never (`none`), or dunning ends at once (`final_action`).',
      ),
    STRIPE_EMULATOR_FORWARDING_DESTINATIONS: z
      .string()
      .refine(
        (v) => v === 'any' || v.split(',').every((url) => /^https?:\/\/\S+$/.test(url.trim())),
        'must be `any` or a comma-separated list of http(s) URLs',
      )
      .optional()
      .describe(
        "Local Stripe emulator: the URLs Vault and Forward may send card details to (Stripe enables each on request), or `any`; the bundled sandbox's /tokenize is always allowed when both run in-process.",
      ),
  })
  .superRefine((c, ctx) => {
    if (Boolean(c.FLEXCHARGE_APP_KEY) !== Boolean(c.FLEXCHARGE_APP_SECRET)) {
      ctx.addIssue({
        code: 'custom',
        path: [c.FLEXCHARGE_APP_KEY ? 'FLEXCHARGE_APP_SECRET' : 'FLEXCHARGE_APP_KEY'],
        message: 'FLEXCHARGE_APP_KEY and FLEXCHARGE_APP_SECRET go together',
      });
    }
    if (c.STRIPE_SECRET_KEY && !c.STRIPE_WEBHOOK_SECRET) {
      ctx.addIssue({
        code: 'custom',
        path: ['STRIPE_WEBHOOK_SECRET'],
        message: 'is required with STRIPE_SECRET_KEY: webhooks that cannot be verified are refused',
      });
    }
    if (c.STRIPE_API_BASE && !c.STRIPE_SECRET_KEY) {
      ctx.addIssue({
        code: 'custom',
        path: ['STRIPE_SECRET_KEY'],
        message: 'is required with STRIPE_API_BASE',
      });
    }
    if (c.FLEXCHARGE_ENV !== 'local' && !c.ENCRYPTION_KEY) {
      ctx.addIssue({
        code: 'custom',
        path: ['ENCRYPTION_KEY'],
        message: `is required when FLEXCHARGE_ENV=${c.FLEXCHARGE_ENV}: it encrypts card tokens at rest`,
      });
    }
    // The hosted API wants the merchant (`mid`) and the site the subscription belongs to on every
    // order (contract §6.1); only the bundled local sandbox has demo values for them. A partner's
    // process configures no merchant here (they are stored), so this binds only when one is.
    const envMerchant = c.FLEXCHARGE_ENV !== 'local' && Boolean(c.FLEXCHARGE_APP_KEY);
    if (envMerchant && !c.FLEXCHARGE_MID) {
      ctx.addIssue({
        code: 'custom',
        path: ['FLEXCHARGE_MID'],
        message: `is required when FLEXCHARGE_ENV=${c.FLEXCHARGE_ENV}`,
      });
    }
    if (envMerchant && !c.FLEXCHARGE_SITE_ID && !c.FLEXCHARGE_SITE_URL) {
      ctx.addIssue({
        code: 'custom',
        path: ['FLEXCHARGE_SITE_ID'],
        message: `FLEXCHARGE_SITE_ID or FLEXCHARGE_SITE_URL is required when FLEXCHARGE_ENV=${c.FLEXCHARGE_ENV}`,
      });
    }
    // Live money on one side only: a test rescue would mark a live invoice paid, or a live one collect
    // for a test invoice. Without STRIPE_SECRET_KEY the Stripe side is the bundled emulator.
    const liveStripe = /^(sk|rk)_live_/.test(c.STRIPE_SECRET_KEY ?? '');
    if ((c.FLEXCHARGE_ENV === 'production') !== liveStripe) {
      ctx.addIssue({
        code: 'custom',
        path: [liveStripe ? 'FLEXCHARGE_ENV' : 'STRIPE_SECRET_KEY'],
        message: liveStripe
          ? 'must be production with a live Stripe key'
          : 'must be a live key (sk_live_… or rk_live_…) when FLEXCHARGE_ENV=production; unset means the bundled Stripe emulator',
      });
    }
  });

export type Config = z.output<typeof configSchema>;
export type ConfigInput = z.input<typeof configSchema>;

/** The configuration as JSON Schema (2020-12), describing the environment a deployment provides. */
export function configJsonSchema(): Record<string, unknown> {
  return z.toJSONSchema(configSchema, { io: 'input', unrepresentable: 'any' }) as Record<string, unknown>;
}
