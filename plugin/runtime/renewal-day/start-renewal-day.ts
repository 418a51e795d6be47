import { randomBytes } from 'node:crypto';
import { resolve } from 'node:path';
import type { Config } from '../../config/config-schema.js';
import type { ManualClock } from '../../core/clock.js';
import type { Logger } from '../../core/logger.js';
import { createLogger, loggerOptionsFromEnv } from '../../observability/logger.js';
import { openDatabase } from '../../storage/database.js';
import { DEFAULT_MERCHANT_ID, type RunningPlugin, startPlugin } from '../start-plugin.js';
import {
  type DayProgress,
  dayDirectory,
  discardDay,
  readDayProgress,
  writeDayProgress,
} from './day-progress.js';
import { createFileLogger } from './file-logger.js';
import {
  playRenewalDay,
  type RenewalDayOptions,
  type RenewalDayResult,
  RenewalDayStopped,
  STORY_STEPS,
} from './play-renewal-day.js';
import { createProgressDisplay, type ProgressOutput } from './progress-display.js';
import { formatSummary } from './renewal-day-summary.js';
import { StoryClock } from './story-clock.js';

export const DEFAULT_SUBSCRIPTIONS = 500;
/** How often (real time) the story's progress is written while it plays, besides its end and a stop. */
const CHECKPOINT_EVERY_MS = 10_000;
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
 * With `resume`, a day begun before goes on after its last finished step.
 */
/**
 * The largest day whose local services keep their state across a restart. Their state is written as
 * one JSON file, which blocks the process while it is written: about 95 MB and a second or two at
 * this size, beyond which the in-process calls of the story start to time out.
 */
export const MAX_KEPT_SUBSCRIPTIONS = 1_000;

export async function tellRenewalDay(
  plugin: RunningPlugin,
  clock: ManualClock,
  options: {
    subscriptions: number;
    output: ProgressOutput;
    /** Shown with the URLs: a token generated for this run; null when the operator set ADMIN_TOKEN. */
    adminToken: string | null;
    seed?: number;
  } & Pick<RenewalDayOptions, 'resume' | 'checkpoint' | 'signal'>,
): Promise<RenewalDayResult> {
  const { output } = options;
  const print = (line = '') => void output.write(`${line}\n`);
  const result = await playRenewalDay(plugin, clock, {
    subscriptions: options.subscriptions,
    progress: createProgressDisplay(output),
    ...(options.seed === undefined ? {} : { seed: options.seed }),
    ...(options.resume ? { resume: options.resume } : {}),
    ...(options.checkpoint ? { checkpoint: options.checkpoint } : {}),
    ...(options.signal ? { signal: options.signal } : {}),
  });
  print();
  print(
    `Renewal day ${result.renewalDay.toISOString().slice(0, 10)}, ${result.merchant.siteMetadata.join(' and ')}:`,
  );
  for (const line of formatSummary(result.summary, result.subscribed.length || options.subscriptions))
    print(line);
  print();
  printWhereToLook(plugin, result.merchant.id, result.renewalDay, options.adminToken, output);
  return result;
}

function printWhereToLook(
  plugin: RunningPlugin,
  merchantId: string,
  renewalDay: Date,
  adminToken: string | null,
  output: ProgressOutput,
): void {
  const print = (line: string) => void output.write(`${line}\n`);
  // The story's day, in the sandbox (the bundled sandbox's account is a test account): the report's
  // default, production this month, would show none of it.
  const day = renewalDay.toISOString().slice(0, 10);
  print(
    `Report:      ${plugin.url}/merchants/${merchantId}/report?environment=sandbox&from=${day}&to=${day}`,
  );
  print(`Onboarding:  ${plugin.url}/login  (then ${plugin.url}/merchants)`);
  // A token the operator set is theirs and is not echoed; one generated for this run is shown once.
  print(`Admin token: ${adminToken ?? 'the ADMIN_TOKEN you set'}`);
}

export interface RenewalDayStart {
  readonly plugin: RunningPlugin;
  stop(): Promise<void>;
}

/**
 * `flexcharge-mit start` on the embedded defaults (see `renewalDayDecision`): the plugin on a PGlite
 * under DATA_DIR/renewal-day/, beside the emulators' state files and the day's progress, its log in a
 * file unless LOG_FORMAT=json, the renewal day played and summarised; then the plugin keeps running,
 * its clock moving in real time from the end of the story (about now) and its worker on.
 *
 * A restart goes on with the same day: an unfinished day from its last finished step, a finished
 * one as it was left (the plugin running on it). `--new-day` (or deleting DATA_DIR/renewal-day/)
 * discards it and plays a new one. `whenStarted` gets the stop as soon as the plugin is up, so a
 * shutdown during the story ends the step under way and keeps the day.
 */
