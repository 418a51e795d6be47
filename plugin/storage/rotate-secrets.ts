import { type Kysely, sql } from 'kysely';
import type { SecretBox } from '../security/secret-box.js';
import { sealClearCardTokens } from './card-token-repository.js';
import { type Database, SCHEMA } from './schema.js';
import { SEALED_COLUMNS, type SealedColumn } from './sealed-columns.js';

/** A stored secret the rotation could not re-seal; names its row, never its value. */
export interface RotationProblem {
  readonly table: string;
  readonly row: Readonly<Record<string, string>>;
  readonly secret: string;
  readonly keyId: string;
  readonly reason: 'unknown_key' | 'does_not_open';
}

export interface RotationReport {
  /** The key every secret is now sealed under. */
  readonly keyId: string;
  readonly resealed: number;
  readonly alreadyCurrent: number;
  /** Card tokens an earlier version kept in clear, sealed on the way. */
  readonly sealedFromClear: number;
  readonly problems: readonly RotationProblem[];
}

/**
 * Re-seals every stored secret (`SEALED_COLUMNS`) under the box's current key, opening each with
 * whichever known key sealed it. A secret under a key the box does not know, or that does not
 * authenticate, is left as it is and reported: skipping it silently would leave a secret that the
 * next key change turns unreadable without anyone noticing.
 *
 * Each row is updated only if it still holds the ciphertext that was read, so a secret rewritten
 * meanwhile (by the admin API, by another rotation) is never overwritten with an older value. Safe
 * to run again, and while the plugin runs, as long as the plugin knows both keys.
 */
export async function rotateSecrets(db: Kysely<Database>, box: SecretBox): Promise<RotationReport> {
  const sealedFromClear = await sealClearCardTokens(db, box);
  let resealed = 0;
  let alreadyCurrent = 0;
  const problems: RotationProblem[] = [];
  for (const column of SEALED_COLUMNS) {
    const result = await rotateColumn(db, box, column);
    resealed += result.resealed;
    alreadyCurrent += result.alreadyCurrent;
    problems.push(...result.problems);
  }
  return { keyId: box.keyId, resealed, alreadyCurrent, sealedFromClear, problems };
}

interface StoredSecret {
  ciphertext: Uint8Array;
  key_id: string;
  [keyColumn: string]: unknown;
}

async function rotateColumn(db: Kysely<Database>, box: SecretBox, column: SealedColumn) {
  const table = sql.table(`${SCHEMA}.${column.table}`);
  const ciphertextColumn = sql.ref(`${column.secret}_ciphertext`);
  const keyIdColumn = sql.ref(`${column.secret}_key_id`);
  const keys = sql.join(column.keyColumns.map((c) => sql.ref(c)));

  const { rows: counted } = await sql<{ n: number }>`
    select count(*)::int as n from ${table} where ${keyIdColumn} = ${box.keyId}`.execute(db);
  const stale = await sql<StoredSecret>`
    select ${keys}, ${ciphertextColumn} as ciphertext, ${keyIdColumn} as key_id
    from ${table} where ${keyIdColumn} is not null and ${keyIdColumn} <> ${box.keyId}`.execute(db);

  let resealed = 0;
  const problems: RotationProblem[] = [];
  for (const row of stale.rows) {
    const identity = Object.fromEntries(column.keyColumns.map((c) => [c, String(row[c])]));
    const report = (reason: RotationProblem['reason']) =>
      problems.push({ table: column.table, row: identity, secret: column.secret, keyId: row.key_id, reason });
    if (!box.knows(row.key_id)) {
      report('unknown_key');
      continue;
    }
    let plaintext: string;
    try {
      plaintext = box.open({ keyId: row.key_id, ciphertext: row.ciphertext }, column.context(row));
    } catch {
      report('does_not_open');
      continue;
    }
    const sealed = box.seal(plaintext, column.context(row));
    const sameRow = sql.join(
      column.keyColumns.map((c) => sql`${sql.ref(c)} = ${row[c]}`),
      sql` and `,
    );
    const updated = await sql`
      update ${table} set ${ciphertextColumn} = ${sealed.ciphertext}, ${keyIdColumn} = ${sealed.keyId}
      where ${sameRow} and ${keyIdColumn} = ${row.key_id} and ${ciphertextColumn} = ${row.ciphertext}`.execute(
      db,
    );
    resealed += Number(updated.numAffectedRows ?? 0);
  }
  return { resealed, alreadyCurrent: counted[0]?.n ?? 0, problems };
}
