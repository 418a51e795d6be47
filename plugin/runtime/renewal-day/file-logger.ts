import { createWriteStream, mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import type { Logger } from '../../core/logger.js';

export interface FileLogger extends Logger {
  readonly path: string;
  close(): Promise<void>;
}

/**
 * The plugin's log as JSON lines appended to a file, the same entries `createConsoleLogger` writes,
 * so the terminal is left to the renewal day's progress and summary.
 */
export function createFileLogger(path: string, name = 'flexcharge-mit'): FileLogger {
  mkdirSync(dirname(path), { recursive: true });
  const stream = createWriteStream(path, { flags: 'a' });
  const write = (level: string, message: string, fields?: Record<string, unknown>) => {
    stream.write(`${JSON.stringify({ time: new Date().toISOString(), level, name, message, ...fields })}\n`);
  };
  return {
    path,
    info: (m, f) => write('info', m, f),
    warn: (m, f) => write('warn', m, f),
    error: (m, f) => write('error', m, f),
    close: () => new Promise<void>((resolve) => stream.end(() => resolve())),
  };
}
