import { randomUUID } from 'node:crypto';
import type { Clock } from '../../../plugin/core/clock.js';
import type { TestCard } from './test-cards.js';

/**
 * Cards stored by /tokenize (contract §4). The PAN and CVV are never kept: only what a receipt or the
 * rule table needs (first digits, last four, brand, expiry, whether a CVV was given). A token belongs
 * to the merchant that created it; another MID cannot use it.
 */
export interface VaultedCard {
  readonly token: string;
  readonly mid: string;
  readonly last4: string;
  /** The first 8 digits, as the real sandbox returns them under `first_six_digits`. */
  readonly firstDigits: string;
  readonly brand: TestCard['brand'];
  readonly month: number;
  readonly year: number;
  readonly firstName: string;
  readonly lastName: string;
  readonly email: string | null;
  readonly hasCvv: boolean;
  readonly createdAt: Date;
}

export interface CardToVault {
  mid: string;
  card: TestCard;
  month: number;
  year: number;
  firstName: string;
  lastName: string;
  email: string | undefined;
  hasCvv: boolean;
}

export class CardVault {
  readonly #clock: Clock;
  readonly #cards = new Map<string, VaultedCard>();

  constructor(clock: Clock) {
    this.#clock = clock;
  }

  store(input: CardToVault): VaultedCard {
    const vaulted: VaultedCard = {
      token: randomUUID(),
      mid: input.mid,
      last4: input.card.last4,
      firstDigits: input.card.pan.slice(0, 8),
      brand: input.card.brand,
      month: input.month,
      year: input.year,
      firstName: input.firstName,
      lastName: input.lastName,
      email: input.email ?? null,
      hasCvv: input.hasCvv,
      createdAt: this.#clock.now(),
    };
    this.#cards.set(vaulted.token, vaulted);
    return vaulted;
  }

  /** For the state file (no card number or CVV is ever held). */
  saveState(): Map<string, VaultedCard> {
    return this.#cards;
  }

  loadState(saved: Map<string, VaultedCard>): void {
    for (const [token, card] of saved) this.#cards.set(token, card);
  }

  /** The card behind a token, if this merchant created it. */
  find(token: string, mid: string): VaultedCard | undefined {
    const card = this.#cards.get(token.trim());
    return card?.mid === mid ? card : undefined;
  }
}
