import { appendFileSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { Logger } from '../../plugin/core/logger.js';
import { createLogger } from '../../plugin/observability/logger.js';

/**
 * The plugin's real logger (pino, its redaction included) writing into memory instead of stdout, so
 * the test output stays readable and the lines can be scanned. With LOG_CAPTURE_DIR set (the test
 * runner sets it), every line is also appended to `<dir>/<pid>.ndjson`, for the scan that runs
 * after the end-to-end suite over all its files' lines.
 */
export function createCapturedLogger(): { logger: Logger; lines: () => readonly string[] } {
  const lines: string[] = [];
  const dir = process.env.LOG_CAPTURE_DIR;
  const file = dir ? join(dir, `${process.pid}.ndjson`) : null;
  if (dir) mkdirSync(dir, { recursive: true });
  const logger = createLogger({
    level: 'info',
    destination: {
      write(line) {
        lines.push(line.trimEnd());
        if (file) appendFileSync(file, line);
      },
    },
  });
  return { logger, lines: () => lines };
}
