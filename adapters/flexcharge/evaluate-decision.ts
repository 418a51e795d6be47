import type { RescueDecision } from '../../plugin/core/rescue-provider.js';

/**
 * What an /evaluate answer other than a usable APPROVED means (contract §6.13). Only DECLINED is a
 * decline. SUBMITTED and PROCESSING are accepted work, but only with an order key to follow it by.
 * CHALLENGE is a CIT the customer can still complete in the merchant's checkout (the UI widget takes
 * the `orderSessionKey`). CAPTUREREQUIRED (an auth/capture account setting), APPROVED without an
 * order key, anything unheard of and no status at all are `unknown`: FlexCharge may be working the
 * order, so it is not given up on.
 */
export function decisionFor(
  status: string,
  orderId: string | null,
  orderSessionKey: string | null = orderId,
): Exclude<RescueDecision, { status: 'approved' }> {
  if ((status === 'SUBMITTED' || status === 'PROCESSING') && orderId)
    return { status: 'submitted', orderId, providerStatus: status };
  if (status === 'DECLINED') return { status: 'declined', orderId, providerStatus: status };
  if (status === 'CHALLENGE')
    return { status: 'challenge', orderId, orderSessionKey, providerStatus: status };
  return { status: 'unknown', orderId, providerStatus: status || 'UNKNOWN' };
}
