/**
 * Failed logins per client address within a sliding window. In memory: it resets when the process
 * restarts and is not shared between processes, which bounds guessing to `maxFailures` per window
 * per process; a shared store is the next step when the plugin runs several instances.
 */
export interface LoginLimiter {
  /** Seconds until `ip` may try again, or 0 when it may try now. */
  retryAfterSeconds(ip: string, now: Date): number;
  recordFailure(ip: string, now: Date): void;
}

export function createLoginLimiter(
  options: { maxFailures?: number; windowMs?: number; maxAddresses?: number } = {},
): LoginLimiter {
  const maxFailures = options.maxFailures ?? 10;
  const windowMs = options.windowMs ?? 15 * 60 * 1000;
  // Bounds the memory a flood of addresses can take; the oldest address is forgotten first.
  const maxAddresses = options.maxAddresses ?? 10_000;
  const failures = new Map<string, number[]>();

  const recent = (ip: string, now: Date): number[] => {
    const since = now.getTime() - windowMs;
    const kept = (failures.get(ip) ?? []).filter((t) => t > since);
    if (kept.length) failures.set(ip, kept);
    else failures.delete(ip);
    return kept;
  };

  return {
    retryAfterSeconds(ip, now) {
      const kept = recent(ip, now);
      if (kept.length < maxFailures) return 0;
      const oldest = kept[kept.length - maxFailures] as number;
      return Math.max(1, Math.ceil((oldest + windowMs - now.getTime()) / 1000));
    },
    recordFailure(ip, now) {
      const kept = recent(ip, now);
      failures.delete(ip);
      failures.set(ip, [...kept, now.getTime()]);
      if (failures.size > maxAddresses) {
        const first = failures.keys().next().value;
        if (first !== undefined) failures.delete(first);
      }
    },
  };
}
