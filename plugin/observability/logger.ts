import pino from 'pino';
import { configSchema } from '../config/config-schema.js';
import type { Logger } from '../core/logger.js';

export type LogLevel = 'debug' | 'info' | 'warn' | 'error' | 'silent';
export type LogFormat = 'json' | 'text';

/** Where formatted lines go: stdout by default; tests hand in a collector. */
export interface LogDestination {
  write(line: string): void;
}

export interface LoggerOptions {
  /** Default `info`. */
  level?: LogLevel;
  /** Default `json`: one object per line, for a collector; `text` for a person at a terminal. */
  format?: LogFormat;
  destination?: LogDestination;
  /** Default `flexcharge-mit`. */
  name?: string;
}

/**
 * Field names that hold a secret wherever they appear (top level or one level down), censored by
 * pino before a line is written. The second line of defence: callers never pass secrets to begin
 * with, and a test scans the end-to-end suite's lines for anything that slipped through.
 */
export const REDACTED_FIELDS = [
  'authorization',
  'cookie',
  'password',
  'secret',
  'secretKey',
  'apiKey',
  'key',
  'appKey',
  'appSecret',
  'webhookSecret',
  'subscriberKey',
  'token',
  'cardToken',
  'accessToken',
  'pan',
  'cardNumber',
  'cvc',
  'cvv',
];

const REDACT_PATHS = REDACTED_FIELDS.flatMap((f) => [f, `*.${f}`]);

/** The plugin's logger: pino, JSON lines with ISO times and level names, secrets censored by field name. */
export function createLogger(options: LoggerOptions = {}): Logger {
  const destination = options.destination ?? pino.destination({ dest: 1, sync: true });
  const base = pino(
    {
      name: options.name ?? 'flexcharge-mit',
      level: options.level ?? 'info',
      messageKey: 'message',
      base: { pid: process.pid },
      timestamp: pino.stdTimeFunctions.isoTime,
      formatters: { level: (label) => ({ level: label }) },
      redact: { paths: REDACT_PATHS, censor: '[redacted]' },
    },
    options.format === 'text' ? textLines(destination) : destination,
  );
  return wrap(base);
}

function wrap(p: pino.Logger): Logger {
  return {
    info: (message, fields) => p.info(fields ?? {}, message),
    warn: (message, fields) => p.warn(fields ?? {}, message),
    error: (message, fields) => p.error(fields ?? {}, message),
    child: (fields) => wrap(p.child(fields)),
  };
}

/** `2026-03-02T09:00:00.000Z INFO rescue moved merchantId=default to=held`: pino's JSON, re-read. */
function textLines(out: LogDestination): LogDestination {
  return {
    write(line) {
      const { time, level, message, name: _name, pid: _pid, ...fields } = JSON.parse(line);
      const rest = Object.entries(fields)
        .map(([k, v]) => `${k}=${typeof v === 'string' ? v : JSON.stringify(v)}`)
        .join(' ');
      out.write(`${time} ${String(level).toUpperCase()} ${message}${rest ? ` ${rest}` : ''}\n`);
    },
  };
}

/**
 * LOG_LEVEL and LOG_FORMAT as the configuration schema reads them, before (and apart from) the rest
 * of the configuration: the logger exists before a command loads its configuration, and a bad value
 * elsewhere must still be logged. A bad value here falls back to the default; `loadConfig` reports it.
 */
export function loggerOptionsFromEnv(env: NodeJS.ProcessEnv): LoggerOptions {
  const level = configSchema.shape.LOG_LEVEL.safeParse(env.LOG_LEVEL);
  const format = configSchema.shape.LOG_FORMAT.safeParse(env.LOG_FORMAT);
  return {
    ...(level.success ? { level: level.data } : {}),
    ...(format.success ? { format: format.data } : {}),
  };
}
