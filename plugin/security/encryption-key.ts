import { randomBytes } from 'node:crypto';
import { linkSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { ConfigError } from '../core/errors.js';
import type { Logger } from '../core/logger.js';
import { KEY_BYTES } from './secret-box.js';

export const LOCAL_KEY_FILE = 'encryption.key';

/**
 * The key that encrypts secrets at rest. ENCRYPTION_KEY when set. In the local mode without it, a
 * key generated once under DATA_DIR, so `npm start` just works; anywhere else the start is refused
 * (the configuration schema already says so; this is the last line).
 */
export function resolveEncryptionKey(
  config: { ENCRYPTION_KEY?: string | undefined; FLEXCHARGE_ENV: string; DATA_DIR: string },
  logger: Logger,
): Buffer {
  if (config.ENCRYPTION_KEY) return Buffer.from(config.ENCRYPTION_KEY, 'base64');
  if (config.FLEXCHARGE_ENV !== 'local') {
    throw new ConfigError('ENCRYPTION_KEY is required outside the local mode', [
      { variable: 'ENCRYPTION_KEY', message: `is required when FLEXCHARGE_ENV=${config.FLEXCHARGE_ENV}` },
    ]);
  }
  const dir = resolve(config.DATA_DIR);
  const file = join(dir, LOCAL_KEY_FILE);
  const existing = readLocalKey(file);
  if (existing) return existing;
  mkdirSync(dir, { recursive: true });
  // Written aside and linked into place: two processes starting at once end with one key, never half.
  const draft = `${file}.${process.pid}.${randomBytes(4).toString('hex')}`;
  writeFileSync(draft, `${randomBytes(KEY_BYTES).toString('base64')}\n`, { mode: 0o600 });
  try {
    linkSync(draft, file);
    logger.warn('ENCRYPTION_KEY is not set: generated a local key; set ENCRYPTION_KEY outside local', {
      file,
    });
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
  } finally {
    rmSync(draft, { force: true });
  }
  const created = readLocalKey(file);
  if (!created) throw new ConfigError(`${file} does not hold a ${KEY_BYTES}-byte base64 key`);
  return created;
}

function readLocalKey(file: string): Buffer | null {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw err;
  }
  const key = Buffer.from(text.trim(), 'base64');
  if (key.length !== KEY_BYTES) throw new ConfigError(`${file} does not hold a ${KEY_BYTES}-byte base64 key`);
  return key;
}

/**
 * The keys ENCRYPTION_KEY replaced (ENCRYPTION_KEY_PREVIOUS, comma-separated base64): secrets sealed
 * under them still open, and `keys rotate` re-seals them under the current key.
 */
export function resolvePreviousKeys(config: { ENCRYPTION_KEY_PREVIOUS?: string | undefined }): Buffer[] {
  if (!config.ENCRYPTION_KEY_PREVIOUS) return [];
  return config.ENCRYPTION_KEY_PREVIOUS.split(',').map((k) => Buffer.from(k.trim(), 'base64'));
}
