/**
 * Stripe's published test cards (docs.stripe.com/testing) and how the emulator makes them behave.
 * Each card can be used three ways, as on Stripe: its number (`card[number]`), its token
 * (`card[token]=tok_…`) or its test PaymentMethod id (`pm_card_…`, attached or retrieved directly).
 *
 * These numbers are public test data. A created PaymentMethod keeps only the catalogue `key`, the
 * derived brand/funding/country/last4 and a fingerprint; never the number itself.
 */

export type CardBrand = 'amex' | 'diners' | 'discover' | 'jcb' | 'mastercard' | 'unionpay' | 'visa';
export type CardFunding = 'credit' | 'debit' | 'prepaid';

export type CardBehaviour =
  /** Every charge succeeds. */
  | { kind: 'succeed' }
  /** Attaching to a customer fails with the decline, and so does every charge (Stripe validates on attach). */
  | { kind: 'decline'; declineCode: string }
  /** Attaching succeeds; every charge declines (4000000000000341). */
  | { kind: 'decline_after_attach'; declineCode: string }
  /**
   * The issuer asks for 3D Secure. `when` says for which charges:
   * `until_setup` – on-session charges, and off-session ones until an authenticated on-session charge set the card up;
   * `always` – every charge, so off-session (MIT) charges decline with `authentication_required`;
   * `on_session` – on-session charges only; off-session charges succeed.
   * The emulator has no browser: on-session authentication always completes (frictionless or challenge).
   */
  | {
      kind: 'three_d_secure';
      when: 'until_setup' | 'always' | 'on_session';
      flow: 'challenge' | 'frictionless';
    };

export interface TestCard {
  /** Stable catalogue key, stored on PaymentMethods instead of the number. */
  key: string;
  number: string;
  brand: CardBrand;
  funding: CardFunding;
  country: string;
  behaviour: CardBehaviour;
  description: string;
}

const ok = { kind: 'succeed' } as const;
const decline = (declineCode: string) => ({ kind: 'decline', declineCode }) as const;
const tds = (when: 'until_setup' | 'always' | 'on_session', flow: 'challenge' | 'frictionless') =>
  ({ kind: 'three_d_secure', when, flow }) as const;

/** `key` doubles as the suffix of the `pm_card_<key>` and `tok_<key>` test ids. */
export const TEST_CARDS: readonly TestCard[] = [
  card('visa', '4242424242424242', 'visa', 'credit', 'US', ok, 'Succeeds'),
  card('visa_debit', '4000056655665556', 'visa', 'debit', 'US', ok, 'Succeeds'),
  card('mastercard', '5555555555554444', 'mastercard', 'credit', 'US', ok, 'Succeeds'),
  card('mastercard_debit', '5200828282828210', 'mastercard', 'debit', 'US', ok, 'Succeeds'),
  card('mastercard_prepaid', '5105105105105100', 'mastercard', 'prepaid', 'US', ok, 'Succeeds'),
  card('amex', '378282246310005', 'amex', 'credit', 'US', ok, 'Succeeds'),
  card('discover', '6011111111111117', 'discover', 'credit', 'US', ok, 'Succeeds'),
  card('diners', '3056930009020004', 'diners', 'credit', 'US', ok, 'Succeeds'),
  card('jcb', '3566002020360505', 'jcb', 'credit', 'JP', ok, 'Succeeds'),
  card('unionpay', '6200000000000005', 'unionpay', 'credit', 'CN', ok, 'Succeeds'),
  card('de', '4000002760000016', 'visa', 'credit', 'DE', ok, 'Succeeds (Germany)'),
  card('fr', '4000002500000003', 'visa', 'credit', 'FR', ok, 'Succeeds (France)'),
  card('gb', '4000008260000000', 'visa', 'credit', 'GB', ok, 'Succeeds (United Kingdom)'),
  card(
    'visa_chargeDeclined',
    '4000000000000002',
    'visa',
    'credit',
    'US',
    decline('generic_decline'),
    'Declines: generic_decline',
  ),
  card(
    'visa_chargeDeclinedInsufficientFunds',
    '4000000000009995',
    'visa',
    'credit',
    'US',
    decline('insufficient_funds'),
    'Declines: insufficient_funds',
  ),
  card(
    'visa_chargeDeclinedLostCard',
    '4000000000009987',
    'visa',
    'credit',
    'US',
    decline('lost_card'),
    'Declines: lost_card (hard decline)',
  ),
  card(
    'visa_chargeDeclinedStolenCard',
    '4000000000009979',
    'visa',
    'credit',
    'US',
    decline('stolen_card'),
    'Declines: stolen_card (hard decline)',
  ),
  card(
    'chargeDeclinedExpiredCard',
    '4000000000000069',
    'visa',
    'credit',
    'US',
    decline('expired_card'),
    'Declines: expired_card',
  ),
  card(
    'chargeDeclinedIncorrectCvc',
    '4000000000000127',
    'visa',
    'credit',
    'US',
    decline('incorrect_cvc'),
    'Declines: incorrect_cvc',
  ),
  card(
    'chargeDeclinedProcessingError',
    '4000000000000119',
    'visa',
    'credit',
    'US',
    decline('processing_error'),
    'Declines: processing_error',
  ),
  card(
    'visa_chargeDeclinedVelocityLimitExceeded',
    '4000000000006975',
    'visa',
    'credit',
    'US',
    decline('card_velocity_exceeded'),
    'Declines: card_velocity_exceeded',
  ),
  card(
    'radarBlock',
    '4100000000000019',
    'visa',
    'credit',
    'US',
    decline('fraudulent'),
    'Blocked by Radar: fraudulent (hard decline)',
  ),
  card(
    'chargeCustomerFail',
    '4000000000000341',
    'visa',
    'credit',
    'US',
    { kind: 'decline_after_attach', declineCode: 'generic_decline' },
    'Attaches; every charge declines: generic_decline',
  ),
  card(
    'authenticationRequiredOnSetup',
    '4000002500003155',
    'visa',
    'credit',
    'FR',
    tds('until_setup', 'frictionless'),
    '3DS on the first (on-session) charge, frictionless; off-session charges then succeed',
  ),
  card(
    'authenticationRequired',
    '4000002760003184',
    'visa',
    'credit',
    'DE',
    tds('always', 'challenge'),
    '3DS on every charge: on-session authenticates (challenge), off-session declines authentication_required',
  ),
  card(
    'authenticationRequiredSetupForOffSession',
    '4000003800000446',
    'visa',
    'credit',
    'IT',
    tds('on_session', 'challenge'),
    '3DS on on-session charges (challenge); off-session charges succeed',
  ),
  card(
    'threeDSecure2Required',
    '4000000000003220',
    'visa',
    'credit',
    'US',
    tds('always', 'challenge'),
    '3DS2 on every charge: on-session authenticates, off-session declines authentication_required',
  ),
  card(
    'threeDSecureRequired',
    '4000000000003063',
    'visa',
    'credit',
    'US',
    tds('always', 'challenge'),
    '3DS on every charge: on-session authenticates, off-session declines authentication_required',
  ),
  card(
    'threeDSecureOptional',
    '4000000000003055',
    'visa',
    'credit',
    'US',
    ok,
    '3DS supported but not requested: succeeds without 3DS',
  ),
];

