import { createWriteStream, mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import type { Logger } from '../../core/logger.js';
import { createLogger, type LoggerOptions } from '../../observability/logger.js';

export interface FileLogger extends Logger {
  readonly path: string;
  close(): Promise<void>;
}

/**
 * The plugin's log appended to a file, the same redacted lines the terminal would get, so the
 * terminal is left to the renewal day's progress and summary.
 */
export function createFileLogger(path: string, options: LoggerOptions = {}): FileLogger {
  mkdirSync(dirname(path), { recursive: true });
  const stream = createWriteStream(path, { flags: 'a' });
  const logger = createLogger({ ...options, destination: { write: (line) => stream.write(line) } });
  return {
    ...logger,
    path,
    close: () => new Promise<void>((resolve) => stream.end(() => resolve())),
  };
}
