import { LeaseLostError } from '../core/errors.js';

/**
 * Keeps one claimed row's lease alive while its step runs: renewed on a timer and before every
 * outside call, so a slow call never lets the lease lapse into another worker's hands; once the row
 * is found in another worker's hands, every further call is refused.
 */
export function keepLease(input: {
  /** Extends the lease; false when the row is no longer this worker's. */
  renew: () => Promise<boolean>;
  /** How often the lease is renewed in the background (real time). */
  intervalMs: number;
  describe: string;
  onRenewError: (err: unknown) => void;
}) {
  let lost = false;
  const renew = async () => {
    if (lost) return;
    if (!(await input.renew())) lost = true;
  };
  const timer = setInterval(() => {
    renew().catch(input.onRenewError);
  }, input.intervalMs);
  timer.unref();
  return {
    /** Renews now and throws `LeaseLostError` when the row has passed to another worker. */
    async assertHeld(): Promise<void> {
      await renew();
      if (lost) throw new LeaseLostError(`${input.describe}: lease lost`);
    },
    stop(): void {
      clearInterval(timer);
    },
  };
}

/**
 * The same port with `guard` awaited before each of its asynchronous methods (the outside calls);
 * the synchronous ones named in `sync` pass straight through.
 */
export function guarded<T extends object>(
  port: T,
  guard: () => Promise<void>,
  sync: readonly string[] = [],
): T {
  return new Proxy(port, {
    get(target, property, receiver) {
      const value = Reflect.get(target, property, receiver);
      if (typeof value !== 'function' || sync.includes(String(property))) return value;
      return async (...args: unknown[]) => {
        await guard();
        return value.apply(target, args);
      };
    },
  });
}
