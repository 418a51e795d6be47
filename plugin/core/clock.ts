/** Where every part of the plugin reads the time, so tests and the demo can move weeks in milliseconds. */
export interface Clock {
  now(): Date;
}

export const systemClock: Clock = { now: () => new Date() };

/** A clock that stands still until told to move; for tests, the sandbox and the demo. */
export class ManualClock implements Clock {
  #ms: number;

  constructor(start: Date | string | number = Date.now()) {
    this.#ms = new Date(start).getTime();
  }

  now(): Date {
    return new Date(this.#ms);
  }

  advance(ms: number): Date {
    this.#ms += ms;
    return this.now();
  }

  set(to: Date | string | number): Date {
    this.#ms = new Date(to).getTime();
    return this.now();
  }
}

/**
 * A clock that runs at real speed from an offset that can be moved forward: the standalone sandbox
 * uses it so an operator can jump three weeks while webhooks and timers keep flowing.
 */
export class OffsetClock implements Clock {
  #offsetMs = 0;

  now(): Date {
    return new Date(Date.now() + this.#offsetMs);
  }

  advance(ms: number): Date {
    this.#offsetMs += ms;
    return this.now();
  }
}

export const DAY_MS = 24 * 60 * 60 * 1000;
