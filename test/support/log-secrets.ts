import { blankGuids, luhnValid } from '../../adapters/flexcharge/redact.js';
/**
 * What must never appear in a log line, found by shape (so it needs no knowledge of the run) and,
 * when the caller knows them, by exact value (a FlexCharge card token is a bare UUID, like every
 * other id; only its value tells it apart). A finding names its kind and never repeats the secret.
 */
export interface SecretFinding {
  readonly kind: string;
  /** Where in the line it starts. */
  readonly at: number;
}

const SHAPES: readonly { kind: string; pattern: RegExp }[] = [
  { kind: 'stripe secret key', pattern: /\b(?:sk|rk)_(?:test|live)_[A-Za-z0-9]{6,}/g },
  { kind: 'stripe webhook secret', pattern: /\bwhsec_[A-Za-z0-9+/=]{6,}/g },
  { kind: 'bearer credential', pattern: /\bBearer\s+[A-Za-z0-9._~+/=-]{8,}/gi },
  { kind: 'basic credential', pattern: /\bBasic\s+[A-Za-z0-9+/=]{8,}/g },
  { kind: 'merchant api key', pattern: /\bfcm_[0-9a-f]{12}_[A-Za-z0-9_-]{43}/g },
  // FlexCharge's access token is a JWT; its refresh token an ASP.NET Identity blob.
  { kind: 'json web token', pattern: /\beyJ[A-Za-z0-9_-]{8,}\.eyJ[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]{8,}/g },
  { kind: 'flexcharge refresh token', pattern: /AQAAAAEAACcQAAAAE[A-Za-z0-9+/=]{16,}/g },
];

/**
 * 13 to 19 digits, alone or grouped by spaces or dashes, starting as a card network's numbers do
 * (2 to 6: Mastercard, Visa, Amex, Discover, JCB, Diners), Luhn-valid. The leading digit keeps
 * epoch milliseconds (1…) out; the Luhn check most other long numbers. A GUID's digit groups can
 * chain into such a run (one order id in ten would pass), so GUIDs are blanked first, as the redactor does.
 */
const DIGIT_RUN = /(?<![\d.])[2-6](?:[ -]?\d){12,18}(?![\d.])/g;

export { luhnValid };

export function findSecrets(line: string, known: readonly string[] = []): SecretFinding[] {
  const found: SecretFinding[] = [];
  for (const { kind, pattern } of SHAPES)
    for (const m of line.matchAll(pattern)) found.push({ kind, at: m.index ?? 0 });
  for (const m of blankGuids(line).matchAll(DIGIT_RUN)) {
    const digits = m[0].replace(/[ -]/g, '');
    if (digits.length >= 13 && digits.length <= 19 && luhnValid(digits))
      found.push({ kind: 'card number', at: m.index ?? 0 });
  }
  for (const secret of known) {
    // Short values (a test's `x`) would match anything; real secrets are long.
    if (secret.length < 8) continue;
    const at = line.indexOf(secret);
    if (at >= 0) found.push({ kind: 'known secret of this run', at });
  }
  return found;
}

/** A report of every finding in `lines`, each as `line N: kind`, or null when there is none. */
export function secretsReport(lines: readonly string[], known: readonly string[] = []): string | null {
  const report = lines.flatMap((line, i) =>
    findSecrets(line, known).map((f) => `line ${i + 1} (at ${f.at}): ${f.kind}`),
  );
  return report.length ? report.join('\n') : null;
}
