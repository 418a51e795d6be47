import { type ParseArgsConfig, parseArgs } from 'node:util';
import type Stripe from 'stripe';
import { createStripeClient } from '../../adapters/stripe/stripe-config.js';
import type { Config } from '../config/config-schema.js';
import { systemClock } from '../core/clock.js';
import { NotFoundError, PluginError, ValidationError } from '../core/errors.js';
import type { Logger } from '../core/logger.js';
import { resolveEncryptionKey, resolvePreviousKeys } from '../security/encryption-key.js';
import { createSecretBox, type SecretBox } from '../security/secret-box.js';
import { type DatabaseHandle, openDatabase, targetFromConfig } from '../storage/database.js';
import { refuseUnknownFields } from '../storage/merchant-input.js';
import { createMerchantRepository, type MerchantDetails } from '../storage/merchant-repository.js';
import type { EngineConnectionForUse } from '../storage/merchant-views.js';
import { migrateToLatest } from '../storage/migrate.js';
import { describeError } from './merchant-text.js';
import type { MerchantsCommandDeps } from './merchants-command.js';

/**
 * What `install`, `uninstall` and `replay` share: a stored merchant chosen with `--merchant`, its
 * Stripe key (never from the command line), a Stripe client, and the merchants command's
 * conventions (text or `--json`, exit 0 done, 1 refused, 2 usage).
 */

export type StripeCommandConfig = Pick<
  Config,
  | 'DATABASE_URL'
  | 'DATA_DIR'
  | 'ENCRYPTION_KEY'
  | 'ENCRYPTION_KEY_PREVIOUS'
  | 'FLEXCHARGE_ENV'
  | 'PUBLIC_URL'
  | 'STRIPE_SECRET_KEY'
  | 'STRIPE_API_BASE'
  | 'RESCUE_FRESHNESS_HOURS'
>;

/** The same dependencies as the `merchants` commands: a logger, output, an optional database and clock. */
export type StripeCommandDeps = MerchantsCommandDeps;

/** The options every one of these commands takes. */
export const STRIPE_KEY_OPTIONS = {
  merchant: { type: 'string' },
  'api-key-env': { type: 'string' },
  'from-stdin': { type: 'boolean' },
  'api-base': { type: 'string' },
  json: { type: 'boolean' },
} as const satisfies ParseArgsConfig['options'];

export const STRIPE_KEY_USAGE = `  --merchant M        the stored merchant (\`merchants list\`)
  --api-key-env VAR   the Stripe secret (sk_…) or restricted (rk_…) key, read from VAR; or
  --from-stdin        read it as JSON {"apiKey": "…"}; neither: the key stored for the merchant
                      (or STRIPE_SECRET_KEY). Keys are never taken on the command line.
  --api-base URL      Stripe's address (default STRIPE_API_BASE, else Stripe itself), e.g. the
                      local emulator's http://127.0.0.1:12111
  --json              JSON output`;

export class UsageError extends Error {}

export type Values = Record<string, string | boolean | undefined>;

/** Node's parseArgs, strict, without positionals; `--merchant` required. */
export function parseOptions(
  command: string,
  argv: readonly string[],
  options: ParseArgsConfig['options'],
): Values {
  let values: Values;
  try {
    values = parseArgs({ args: [...argv], options, allowPositionals: false, strict: true }).values as Values;
  } catch (err) {
    // Node's messages name the option, never its value; the first sentence is enough.
    const message = err instanceof Error ? (err.message.split('. ')[0] ?? err.message) : String(err);
    const hint = /'--api-key'/.test(message)
      ? '; keys are never taken on the command line: --api-key-env VAR'
      : '';
    throw new UsageError(`${command}: ${message}${hint}`);
  }
  if (typeof values.merchant !== 'string' || values.merchant === '')
    throw new UsageError(`${command}: --merchant is required`);
  return values;
}

/** A stored merchant, its Stripe connection (secrets opened), and what the command works with. */
export interface MerchantStore {
  readonly db: DatabaseHandle['db'];
  readonly box: SecretBox;
  readonly merchant: MerchantDetails;
  readonly connection: EngineConnectionForUse | null;
  readonly now: Date;
}

/**
 * Runs `work` on the merchant `--merchant` names, in a migrated database, and turns the plugin's
 * errors into refusals (exit 1). `work` answers what to print: text lines, or the JSON with `--json`.
 */
