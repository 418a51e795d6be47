import type { Kysely } from 'kysely';
import { DEMO_CREDENTIAL } from '../../../adapters/flexcharge/sandbox/sandbox-credentials.js';
import type { SecretBox } from '../../security/secret-box.js';
import { createMerchantRepository } from '../../storage/merchant-repository.js';
import type { Database } from '../../storage/schema.js';

export const DEMO_MERCHANT_NAME = 'Daily Greens (renewal-day demo)';

/** The two websites of the demo merchant; a subscription names its own in `flexcharge_site` metadata. */
export const DEMO_SITES = [
  { url: 'https://dailygreens.example', statementDescriptor: 'DAILYGREENS' },
  { url: 'https://box.dailygreens.example', statementDescriptor: 'GREENS BOX' },
] as const;

export interface DemoMerchant {
  readonly id: string;
  /** The value each site's subscriptions carry under the merchant's site metadata key. */
  readonly siteMetadata: readonly [string, string];
  readonly siteMetadataKey: string;
}

/**
 * The environment's merchant (already seeded with the bundled sandbox's demo account) dressed as a
 * shop with two websites: the first is the sandbox account's registered site (by its FlexCharge id),
 * the second is named by its URL. The Stripe emulator's webhooks reach this merchant on the bare
 * routes, so the pages show the story under it without a Stripe connection of its own.
 */
export async function dressDemoMerchant(
  db: Kysely<Database>,
  box: SecretBox,
  merchantId: string,
  now: Date,
): Promise<DemoMerchant> {
  const merchants = createMerchantRepository(db, box);
  const merchant = await merchants.upsertMerchant({ id: merchantId, name: DEMO_MERCHANT_NAME }, now);
  const [first, second] = DEMO_SITES;
  await merchants.addSite(
    merchantId,
    { ...first, flexchargeSiteIds: { sandbox: DEMO_CREDENTIAL.siteIds?.[0] ?? null }, isDefault: true },
    now,
  );
  await merchants.addSite(merchantId, { ...second }, now);
  return {
    id: merchantId,
    siteMetadataKey: merchant.siteMetadataKey,
    siteMetadata: [new URL(first.url).host, new URL(second.url).host],
  };
}
