/** Structured, one-line-per-entry logging. Fields must never carry card data or secrets. */
export interface Logger {
  info(message: string, fields?: Record<string, unknown>): void;
  warn(message: string, fields?: Record<string, unknown>): void;
  error(message: string, fields?: Record<string, unknown>): void;
  /** A logger whose every entry also carries `fields` (e.g. the ids of the rescue being worked). */
  child?(fields: Record<string, unknown>): Logger;
}

/**
 * `logger` with `fields` on every entry: its own `child` when it has one (pino's binds them once),
 * else a wrapper, so a plain test logger works too. An entry's own fields win over these.
 */
export function withFields(logger: Logger, fields: Record<string, unknown>): Logger {
  if (logger.child) return logger.child(fields);
  const merged = (more?: Record<string, unknown>) => ({ ...fields, ...more });
  return {
    info: (m, f) => logger.info(m, merged(f)),
    warn: (m, f) => logger.warn(m, merged(f)),
    error: (m, f) => logger.error(m, merged(f)),
    child: (more) => withFields(logger, { ...fields, ...more }),
  };
}

export const silentLogger: Logger = { info() {}, warn() {}, error() {} };
