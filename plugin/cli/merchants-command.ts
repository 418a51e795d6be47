import type { Config } from '../config/config-schema.js';
import { type Clock, systemClock } from '../core/clock.js';
import { NotFoundError, PluginError, ValidationError } from '../core/errors.js';
import type { Logger } from '../core/logger.js';
import type { FlexChargeEnvironment } from '../core/merchant-settings.js';
import { resolveEncryptionKey, resolvePreviousKeys } from '../security/encryption-key.js';
import { createSecretBox } from '../security/secret-box.js';
import { type DatabaseHandle, openDatabase, targetFromConfig } from '../storage/database.js';
import {
  type CredentialsInput,
  type EngineConnectionInput,
  type FlowInput,
  refuseUnknownFields,
  type SiteInput,
} from '../storage/merchant-input.js';
import {
  createMerchantRepository,
  type MerchantRepository,
  type Site,
} from '../storage/merchant-repository.js';
import { migrateToLatest } from '../storage/migrate.js';
import { describeError, describeMerchant, describeMerchantList, describeSite } from './merchant-text.js';
import { FLAGS, MERCHANTS_USAGE, type Parsed, parse, UsageError } from './merchants-args.js';

export { MERCHANTS_USAGE } from './merchants-args.js';

/** What the command reads of the configuration: where the database is, and the keys. */
export type MerchantsCommandConfig = Pick<
  Config,
  'DATABASE_URL' | 'DATA_DIR' | 'ENCRYPTION_KEY' | 'ENCRYPTION_KEY_PREVIOUS' | 'FLEXCHARGE_ENV'
>;

export interface MerchantsCommandDeps {
  logger: Logger;
  print: (line: string) => void;
  /** Where refusals go; default `print`. */
  printError?: (line: string) => void;
  /** An open database (tests); the caller closes it. */
  database?: DatabaseHandle;
  /** Where `--*-env VAR` is looked up; default `process.env`. */
  env?: NodeJS.ProcessEnv;
  /** The whole of standard input, for `--from-stdin`; default reads `process.stdin`. */
  readStdin?: () => Promise<string>;
  clock?: Clock;
}

/**
 * `merchants <subcommand>`: the partner's CLI over stored merchants, the same operations and
 * validation as the admin API. Returns the exit code: 0 done, 1 refused, 2 usage.
 */
export async function runMerchantsCommand(
  argv: readonly string[],
  config: MerchantsCommandConfig,
  deps: MerchantsCommandDeps,
): Promise<number> {
  const printError = deps.printError ?? deps.print;
  if (argv.length === 0 || ['--help', '-h', 'help'].includes(argv[0] ?? '')) {
    (argv.length === 0 ? printError : deps.print)(MERCHANTS_USAGE);
    return argv.length === 0 ? 2 : 0;
  }
  let parsed: Parsed;
  try {
    parsed = parse(argv);
  } catch (err) {
    if (!(err instanceof UsageError)) throw err;
    printError(`${err.message}\n\n${MERCHANTS_USAGE}`);
    return 2;
  }
  const database = deps.database ?? (await openDatabase(targetFromConfig(config)));
  try {
    await migrateToLatest(database.db);
    // With --json, stdout carries the JSON alone: a warning about the key goes with the refusals.
    const keyLogger: Logger = parsed.json
      ? { info() {}, warn: (m) => printError(m), error: (m) => printError(m) }
      : deps.logger;
    const box = createSecretBox(resolveEncryptionKey(config, keyLogger), resolvePreviousKeys(config));
    const merchants = createMerchantRepository(database.db, box);
    const output = await execute(parsed, merchants, deps);
    if (parsed.json) deps.print(JSON.stringify(output.json, null, 2));
    else for (const line of output.text) deps.print(line);
    return 0;
  } catch (err) {
    if (!(err instanceof PluginError)) throw err;
    if (parsed.json) {
      const fields = err instanceof ValidationError ? { fields: err.fields } : {};
      printError(JSON.stringify({ error: { code: err.code, message: err.message, ...fields } }, null, 2));
    } else for (const line of describeError(err, FLAGS)) printError(line);
    return 1;
  } finally {
    if (!deps.database) await database.close();
  }
}

