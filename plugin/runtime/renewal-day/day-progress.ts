import { rmSync } from 'node:fs';
import { resolve } from 'node:path';
import { readSnapshot, writeSnapshot } from '../../../adapters/local-state/snapshot-file.js';
import type { DemoMerchant } from './demo-merchant.js';

/**
 * Where a renewal day stands, kept in `renewal-day.json` beside its database and the emulators'
 * state files (all under DATA_DIR/renewal-day/), so `npm start` after a stop goes on with the same
 * day from the last step it finished (an hour of sign-ups or renewals, a day of holds). Written
 * every few seconds, at the end and at a stop (start-renewal-day.ts), each time after the
 * emulators' state files, so the progress never runs ahead of them.
 */
export const DAY_PROGRESS_SERVICE = 'renewal-day';
export const DAY_PROGRESS_VERSION = 1;
export const DAY_PROGRESS_FILE = 'renewal-day.json';
/** The renewal day's own directory under DATA_DIR: its database, state files and progress. */
export const RENEWAL_DAY_DIR = 'renewal-day';

/** A customer signed up in the emulator (the population itself is drawn again from the seed). */
export interface SignedUp {
  readonly index: number;
  readonly customerId: string;
  readonly paymentMethodId: string;
  readonly subscriptionId: string;
}

export interface DayProgress {
  readonly subscriptions: number;
  readonly seed: number;
  /** Midnight UTC starting the renewal day. */
  readonly renewalDay: Date;
  readonly merchant: DemoMerchant;
  /** Plan key → price id in the emulator. */
  readonly prices: Readonly<Record<string, string>>;
  readonly signedUp: readonly SignedUp[];
  readonly paidThemselves: number;
  /** How many of the story's steps are done (see `STORY_STEPS`); all of them: the day is over. */
  readonly stepsDone: number;
  /** The story clock when the last step ended (ms). */
  readonly clockAt: number;
}

export function dayDirectory(dataDir: string): string {
  return resolve(dataDir, RENEWAL_DAY_DIR);
}

/** The day's progress under `dayDir`, or null when no day was started there (or its first step did not end). */
export function readDayProgress(dayDir: string): DayProgress | null {
  const saved = readSnapshot<Omit<DayProgress, 'clockAt'>>(resolve(dayDir, DAY_PROGRESS_FILE), {
    service: DAY_PROGRESS_SERVICE,
    version: DAY_PROGRESS_VERSION,
  });
  return saved ? { ...saved.state, clockAt: saved.clockAt } : null;
}

export function writeDayProgress(dayDir: string, progress: DayProgress): void {
  const { clockAt, ...state } = progress;
  writeSnapshot(resolve(dayDir, DAY_PROGRESS_FILE), {
    service: DAY_PROGRESS_SERVICE,
    version: DAY_PROGRESS_VERSION,
    clockAt,
    state,
  });
}

/** Forgets a day: its database, the emulators' state and the progress (DATA_DIR's other files stay). */
export function discardDay(dayDir: string): void {
  rmSync(dayDir, { recursive: true, force: true });
}
