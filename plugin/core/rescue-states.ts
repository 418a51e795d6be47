/**
 * A rescue's life, one per (merchant, engine, invoice). Stored as text with a check constraint that
 * lists exactly these values (migration 0002); change both together.
 *
 *   received ─▶ ineligible                      (never handed over; reason recorded)
 *   received ─▶ evaluating ─▶ holding ─▶ held ─▶ approved ─▶ recovered
 *                   │                      │         └──────▶ refunding ─▶ conflict   (paid elsewhere first)
 *                   │                      ├──▶ releasing ─▶ released                  (expired / not rescued)
 *                   │                      └──▶ cancelling ─▶ cancelled                (paid elsewhere, voided, sub cancelled)
 *                   └──▶ declined                                                      (FlexCharge refused at once)
 *   any open state ─▶ needs_attention (kept failing; a person looks, then retries it)
 */
export const RESCUE_STATES = [
  'received',
  'ineligible',
  'evaluating',
  'declined',
  'holding',
  'held',
  'approved',
  'recovered',
  'releasing',
  'released',
  'cancelling',
  'cancelled',
  'refunding',
  'conflict',
  'needs_attention',
] as const;

export type RescueState = (typeof RESCUE_STATES)[number];

export const FINAL_STATES: ReadonlySet<RescueState> = new Set([
  'ineligible',
  'declined',
  'recovered',
  'released',
  'cancelled',
  'conflict',
]);

const TRANSITIONS: Readonly<Record<RescueState, readonly RescueState[]>> = {
  received: ['ineligible', 'evaluating', 'cancelled'],
  evaluating: ['holding', 'approved', 'declined', 'ineligible', 'cancelling', 'cancelled'],
  holding: ['held', 'approved', 'cancelling', 'releasing'],
  held: ['approved', 'releasing', 'cancelling'],
  approved: ['recovered', 'refunding'],
  releasing: ['released', 'approved', 'cancelled'],
  cancelling: ['cancelled', 'refunding'],
  refunding: ['conflict'],
  needs_attention: [
    'received',
    'evaluating',
    'holding',
    'held',
    'approved',
    'releasing',
    'cancelling',
    'refunding',
  ],
  ineligible: [],
  declined: [],
  recovered: [],
  released: [],
  cancelled: [],
  conflict: [],
};

export function canTransition(from: RescueState, to: RescueState): boolean {
  if (to === 'needs_attention') return !FINAL_STATES.has(from) && from !== 'needs_attention';
  return TRANSITIONS[from].includes(to);
}

/** Why a renewal failure was not handed to FlexCharge; shown to the merchant as is. */
export const INELIGIBLE_REASONS = [
  'mit_disabled',
  'not_a_renewal',
  'not_automatic_collection',
  'not_first_failure',
  'not_off_session',
  'stale_failure',
  'amount_out_of_range',
  'no_retry_decline',
  'no_card_token',
  'invoice_not_open',
] as const;

export type IneligibleReason = (typeof INELIGIBLE_REASONS)[number];
