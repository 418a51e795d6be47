import type { MerchantRoom } from '../storage/claim-due.js';

/**
 * What one worker has in flight: at most `total` jobs at once, at most `perMerchant` of them for one
 * merchant. Jobs start at once (the worker claims only what fits, so no claimed row waits on its
 * lease behind another) and are mostly waiting on Stripe and FlexCharge.
 */
export function createWorkPool(limits: { total: number; perMerchant: number }) {
  let running = 0;
  const byMerchant = new Map<string, number>();
  const jobs = new Set<Promise<void>>();
  let roomWaiters: { atLeast: number; resolve: () => void }[] = [];

  function finished(merchantId: string): void {
    running--;
    const left = (byMerchant.get(merchantId) ?? 1) - 1;
    if (left > 0) byMerchant.set(merchantId, left);
    else byMerchant.delete(merchantId);
    const free = limits.total - running;
    const ready = roomWaiters.filter((w) => free >= w.atLeast || running === 0);
    roomWaiters = roomWaiters.filter((w) => !ready.includes(w));
    for (const w of ready) w.resolve();
  }

  return {
    limits,
    /** Slots free now. */
    free: (): number => limits.total - running,
    running: (): number => running,
    /** The room each busy merchant has left; a merchant not listed has `perMerchant`. */
    rooms(): MerchantRoom[] {
      return [...byMerchant].map(([merchantId, n]) => ({
        merchantId,
        room: Math.max(0, limits.perMerchant - n),
      }));
    },
    /** Runs `job` now, counted against the limits until it settles; it must not throw. */
    start(merchantId: string, job: () => Promise<void>): void {
      running++;
      byMerchant.set(merchantId, (byMerchant.get(merchantId) ?? 0) + 1);
      const p = job().finally(() => {
        jobs.delete(p);
        finished(merchantId);
      });
      jobs.add(p);
    },
    /** Resolves once at least `atLeast` slots are free (or nothing runs). */
    room(atLeast: number): Promise<void> {
      if (limits.total - running >= atLeast || running === 0) return Promise.resolve();
      return new Promise((resolve) => roomWaiters.push({ atLeast, resolve }));
    },
    /** Resolves when every job started so far has settled. */
    async idle(): Promise<void> {
      while (jobs.size > 0) await Promise.allSettled([...jobs]);
    },
  };
}

export type WorkPool = ReturnType<typeof createWorkPool>;
