/**
 * A rescue's life, one per (merchant, engine, invoice). Stored as text with a check constraint that
 * lists exactly these values (migration 0002); change both together.
 *
 *   received ─▶ ineligible                       (never handed over; reason recorded)
 *   received ─▶ evaluating ─▶ held ─▶ approved ─▶ recovered      (the hold is applied on the way in:
 *                   │           │        └─────▶ refunding ─▶ conflict   the reversible step first)
 *                   ├───────────┴──▶ releasing ─▶ released | declined  (expired, not rescued, refused)
 *                   └───────────┴──▶ cancelling ─▶ cancelled           (paid elsewhere, voided, sub ended)
 *   any open state ─▶ needs_attention (kept failing; its live obligations are still honoured)
 *   released, cancelled, declined, needs_attention ─▶ approved   (an approval is never ignored)
 *
 *   received ─▶ shadowed      (shadow mode: the request was built, validated and recorded; nothing called)
 *   evaluating ─▶ challenged  (a CIT answered CHALLENGE: nothing is held; followed like a held one)
 *
 * `holding` is where rows from before the hold moved ahead of the evaluate may still stand.
 */
export const RESCUE_STATES = [
  'received',
  'ineligible',
  'evaluating',
  'declined',
  'holding',
  'held',
  'challenged',
  'approved',
  'recovered',
  'releasing',
  'released',
  'cancelling',
  'cancelled',
  'refunding',
  'conflict',
  'needs_attention',
  'shadowed',
] as const;

export type RescueState = (typeof RESCUE_STATES)[number];

export const FINAL_STATES: ReadonlySet<RescueState> = new Set([
  'ineligible',
  'declined',
  'recovered',
  'released',
  'cancelled',
  'conflict',
  'shadowed',
]);

/** Final states a late approval from FlexCharge can still reopen: its money must be written back or refunded. */
export const REOPENABLE_STATES: ReadonlySet<RescueState> = new Set(['declined', 'released', 'cancelled']);

const TRANSITIONS: Readonly<Record<RescueState, readonly RescueState[]>> = {
  received: ['ineligible', 'evaluating', 'cancelling', 'cancelled', 'shadowed'],
  evaluating: [
    'held',
    'challenged',
    'approved',
    'releasing',
    'cancelling',
    'declined',
    'ineligible',
    'cancelled',
  ],
  holding: ['evaluating', 'held', 'approved', 'cancelling', 'releasing'],
  held: ['approved', 'releasing', 'cancelling'],
  challenged: ['approved', 'releasing', 'cancelling'],
  approved: ['recovered', 'refunding'],
  releasing: ['released', 'declined', 'approved', 'cancelled'],
  cancelling: ['cancelled', 'approved', 'refunding'],
  refunding: ['conflict'],
  needs_attention: [
    'received',
    'evaluating',
    'holding',
    'held',
    'challenged',
    'approved',
    'releasing',
    'cancelling',
    'refunding',
  ],
  ineligible: [],
  declined: ['approved'],
  recovered: [],
  released: ['approved'],
  cancelled: ['approved'],
  conflict: [],
  shadowed: [],
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
  'subscription_not_active',
  'flow_off',
  'site_disabled',
  'no_credentials',
  'invalid_request',
] as const;

export type IneligibleReason = (typeof INELIGIBLE_REASONS)[number];
