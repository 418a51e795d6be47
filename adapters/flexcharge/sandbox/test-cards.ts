/**
 * The whitelisted test cards (contract §12: the vendor's list was never found, so this one is the
 * sandbox's own). Any other card number is refused as real card data. Each card says how a
 * customer-initiated evaluate ends and whether FlexCharge can rescue a merchant-initiated one; the
 * rule table in outcome-rules.ts combines this with the rest of the request.
 */
export interface TestCard {
  readonly pan: string;
  readonly brand: 'VISA' | 'MASTERCARD';
  readonly last4: string;
  /** Customer-initiated evaluate (before the hard-decline and phone/CVV rules). */
  readonly cit: 'APPROVED' | 'CHALLENGE' | 'DECLINED';
  /** Whether a merchant-initiated evaluate can end APPROVED (then subject to `approvalRate`). */
  readonly rescuable: boolean;
  /** Why the card is in the list. */
  readonly note: string;
}

export const TEST_CARDS: readonly TestCard[] = [
  {
    pan: '4111111111111111',
    brand: 'VISA',
    last4: '1111',
    cit: 'CHALLENGE',
    rescuable: true,
    note: 'observed in the real sandbox: CIT → CHALLENGE, DECLINED without phone and CVV',
  },
  {
    pan: '4000002760003184',
    brand: 'VISA',
    last4: '3184',
    cit: 'APPROVED',
    rescuable: true,
    note: 'observed: MIT → SUBMITTED (managed) or APPROVED (sync); AUTHORIZATION → CAPTUREREQUIRED',
  },
  {
    pan: '4242424242424242',
    brand: 'VISA',
    last4: '4242',
    cit: 'APPROVED',
    rescuable: true,
    note: 'sandbox policy: always rescued',
  },
  {
    pan: '5555555555554444',
    brand: 'MASTERCARD',
    last4: '4444',
    cit: 'APPROVED',
    rescuable: true,
    note: 'sandbox policy: always rescued (a Mastercard for variety)',
  },
  {
    pan: '4000000000000002',
    brand: 'VISA',
    last4: '0002',
    cit: 'DECLINED',
    rescuable: false,
    note: 'sandbox policy: never rescued; a managed MIT expires',
  },
  {
    pan: '4000300011112220',
    brand: 'VISA',
    last4: '2220',
    cit: 'DECLINED',
    rescuable: false,
    note: "ActiveMerchant's declined card: never rescued; a managed MIT expires",
  },
];

/** Card numbers may be sent with spaces or dashes; only the digits count. */
export function findTestCard(pan: string): TestCard | undefined {
  const digits = pan.replace(/[\s-]/g, '');
  return TEST_CARDS.find((card) => card.pan === digits);
}

export function findTestCardByLast4(last4: string): TestCard | undefined {
  return TEST_CARDS.find((card) => card.last4 === last4);
}