interface Output {
  json: unknown;
  text: string[];
}

// The repository validates every value (its zod schemas); the casts only hand it what was read.
async function execute(
  p: Parsed,
  merchants: MerchantRepository,
  deps: MerchantsCommandDeps,
): Promise<Output> {
  const now = (deps.clock ?? systemClock).now();
  const v = p.values;
  const str = (name: string) => (typeof v[name] === 'string' ? (v[name] as string) : undefined);
  const id = p.args.merchant ?? '';
  const showMerchant = async (done: string, extra: Record<string, unknown> = {}): Promise<Output> => {
    const merchant = await merchants.getMerchant(id);
    if (!merchant) throw new NotFoundError(`unknown merchant ${id}`);
    return { json: { ...extra, merchant }, text: [done, ...describeMerchant(merchant)] };
  };

  switch (p.subcommand) {
    case 'list': {
      const list = await merchants.listMerchants();
      return { json: { merchants: list }, text: describeMerchantList(list) };
    }
    case 'show':
      return showMerchant(`merchant ${id}:`);
    case 'put': {
      const saved = await merchants.upsertMerchant(
        {
          id,
          name: str('name') as string,
          siteMetadataKey: str('site-metadata-key'),
          orderChannelMetadataKey: str('order-channel-metadata-key'),
        },
        now,
      );
      return showMerchant(saved.created ? `created merchant ${id}` : `updated merchant ${id}`);
    }
    case 'set-credentials': {
      const secrets = await readSecrets(v, deps, {
        appKey: 'app-key-env',
        appSecret: 'app-secret-env',
        webhookKey: 'webhook-key-env',
      });
      const fromFlags = {
        mid: str('mid'),
        defaultSiteId: str('default-site-id'),
        defaultSiteUrl: str('default-site-url'),
      };
      const input = { ...secrets, ...defined(fromFlags), environment: str('environment') };
      await merchants.putFlexChargeCredentials(id, input as CredentialsInput, now);
      return showMerchant(`credentials for ${input.environment} of merchant ${id} set`);
    }
    case 'remove-credentials': {
      const environment = str('environment') as FlexChargeEnvironment;
      await merchants.removeFlexChargeCredentials(id, environment);
      return showMerchant(`credentials for ${environment} of merchant ${id} removed`);
    }
    case 'set-flow': {
      const flow = { flow: p.args.flow, mode: str('mode'), environment: str('environment') };
      await merchants.putFlow(id, flow as FlowInput, now);
      return showMerchant(`flow ${p.args.flow} of merchant ${id} set`);
    }
    case 'add-site': {
      const site = await merchants.addSite(id, siteFromFlags(v, null), now);
      return showMerchant(`added site ${describeSite(site)[0]}`, { site });
    }
    case 'update-site': {
      const current = (await merchants.getMerchant(id))?.sites.find((s) => s.id === p.args.site);
      if (!current) throw new NotFoundError(`merchant ${id} has no site ${p.args.site}`);
      const site = await merchants.updateSite(id, current.id, siteFromFlags(v, current), now);
      return showMerchant(`updated site ${describeSite(site)[0]}`, { site });
    }
    case 'remove-site':
      await merchants.deleteSite(id, p.args.site ?? '');
      return showMerchant(`removed site ${p.args.site} of merchant ${id}`);
    case 'set-engine': {
      const secrets = await readSecrets(v, deps, {
        apiKey: 'api-key-env',
        webhookSecret: 'webhook-secret-env',
      });
      const input = {
        ...secrets,
        engine: p.args.engine,
        stripeAccountId: str('stripe-account') ?? null,
        writeBackMode: str('write-back-mode'),
      };
      await merchants.putEngineConnection(id, input as EngineConnectionInput, now);
      return showMerchant(`${p.args.engine} connection of merchant ${id} set`);
    }
  }
}