/** Spellings seen in docs and code that Stripe also accepts, mapped to catalogue keys. */
const ALIASES: Readonly<Record<string, string>> = {
  chargeDeclined: 'visa_chargeDeclined',
  chargeDeclinedInsufficientFunds: 'visa_chargeDeclinedInsufficientFunds',
  chargeDeclinedLostCard: 'visa_chargeDeclinedLostCard',
  chargeDeclinedStolenCard: 'visa_chargeDeclinedStolenCard',
  chargeDeclinedFraudulent: 'radarBlock',
};

const byKey = new Map(TEST_CARDS.map((c) => [c.key, c]));
const byNumber = new Map(TEST_CARDS.map((c) => [c.number, c]));

export function testCardByKey(key: string): TestCard | undefined {
  return byKey.get(key) ?? byKey.get(ALIASES[key] ?? '');
}

export function testCardByNumber(cardNumber: string): TestCard | undefined {
  return byNumber.get(cardNumber.replaceAll(/[\s-]/g, ''));
}

/** `pm_card_visa` → the Visa test card; anything else → undefined. */
export function testCardByPaymentMethodId(pmId: string): TestCard | undefined {
  return pmId.startsWith('pm_card_') ? testCardByKey(pmId.slice('pm_card_'.length)) : undefined;
}

/** `tok_visa` → the Visa test card. */
export function testCardByToken(token: string): TestCard | undefined {
  return token.startsWith('tok_') ? testCardByKey(token.slice('tok_'.length)) : undefined;
}

export function luhnValid(cardNumber: string): boolean {
  if (!/^\d{12,19}$/.test(cardNumber)) return false;
  let sum = 0;
  for (let i = 0; i < cardNumber.length; i++) {
    let d = Number(cardNumber[cardNumber.length - 1 - i]);
    if (i % 2 === 1) {
      d *= 2;
      if (d > 9) d -= 9;
    }
    sum += d;
  }
  return sum % 10 === 0;
}

function card(
  key: string,
  number: string,
  brand: CardBrand,
  funding: CardFunding,
  country: string,
  behaviour: CardBehaviour,
  description: string,
): TestCard {
  return { key, number, brand, funding, country, behaviour, description };
}
