import type { CardDetails, PostalAddress } from '../../plugin/core/billing-engine.js';
import type { BillingInformation } from './wire/objects.js';

/**
 * FlexCharge's `billingInformation`, always sent, with what the engine has and nothing else: often
 * only a country and a postal code, which is what card forms ask for. The card's own billing address
 * comes first, as the one the issuer checks; the customer's is the fallback. The two are never mixed,
 * so the street of one is not sent with the city of the other.
 */
export function billingInformationOf(
  card: CardDetails | null,
  customer: {
    readonly name: string | null;
    readonly phone: string | null;
    readonly address: PostalAddress | null;
  },
): BillingInformation {
  const address = card?.billingAddress ?? customer.address;
  const [firstName, ...rest] = (card?.holderName ?? customer.name ?? '').trim().split(/\s+/);
  const lastName = rest.join(' ');
  const countryCode = address?.country?.toUpperCase();
  return {
    ...(firstName ? { firstName } : {}),
    ...(lastName ? { lastName } : {}),
    ...(customer.phone ? { phone: customer.phone } : {}),
    ...(countryCode ? { country: countryName(countryCode), countryCode } : {}),
    ...(address?.line1 ? { addressLine1: address.line1 } : {}),
    ...(address?.line2 ? { addressLine2: address.line2 } : {}),
    ...(address?.state ? { state: address.state } : {}),
    ...(address?.city ? { city: address.city } : {}),
    ...(address?.postalCode ? { zipCode: address.postalCode } : {}),
  };
}

/** The fields §6.4 marks required of a billing address (state is required for US cards only). */
const REQUIRED: readonly (keyof BillingInformation)[] = [
  'firstName',
  'lastName',
  'country',
  'countryCode',
  'addressLine1',
  'city',
  'zipCode',
];

/**
 * Whether every field §6.4 requires is there. /transmit's billing address is optional, but once
 * sent its fields are held to the same rule, so a partial one is better left out there.
 */
export function isCompleteBilling(billing: BillingInformation): boolean {
  return REQUIRED.every((field) => Boolean(billing[field]));
}

const regionNames = new Intl.DisplayNames(['en'], { type: 'region' });

/** FlexCharge wants the country's name beside its code (`United States`, `US`). */
function countryName(code: string): string {
  try {
    return regionNames.of(code) ?? code;
  } catch {
    return code;
  }
}
