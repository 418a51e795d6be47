import { closeSync, fsyncSync, mkdirSync, openSync, readFileSync, renameSync, writeSync } from 'node:fs';
import { dirname } from 'node:path';
import type { Clock } from '../../plugin/core/clock.js';

/**
 * The state of a local stand-in (the Stripe emulator, the FlexCharge sandbox) kept in one JSON file,
 * so a restart finds every object again. The file is replaced whole (written beside, then renamed),
 * so a crash leaves the previous snapshot or the new one, never half of one. Writes are debounced:
 * a burst of requests costs one write, at most `debounceMs` after the first change.
 */

/** What every snapshot file carries besides its service's own state. */
export interface SnapshotEnvelope<T> {
  /** Which service wrote it, so one service never loads another's file. */
  readonly service: string;
  /** The format's version: a file of another version is refused, never silently dropped. */
  readonly version: number;
  /** The service's clock when it was written (ms): a restarted clock must not run behind it. */
  readonly clockAt: number;
  readonly state: T;
}

/**
 * How the state is written: `json` when it holds only JSON values (fast: no callback per value, which
 * matters for the emulator's tens of megabytes), `tagged-json` when it holds Dates, Maps or Sets.
 */
export type SnapshotFormat = 'json' | 'tagged-json';

export class SnapshotVersionError extends Error {
  constructor(path: string, found: unknown, expected: number, service: string) {
    super(
      `${path}: a ${service} state file of version ${String(found)}, this build reads version ${expected}. ` +
        'Delete the file (or the whole DATA_DIR) to start fresh, or run the version that wrote it.',
    );
    this.name = 'SnapshotVersionError';
  }
}

/** The snapshot at `path`, or null when there is none yet. Throws for another service's or version's file. */
export function readSnapshot<T>(
  path: string,
  expected: { service: string; version: number; format?: SnapshotFormat },
): SnapshotEnvelope<T> | null {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw error;
  }
  let parsed: Partial<SnapshotEnvelope<T>>;
  try {
    parsed = (expected.format === 'json' ? JSON.parse(text) : decodeSnapshotJson(text)) as Partial<
      SnapshotEnvelope<T>
    >;
  } catch (error) {
    throw new Error(`${path}: not a readable ${expected.service} state file (${String(error)})`);
  }
  if (parsed.service !== expected.service)
    throw new Error(`${path}: holds the state of ${String(parsed.service)}, not of ${expected.service}`);
  if (parsed.version !== expected.version)
    throw new SnapshotVersionError(path, parsed.version, expected.version, expected.service);
  return parsed as SnapshotEnvelope<T>;
}

/** Writes `envelope` to `path` atomically: a temporary file beside it, flushed, then renamed over it. */
export function writeSnapshot<T>(
  path: string,
  envelope: SnapshotEnvelope<T>,
  format: SnapshotFormat = 'tagged-json',
): void {
  mkdirSync(dirname(path), { recursive: true });
  const temporary = `${path}.${process.pid}.tmp`;
  const fd = openSync(temporary, 'w', 0o600);
  try {
    writeSync(fd, format === 'json' ? JSON.stringify(envelope) : encodeSnapshotJson(envelope));
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
  renameSync(temporary, path);
}

export interface SnapshotWriter {
  /** Something changed: a write follows within the debounce delay. */
  changed(): void;
  /** Writes now if anything changed since the last write (shutdown). */
  flush(): void;
}

/**
 * Writes what `take()` returns to `path` after changes, debounced by `debounceMs` (default 150). A
 * large state takes a while to write and blocks meanwhile, so writes are also spaced by at least
 * four times the last one's duration: writing never takes more than about a fifth of the time.
 */
export function createSnapshotWriter<T>(options: {
  path: string;
  service: string;
  version: number;
  clock: Clock;
  take: () => T;
  onError: (error: unknown) => void;
  debounceMs?: number;
  format?: SnapshotFormat;
}): SnapshotWriter {
  const debounceMs = options.debounceMs ?? 150;
  let timer: NodeJS.Timeout | null = null;
  let dirty = false;
  let nextAllowedAt = 0;
  const write = () => {
    if (timer) clearTimeout(timer);
    timer = null;
    if (!dirty) return;
    dirty = false;
    const started = Date.now();
    try {
      writeSnapshot(
        options.path,
        {
          service: options.service,
          version: options.version,
          clockAt: options.clock.now().getTime(),
          state: options.take(),
        },
        options.format,
      );
    } catch (error) {
      dirty = true;
      options.onError(error);
    }
    const finished = Date.now();
    nextAllowedAt = finished + 4 * (finished - started);
  };
  return {
    changed() {
      dirty = true;
      if (timer) return;
      timer = setTimeout(write, Math.max(debounceMs, nextAllowedAt - Date.now()));
      // A pending write does not keep the process alive; shutdown calls flush().
      timer.unref();
    },
    flush: write,
  };
}

/**
 * Moves a restarted clock forward to where the snapshot's clock was, if it is behind and can be
 * moved (ManualClock, OffsetClock): objects dated in the service's future would break its timers.
 */
export function catchUpClock(clock: Clock, clockAt: number): void {
  const behind = clockAt - clock.now().getTime();
  const movable = clock as Clock & { advance?: (ms: number) => unknown };
  if (behind > 0 && typeof movable.advance === 'function') movable.advance(behind);
}

/**
 * JSON that keeps what plain JSON loses: Dates, Maps and Sets come back as they were. Tagged as
 * one-key objects (`{"$date": …}`), a shape no Stripe or FlexCharge object has.
 */
export function encodeSnapshotJson(value: unknown): string {
  return JSON.stringify(value, function (this: Record<string, unknown>, key: string, current: unknown) {
    const raw = this[key];
    if (raw instanceof Date) return { $date: raw.getTime() };
    if (current instanceof Map) return { $map: [...current.entries()] };
    if (current instanceof Set) return { $set: [...current.values()] };
    return current;
  });
}

export function decodeSnapshotJson(text: string): unknown {
  return JSON.parse(text, (_key, value: unknown) => {
    if (value === null || typeof value !== 'object' || Array.isArray(value)) return value;
    const keys = Object.keys(value);
    if (keys.length !== 1) return value;
    const tagged = value as { $date?: number; $map?: [unknown, unknown][]; $set?: unknown[] };
    if (typeof tagged.$date === 'number') return new Date(tagged.$date);
    if (Array.isArray(tagged.$map)) return new Map(tagged.$map);
    if (Array.isArray(tagged.$set)) return new Set(tagged.$set);
    return value;
  });
}
