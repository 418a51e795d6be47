import type { Config } from '../config/config-schema.js';
import type { Logger } from '../core/logger.js';
import { resolveEncryptionKey, resolvePreviousKeys } from '../security/encryption-key.js';
import { createSecretBox } from '../security/secret-box.js';
import { type DatabaseHandle, openDatabase, targetFromConfig } from '../storage/database.js';
import { migrateToLatest } from '../storage/migrate.js';
import { type RotationReport, rotateSecrets } from '../storage/rotate-secrets.js';

export const KEYS_USAGE = 'usage: flexcharge-mit keys rotate   (ENCRYPTION_KEY, ENCRYPTION_KEY_PREVIOUS)';

/**
 * `keys rotate`: re-seals every stored secret under ENCRYPTION_KEY, opening the old ones with the
 * keys in ENCRYPTION_KEY_PREVIOUS. Prints what it did, never a secret; returns the exit code (1 when
 * a secret could not be re-sealed, so a script running it does not carry on as if all were done).
 */
export async function runKeysCommand(
  argv: readonly string[],
  config: Config,
  deps: { logger: Logger; print: (line: string) => void; database?: DatabaseHandle },
): Promise<number> {
  if (argv[0] !== 'rotate') {
    deps.print(KEYS_USAGE);
    return 2;
  }
  const database = deps.database ?? (await openDatabase(targetFromConfig(config)));
  try {
    await migrateToLatest(database.db);
    const box = createSecretBox(resolveEncryptionKey(config, deps.logger), resolvePreviousKeys(config));
    const report = await rotateSecrets(database.db, box);
    for (const line of describeRotation(report)) deps.print(line);
    return report.problems.length ? 1 : 0;
  } finally {
    if (!deps.database) await database.close();
  }
}

export function describeRotation(report: RotationReport): string[] {
  const lines = [
    `sealed under ${report.keyId}: ${report.resealed} re-encrypted, ${report.alreadyCurrent} already current` +
      (report.sealedFromClear ? `, ${report.sealedFromClear} card tokens encrypted from clear` : ''),
  ];
  for (const p of report.problems) {
    const row = Object.entries(p.row)
      .map(([k, v]) => `${k}=${v}`)
      .join(' ');
    const why =
      p.reason === 'unknown_key'
        ? `sealed under ${p.keyId}, which is neither ENCRYPTION_KEY nor in ENCRYPTION_KEY_PREVIOUS`
        : `does not open under ${p.keyId}: altered, or moved from another row`;
    lines.push(`not re-encrypted: ${p.table} ${row} ${p.secret}: ${why}`);
  }
  return lines;
}
