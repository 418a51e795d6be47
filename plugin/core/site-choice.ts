import type { MerchantProfile, MerchantSite } from './merchant-runtime.js';
import type { FlexChargeEnvironment } from './merchant-settings.js';
import type { SiteReference } from './rescue-provider.js';

/**
 * The merchant's site a transaction belongs to, in this order: the site named by its metadata (our
 * site id, FlexCharge's site id in either environment, or the site's URL or host), the site whose
 * statement descriptor it carries, then the merchant's default site (the one marked default, or its
 * only site). Either environment's id names the site: metadata is written once per website, not per
 * FlexCharge account.
 */
export function resolveSite(
  profile: MerchantProfile,
  hints: { siteMetadata: string | null; statementDescriptor: string | null },
): MerchantSite | null {
  const { sites } = profile;
  const named = hints.siteMetadata?.trim().toLowerCase();
  if (named) {
    const byName = sites.find(
      (s) =>
        s.id === named ||
        Object.values(s.flexchargeSiteIds).some((id) => id?.toLowerCase() === named) ||
        (s.url !== null && sameSite(s.url, named)),
    );
    if (byName) return byName;
  }
  const descriptor = normalizeDescriptor(hints.statementDescriptor);
  if (descriptor) {
    const byDescriptor = sites.find((s) => normalizeDescriptor(s.statementDescriptor) === descriptor);
    if (byDescriptor) return byDescriptor;
  }
  return sites.find((s) => s.isDefault) ?? (sites.length === 1 ? (sites[0] ?? null) : null);
}

/**
 * How the transaction names its site to FlexCharge: one kind only, the site's FlexCharge id in
 * `environment` when known (the other environment's id belongs to another account, which refuses
 * it), else the site's URL, else its statement descriptor. Without any of these, the site id or URL
 * given with the environment's credentials, else the transaction's own descriptor.
 */
export function siteReference(
  site: MerchantSite | null,
  profile: MerchantProfile,
  environment: FlexChargeEnvironment,
  statementDescriptor: string | null,
): SiteReference {
  const siteId = site?.flexchargeSiteIds[environment];
  if (siteId) return { kind: 'site_id', value: siteId };
  if (site?.url) return { kind: 'site_url', value: site.url };
  const descriptor = site?.statementDescriptor ?? null;
  if (descriptor) return { kind: 'descriptor', value: descriptor };
  const defaults = profile.credentialSites[environment];
  if (defaults?.siteId) return { kind: 'site_id', value: defaults.siteId };
  if (defaults?.siteUrl) return { kind: 'site_url', value: defaults.siteUrl };
  if (statementDescriptor) return { kind: 'descriptor', value: statementDescriptor };
  return { kind: 'none' };
}

/** A short label for reports and the admin API: the reference's value. */
export function siteLabelOf(reference: SiteReference): string | null {
  return reference.kind === 'none' ? null : reference.value;
}

function sameSite(url: string, named: string): boolean {
  const a = hostOf(url);
  return a !== null && (url.toLowerCase() === named || a === hostOf(named) || a === named);
}

function hostOf(value: string): string | null {
  try {
    return new URL(value.includes('://') ? value : `https://${value}`).host.toLowerCase();
  } catch {
    return null;
  }
}

function normalizeDescriptor(value: string | null): string | null {
  const v = value?.trim().replace(/\s+/g, ' ').toUpperCase();
  return v ? v : null;
}
