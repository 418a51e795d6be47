import { declineSpec } from './decline-codes.js';
import type { CardState } from './emulator-store.js';
import { cardError } from './errors.js';
import type { TestCard } from './test-cards.js';

export interface CardDecision {
  approved: boolean;
  declineCode: string | null;
  /** Set when the issuer asked for 3D Secure and the (emulated) cardholder authenticated. */
  threeDSecureFlow: 'challenge' | 'frictionless' | null;
}

/**
 * What the "issuer" says to a charge of this card. On-session 3DS always authenticates (there is no
 * browser to fail in); off-session charges of cards that need authentication decline with
 * `authentication_required`. A behaviour override from the control API wins over the card's own.
 */
export function decideCardCharge(card: TestCard, state: CardState, offSession: boolean): CardDecision {
  const base = baseDecision(card, state, offSession);
  if (!state.override) return base;
  const { declineCode } = state.override;
  if (declineCode !== null) return { approved: false, declineCode, threeDSecureFlow: null };
  return { approved: true, declineCode: null, threeDSecureFlow: offSession ? null : base.threeDSecureFlow };
}

function baseDecision(card: TestCard, state: CardState, offSession: boolean): CardDecision {
  const behaviour = card.behaviour;
  switch (behaviour.kind) {
    case 'succeed':
      return approve(null);
    case 'decline':
    case 'decline_after_attach':
      return decline(behaviour.declineCode);
    case 'three_d_secure': {
      if (!offSession) return approve(behaviour.flow);
      const needsCustomer =
        behaviour.when === 'always' || (behaviour.when === 'until_setup' && !state.setUpForOffSession);
      return needsCustomer ? decline('authentication_required') : approve(null);
    }
  }
}

/** Stripe validates a card when it is attached to a customer; the always-declining test cards fail there. */
export function assertAttachable(card: TestCard): void {
  if (card.behaviour.kind !== 'decline') return;
  const spec = declineSpec(card.behaviour.declineCode);
  throw cardError({
    code: spec.failureCode,
    declineCode: spec.declineCode,
    message: spec.message,
    adviceCode: spec.adviceCode,
    networkDeclineCode: spec.networkDeclineCode,
  });
}

function approve(flow: 'challenge' | 'frictionless' | null): CardDecision {
  return { approved: true, declineCode: null, threeDSecureFlow: flow };
}

function decline(declineCode: string): CardDecision {
  return { approved: false, declineCode, threeDSecureFlow: null };
}
