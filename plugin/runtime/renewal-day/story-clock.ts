import { ManualClock } from '../../core/clock.js';

/**
 * The renewal day's clock: it stands still while the story moves it (a `ManualClock`, so the local
 * driver steps plugin, emulator and sandbox together), then, once the story is told, runs at real
 * speed from where the story left it, so the plugin left running behaves like any local start.
 */
export class StoryClock extends ManualClock {
  #runningSince: number | null = null;

  override now(): Date {
    const stopped = super.now();
    if (this.#runningSince === null) return stopped;
    return new Date(stopped.getTime() + Date.now() - this.#runningSince);
  }

  override set(to: Date | string | number): Date {
    super.set(to);
    if (this.#runningSince !== null) this.#runningSince = Date.now();
    return this.now();
  }

  /** From now on the clock runs in real time, from the later of its own time and the real time. */
  runInRealTime(): void {
    if (this.#runningSince !== null) return;
    super.set(Math.max(super.now().getTime(), Date.now()));
    this.#runningSince = Date.now();
  }
}
