import type { SiteReference } from '../../plugin/core/rescue-provider.js';

/** FlexCharge's `transaction.dynamicDescriptor` holds at most 22 characters, as card statements do. */
export const MAX_DESCRIPTOR_LENGTH = 22;

/**
 * The root fields that name the order's site: `siteId` or `siteUrl`, or neither (a descriptor goes
 * in the transaction, see `descriptorOf`). Exactly one kind of reference is ever sent.
 */
export function siteRootFields(site: SiteReference): { siteId?: string; siteUrl?: string } {
  if (site.kind === 'site_id') return { siteId: site.value };
  if (site.kind === 'site_url') return { siteUrl: site.value };
  return {};
}

/** `transaction.dynamicDescriptor` when the descriptor is the chosen kind of site reference. */
export function descriptorOf(site: SiteReference): { dynamicDescriptor?: string } {
  if (site.kind !== 'descriptor') return {};
  const descriptor = site.value.trim().slice(0, MAX_DESCRIPTOR_LENGTH);
  return descriptor ? { dynamicDescriptor: descriptor } : {};
}
