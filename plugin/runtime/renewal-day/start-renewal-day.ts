import { randomBytes } from 'node:crypto';
import { resolve } from 'node:path';
import type { Config } from '../../config/config-schema.js';
import type { ManualClock } from '../../core/clock.js';
import type { Logger } from '../../core/logger.js';
import { createLogger, loggerOptionsFromEnv } from '../../observability/logger.js';
import { openDatabase } from '../../storage/database.js';
import { type RunningPlugin, startPlugin } from '../start-plugin.js';
import { createFileLogger } from './file-logger.js';
import { playRenewalDay, type RenewalDayResult } from './play-renewal-day.js';
import { createProgressDisplay, type ProgressOutput } from './progress-display.js';
import { formatSummary } from './renewal-day-summary.js';
import { StoryClock } from './story-clock.js';

export const DEFAULT_SUBSCRIPTIONS = 500;
/** FlexCharge's sandbox decides a rescue this long after the hand-over (not 30 s: the story spans weeks). */
const DEMO_DECISION_DELAY_SECONDS = 3 * 24 * 3600;
/** A held rescue is polled daily rather than every 6 h: the webhooks tell, and the story steps a day at a time. */
const DEMO_POLL_INTERVAL_MINUTES = 24 * 60;

/** `--subscriptions N` (default 500). */
export function subscriptionsOption(argv: readonly string[]): number {
  const at = argv.indexOf('--subscriptions');
  if (at < 0) return DEFAULT_SUBSCRIPTIONS;
  const n = Number(argv[at + 1]);
  if (!Number.isInteger(n) || n < 1 || n > 100_000)
    throw new Error('--subscriptions must be a whole number from 1 to 100000');
  return n;
}

/**
 * The configuration the renewal day runs under: an admin token for the pages (generated when none is
 * set), and the sandbox's decision delay and the poll interval at a pace fit for weeks, unless the
 * environment sets them.
 */
export function renewalDayConfig(configured: Config, env: NodeJS.ProcessEnv): Config {
  return {
    ...configured,
    ADMIN_TOKEN: configured.ADMIN_TOKEN ?? randomBytes(24).toString('hex'),
    ...(env.SANDBOX_DECISION_DELAY_SECONDS
      ? {}
      : { SANDBOX_DECISION_DELAY_SECONDS: DEMO_DECISION_DELAY_SECONDS }),
    ...(env.RESCUE_POLL_INTERVAL_MINUTES ? {} : { RESCUE_POLL_INTERVAL_MINUTES: DEMO_POLL_INTERVAL_MINUTES }),
  };
}

/**
 * Plays the renewal day on `plugin` (started with the local emulators, worker not started, on
 * `clock`) and prints its progress, the summary read from the database, and where to look next.
 */
export async function tellRenewalDay(
  plugin: RunningPlugin,
  clock: ManualClock,
  options: {
    subscriptions: number;
    output: ProgressOutput;
    /** Shown with the URLs: a token generated for this run; null when the operator set ADMIN_TOKEN. */
    adminToken: string | null;
    seed?: number;
  },
): Promise<RenewalDayResult> {
  const { output } = options;
  const print = (line = '') => void output.write(`${line}\n`);
  const result = await playRenewalDay(plugin, clock, {
    subscriptions: options.subscriptions,
    progress: createProgressDisplay(output),
    ...(options.seed === undefined ? {} : { seed: options.seed }),
  });
  print();
  print(
    `Renewal day ${result.renewalDay.toISOString().slice(0, 10)}, ${result.merchant.siteMetadata.join(' and ')}:`,
  );
  for (const line of formatSummary(result.summary, options.subscriptions)) print(line);
  print();
  // The story's day, in the sandbox (the bundled sandbox's account is a test account): the report's
  // default, production this month, would show none of it.
  const day = result.renewalDay.toISOString().slice(0, 10);
  print(
    `Report:      ${plugin.url}/merchants/${result.merchant.id}/report?environment=sandbox&from=${day}&to=${day}`,
  );
  print(`Onboarding:  ${plugin.url}/login  (then ${plugin.url}/merchants)`);
  // A token the operator set is theirs and is not echoed; one generated for this run is shown once.
  print(`Admin token: ${options.adminToken ?? 'the ADMIN_TOKEN you set'}`);
  return result;
}

export interface RenewalDayStart {
  readonly plugin: RunningPlugin;
  stop(): Promise<void>;
}

/**
 * `flexcharge-mit start` on the embedded defaults (see `renewalDayDecision`): the plugin on an
 * in-memory PGlite (the emulators keep their state in memory too, so a second start tells a fresh
 * story instead of mixing in invoices that no longer exist), its log in a file unless
 * LOG_FORMAT=json, the renewal day played and summarised; then the plugin keeps running, its clock
 * moving in real time from the end of the story (about now) and its worker on.
 */
export async function startWithRenewalDay(
  configured: Config,
  options: { argv: readonly string[]; env: NodeJS.ProcessEnv; output: ProgressOutput },
): Promise<RenewalDayStart> {
  const { env, output } = options;
  const subscriptions = subscriptionsOption(options.argv);
  const config = renewalDayConfig(configured, env);
  const adminToken = configured.ADMIN_TOKEN ? null : (config.ADMIN_TOKEN ?? null);
  // The terminal is the story's; an explicit LOG_FORMAT asks for the log there instead.
  const logOptions = loggerOptionsFromEnv(env);
  const fileLogger = env.LOG_FORMAT
    ? null
    : createFileLogger(resolve(config.DATA_DIR, 'flexcharge-mit.log'), logOptions);
  const logger: Logger = fileLogger ?? createLogger(logOptions);
  const print = (line: string) => void output.write(`${line}\n`);
  print(
    `No configuration given: the plugin runs on its embedded defaults (in-memory PGlite, local FlexCharge sandbox, local Stripe emulator) and plays a renewal day of ${subscriptions} subscriptions. Skip it with --no-demo or RENEWAL_DAY=off.`,
  );
  if (fileLogger) print(`Logs: ${fileLogger.path} (LOG_FORMAT=json or text shows them here instead)`);

  const database = await openDatabase({ kind: 'pglite' });
  const clock = new StoryClock();
  let plugin: RunningPlugin;
  try {
    plugin = await startPlugin(config, { logger, clock, database, startWorker: false });
  } catch (err) {
    await database.close();
    await fileLogger?.close();
    throw err;
  }
  const stop = async () => {
    await plugin.stop();
    await database.close();
    await fileLogger?.close();
  };
  try {
    await tellRenewalDay(plugin, clock, { subscriptions, output, adminToken });
  } catch (err) {
    await stop();
    throw err;
  }
  clock.runInRealTime();
  plugin.worker.start(config.WORKER_INTERVAL_MS);
  print('The plugin keeps running in real time from here (Ctrl-C stops it).');
  return { plugin, stop };
}