/**
 * The secret fields, from stdin JSON (--from-stdin) and from the environment variables the flags name
 * (which win). A named variable that is unset is refused by name, its field said to be missing.
 */
async function readSecrets(
  v: Parsed['values'],
  deps: MerchantsCommandDeps,
  envFlags: Record<string, string>,
): Promise<Record<string, unknown>> {
  let fromStdin: Record<string, unknown> = {};
  if (v['from-stdin']) {
    const text = await (deps.readStdin ?? readProcessStdin)();
    try {
      fromStdin = JSON.parse(text);
    } catch {
      // The parser's message quotes the text around the fault: never shown.
      throw new ValidationError('standard input is not valid JSON', { stdin: ['is not valid JSON'] });
    }
    const nonSecret = 'appKey' in envFlags ? ['mid', 'defaultSiteId', 'defaultSiteUrl'] : [];
    refuseUnknownFields(fromStdin, [...Object.keys(envFlags), ...nonSecret], 'stdin');
  }
  const env = deps.env ?? process.env;
  const fromEnv: Record<string, string> = {};
  const missing: Record<string, string[]> = {};
  for (const [field, flag] of Object.entries(envFlags)) {
    const variable = v[flag];
    if (typeof variable !== 'string') continue;
    const value = env[variable];
    if (value === undefined || value === '') missing[field] = [`environment variable ${variable} is not set`];
    else fromEnv[field] = value;
  }
  if (Object.keys(missing).length)
    throw new ValidationError(`missing secrets: ${Object.keys(missing).join(', ')}`, missing);
  return { ...fromStdin, ...fromEnv };
}

/** A site from the flags, over `current` when updating; '' clears a field, left out keeps it. */
function siteFromFlags(v: Parsed['values'], current: Site | null): SiteInput {
  const text = (flag: string, was: string | null) => {
    const given = v[flag];
    if (typeof given !== 'string') return was;
    return given === '' ? null : given;
  };
  const bad: Record<string, string[]> = {};
  const toggle = (flag: string, field: string, was: boolean | undefined) => {
    const given = v[flag];
    if (given === undefined) return was;
    if (given === 'on' || given === 'off') return given === 'on';
    bad[`enabled.${field}`] = ['must be on or off'];
    return was;
  };
  const enabled = {
    mit: toggle('mit', 'mit', current?.enabled.mit),
    cit_website: toggle('cit-website', 'cit_website', current?.enabled.cit_website),
    cit_call_center: toggle('cit-call-center', 'cit_call_center', current?.enabled.cit_call_center),
  };
  if (v.default && v['no-default']) bad.isDefault = ['give --default or --no-default, not both'];
  if (Object.keys(bad).length) throw new ValidationError(`invalid site: ${Object.keys(bad).join(', ')}`, bad);
  return {
    url: text('url', current?.url ?? null),
    statementDescriptor: text('descriptor', current?.statementDescriptor ?? null),
    flexchargeSiteIds: {
      sandbox: text('flexcharge-sandbox-site-id', current?.flexchargeSiteIds.sandbox ?? null),
      production: text('flexcharge-production-site-id', current?.flexchargeSiteIds.production ?? null),
    },
    enabled,
    ...(v.default ? { isDefault: true } : v['no-default'] ? { isDefault: false } : {}),
  };
}

function defined<T extends Record<string, unknown>>(o: T): Partial<T> {
  return Object.fromEntries(Object.entries(o).filter(([, x]) => x !== undefined)) as Partial<T>;
}

async function readProcessStdin(): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) chunks.push(Buffer.from(chunk));
  return Buffer.concat(chunks).toString('utf8');
}