export async function runOnMerchant(
  config: StripeCommandConfig,
  deps: StripeCommandDeps,
  values: Values,
  work: (store: MerchantStore) => Promise<{ json: unknown; text: string[]; exitCode?: number }>,
): Promise<number> {
  const printError = deps.printError ?? deps.print;
  const json = values.json === true;
  const database = deps.database ?? (await openDatabase(targetFromConfig(config)));
  try {
    await migrateToLatest(database.db);
    const keyLogger: Logger = json
      ? { info() {}, warn: (m) => printError(m), error: (m) => printError(m) }
      : deps.logger;
    const box = createSecretBox(resolveEncryptionKey(config, keyLogger), resolvePreviousKeys(config));
    const merchantId = String(values.merchant);
    const merchants = createMerchantRepository(database.db, box);
    const merchant = await merchants.getMerchant(merchantId);
    if (!merchant)
      throw new NotFoundError(
        `unknown merchant ${merchantId}: create it first (flexcharge-mit merchants put ${merchantId} --name …)`,
      );
    const connection = await merchants.engineConnectionForUse(merchantId, 'stripe');
    const now = (deps.clock ?? systemClock).now();
    const output = await work({ db: database.db, box, merchant, connection, now });
    if (json) deps.print(JSON.stringify(output.json, null, 2));
    else for (const line of output.text) deps.print(line);
    return output.exitCode ?? 0;
  } catch (err) {
    if (!(err instanceof PluginError)) throw err;
    if (json) {
      const fields = err instanceof ValidationError ? { fields: err.fields } : {};
      printError(JSON.stringify({ error: { code: err.code, message: err.message, ...fields } }, null, 2));
    } else for (const line of describeError(err, KEY_FLAGS)) printError(line);
    return 1;
  } finally {
    if (!deps.database) await database.close();
  }
}

const KEY_FLAGS: Record<string, string> = { apiKey: '--api-key-env or --from-stdin', live: '--live' };

/** Where the key came from, said in the output (never the key). */
export type KeySource = 'environment variable' | 'stdin' | 'stored for the merchant' | 'STRIPE_SECRET_KEY';

/** The Stripe key: `--api-key-env`, `--from-stdin`, the merchant's stored key, STRIPE_SECRET_KEY. */
export async function resolveStripeKey(
  values: Values,
  store: MerchantStore,
  config: StripeCommandConfig,
  deps: StripeCommandDeps,
): Promise<{ key: string; source: KeySource }> {
  const variable = values['api-key-env'];
  if (typeof variable === 'string') {
    const key = (deps.env ?? process.env)[variable];
    if (!key) throw keyError(`environment variable ${variable} is not set`);
    return { key, source: 'environment variable' };
  }
  if (values['from-stdin']) {
    let parsed: unknown;
    try {
      parsed = JSON.parse(await (deps.readStdin ?? readProcessStdin)());
    } catch {
      // The parser's message quotes the text around the fault: never shown.
      throw new ValidationError('standard input is not valid JSON', { stdin: ['is not valid JSON'] });
    }
    refuseUnknownFields(parsed, ['apiKey'], 'stdin');
    const key = (parsed as { apiKey?: unknown }).apiKey;
    if (typeof key !== 'string' || key === '') throw keyError('stdin JSON has no "apiKey"');
    return { key, source: 'stdin' };
  }
  const stored = store.connection?.apiKey?.reveal();
  if (stored) return { key: stored, source: 'stored for the merchant' };
  if (config.STRIPE_SECRET_KEY) return { key: config.STRIPE_SECRET_KEY, source: 'STRIPE_SECRET_KEY' };
  throw keyError(`no Stripe key is stored for merchant ${store.merchant.id}: give --api-key-env VAR`);
}

function keyError(message: string): ValidationError {
  return new ValidationError(message, { apiKey: [message] });
}

/** A live key changes real money paths: refused unless `--live` says that is meant. */
export function refuseLiveKeyUnlessAsked(key: string, values: Values, command: string): void {
  if (isLiveKey(key) && values.live !== true)
    throw new ValidationError(`${command} refused: the Stripe key is a live key`, {
      live: ['give --live to act on the live account'],
    });
}

export function isLiveKey(key: string): boolean {
  return /^(sk|rk)_live_/.test(key);
}

/** The merchant's Stripe client; a Connect connection acts on its account with the platform's key. */
export function stripeClientFor(
  key: string,
  values: Values,
  config: StripeCommandConfig,
  connection: EngineConnectionForUse | null,
): Stripe {
  const apiBase = typeof values['api-base'] === 'string' ? values['api-base'] : config.STRIPE_API_BASE;
  return createStripeClient({
    secretKey: key,
    apiBase,
    ...(connection?.stripeAccountId ? { stripeAccount: connection.stripeAccountId } : {}),
  });
}

/** Prints the usage (exit 2), or runs the command, as the merchants command does. */
export async function withUsage(
  usage: string,
  argv: readonly string[],
  deps: StripeCommandDeps,
  run: () => Promise<number>,
): Promise<number> {
  const printError = deps.printError ?? deps.print;
  if (argv.some((a) => a === '--help' || a === '-h')) {
    deps.print(usage);
    return 0;
  }
  try {
    return await run();
  } catch (err) {
    if (!(err instanceof UsageError)) throw err;
    printError(`${err.message}\n\n${usage}`);
    return 2;
  }
}

async function readProcessStdin(): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) chunks.push(Buffer.from(chunk));
  return Buffer.concat(chunks).toString('utf8');
}