export async function startWithRenewalDay(
  configured: Config,
  options: {
    argv: readonly string[];
    env: NodeJS.ProcessEnv;
    output: ProgressOutput;
    whenStarted?: (stop: () => Promise<void>) => void;
  },
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

  const dayDir = dayDirectory(config.DATA_DIR);
  if (options.argv.includes('--new-day')) discardDay(dayDir);
  const found = readDayProgress(dayDir);
  // A day whose first step never ended left nothing worth keeping; nor did a day too large to keep.
  const kept = found && found.subscriptions <= MAX_KEPT_SUBSCRIPTIONS ? found : null;
  if (!kept) discardDay(dayDir);
  const keepsServices = (kept?.subscriptions ?? subscriptions) <= MAX_KEPT_SUBSCRIPTIONS;
  if (kept && options.argv.includes('--subscriptions') && kept.subscriptions !== subscriptions) {
    print(
      `The renewal day under ${dayDir} has ${kept.subscriptions} subscriptions, not ${subscriptions}: it goes on as it was (--new-day starts another).`,
    );
  }
  const finished = kept !== null && kept.stepsDone >= STORY_STEPS;
  print(
    finished
      ? `No configuration given: the plugin runs on its embedded defaults with the renewal day already played under ${dayDir} (--new-day plays a new one).`
      : keepsServices
        ? `No configuration given: the plugin runs on its embedded defaults (PGlite, local FlexCharge sandbox, local Stripe emulator, all kept under ${dayDir}) and ${kept ? 'goes on with' : 'plays'} a renewal day of ${kept?.subscriptions ?? subscriptions} subscriptions. Skip it with --no-demo or RENEWAL_DAY=off.`
        : `No configuration given: the plugin runs on its embedded defaults (PGlite, local FlexCharge sandbox, local Stripe emulator) and plays a renewal day of ${subscriptions} subscriptions, its emulators in memory: a day above ${MAX_KEPT_SUBSCRIPTIONS} subscriptions is not kept across a restart. Skip it with --no-demo or RENEWAL_DAY=off.`,
  );
  if (fileLogger) print(`Logs: ${fileLogger.path} (LOG_FORMAT=json or text shows them here instead)`);

  const database = await openDatabase({ kind: 'pglite', dataDir: resolve(dayDir, 'pglite') });
  const clock = new StoryClock(kept?.clockAt ?? Date.now());
  let plugin: RunningPlugin;
  try {
    plugin = await startPlugin(config, {
      logger,
      clock,
      database,
      startWorker: false,
      ...(keepsServices ? { localStateDir: dayDir } : {}),
    });
  } catch (err) {
    await database.close();
    await fileLogger?.close();
    throw err;
  }
  // Where the story stands, and whether the progress file says so yet (see `checkpoint`).
  let latest = kept;
  let written = kept;
  let writtenAt = Date.now();
  const stopping = new AbortController();
  let story: Promise<unknown> = Promise.resolve();
  let stopped: Promise<void> | null = null;
  const stop = () => {
    stopped ??= (async () => {
      // The story ends the step under way; closing writes the emulators' state, then the progress.
      stopping.abort();
      await story.catch(() => undefined);
      await plugin.stop();
      if (latest && latest !== written) writeDayProgress(dayDir, latest);
      await database.close();
      await fileLogger?.close();
    })();
    return stopped;
  };
  options.whenStarted?.(stop);
  if (finished) {
    printWhereToLook(
      plugin,
      kept?.merchant.id ?? DEFAULT_MERCHANT_ID,
      kept?.renewalDay ?? clock.now(),
      adminToken,
      output,
    );
  } else {
    // The emulators' state is written before the day's progress, so the progress never runs ahead
    // of it. Writing the emulator's tens of megabytes after every step would cost more than the
    // step, so this happens every CHECKPOINT_EVERY_MS of real time, at the end, and at a stop; after
    // a crash the steps since are played again (which does nothing twice).
    const checkpoint = (progress: DayProgress) => {
      latest = progress;
      if (progress.stepsDone < STORY_STEPS && Date.now() - writtenAt < CHECKPOINT_EVERY_MS) return;
      plugin.stripe.emulator?.emulator.saveState();
      plugin.flexcharge.sandbox?.sandbox.saveState();
      writeDayProgress(dayDir, progress);
      written = progress;
      writtenAt = Date.now();
    };
    story = tellRenewalDay(plugin, clock, {
      subscriptions,
      output,
      adminToken,
      checkpoint,
      signal: stopping.signal,
      ...(kept ? { resume: kept } : {}),
    });
    try {
      await story;
    } catch (err) {
      await stop();
      // Stopped between two steps by a shutdown: the day is kept, and the process is ending.
      if (err instanceof RenewalDayStopped) return { plugin, stop };
      throw err;
    }
  }
  clock.runInRealTime();
  plugin.worker.start(config.WORKER_INTERVAL_MS);
  print('The plugin keeps running in real time from here (Ctrl-C stops it; npm start goes on from here).');
  return { plugin, stop };
}
