import { type PluginError, ValidationError } from '../core/errors.js';
import type { Merchant, MerchantDetails, RedactedSecret, Site } from '../storage/merchant-repository.js';

/** How `flexcharge-mit merchants` shows merchants as text: the redacted views, never a secret. */

export function describeMerchantList(merchants: readonly Merchant[]): string[] {
  if (merchants.length === 0) return ['no merchants'];
  return merchants.map((m) => `${m.id}  ${m.name}`);
}

export function describeMerchant(m: MerchantDetails): string[] {
  const lines = [
    `merchant ${m.id}: ${m.name}`,
    `  metadata keys: site ${m.siteMetadataKey}, order channel ${m.orderChannelMetadataKey}`,
    `  updated ${m.updatedAt.toISOString()}`,
  ];
  lines.push('  FlexCharge credentials:', ...none(m.credentials));
  for (const c of m.credentials) {
    lines.push(
      `    ${c.environment}: mid ${c.mid}, app key ${secret(c.appKey)}, app secret ${secret(c.appSecret)}, ` +
        `webhook key ${secret(c.webhookKey)}`,
    );
    if (c.defaultSiteId || c.defaultSiteUrl)
      lines.push(
        `      default site id ${c.defaultSiteId ?? '-'}, default site url ${c.defaultSiteUrl ?? '-'}`,
      );
  }
  lines.push('  flows:', ...none(m.flows));
  for (const f of m.flows) lines.push(`    ${f.flow}: ${f.mode} in ${f.environment}`);
  lines.push('  sites:', ...none(m.sites));
  for (const s of m.sites) lines.push(...describeSite(s).map((l) => `    ${l}`));
  lines.push('  billing engines:', ...none(m.engines));
  for (const e of m.engines)
    lines.push(
      `    ${e.engine}: api key ${secret(e.apiKey)}, webhook secret ${secret(e.webhookSecret)}, ` +
        `account ${e.stripeAccountId ?? '-'}`,
    );
  return lines;
}

export function describeSite(s: Site): string[] {
  const switches = Object.entries(s.enabled)
    .map(([flow, on]) => `${flow} ${on ? 'on' : 'off'}`)
    .join(', ');
  return [
    `${s.id}${s.isDefault ? ' (default)' : ''}: url ${s.url ?? '-'}, descriptor ${s.statementDescriptor ?? '-'}, ` +
      `FlexCharge site sandbox ${s.flexchargeSiteIds.sandbox ?? '-'}, ` +
      `production ${s.flexchargeSiteIds.production ?? '-'}; ${switches}`,
  ];
}

/** A plugin error as lines: its message, then each bad field with what is wrong (and its flag). */
export function describeError(err: PluginError, flags: Readonly<Record<string, string>> = {}): string[] {
  const lines = [err.message];
  if (err instanceof ValidationError)
    for (const [field, messages] of Object.entries(err.fields)) {
      const flag = flags[field] ? ` (${flags[field]})` : '';
      lines.push(`  ${field}${flag}: ${messages.join('; ')}`);
    }
  return lines;
}

function secret(s: RedactedSecret | null): string {
  if (!s) return 'not set';
  if (!s.readable) return `unreadable (sealed under ${s.keyId})`;
  return s.last4 ? `set, ends ${s.last4}` : 'set';
}

function none(items: readonly unknown[]): string[] {
  return items.length ? [] : ['    none'];
}
