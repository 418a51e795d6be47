import { toMajorUnits } from '../../plugin/core/currency-units.js';
import { ConfigError } from '../../plugin/core/errors.js';
import { type Money, money } from '../../plugin/core/money.js';
import type { RenewalSubmission, RescueOutcome, RescueProvider } from '../../plugin/core/rescue-provider.js';
import { deterministicGuid } from './deterministic-guid.js';
import { decisionFor } from './evaluate-decision.js';
import type { FlexChargeClient } from './flexcharge-client.js';
import type { FlexChargeEnvironment } from './flexcharge-environments.js';
import { isFlexChargeError } from './flexcharge-errors.js';
import { mapChargeToTransmit } from './map-charge-to-transmit.js';
import { mapRenewalToEvaluate } from './map-renewal-to-evaluate.js';
import { orderStateOf } from './order-status.js';
import { previewOf } from './request-preview.js';
import { evaluateContract, transmitContract } from './wire/contract-requirements.js';
import type { OrderResponse } from './wire/responses.js';

export interface FlexChargeRescueProviderOptions {
  client: FlexChargeClient;
  environment: FlexChargeEnvironment;
  /** The merchant's FlexCharge MID, sent on every evaluate (required) and transmit. */
  mid: string | undefined;
}

/**
 * The rescue-provider port over the FlexCharge client. An order's state is read from
 * `GET /orders/{id}`, where public clients have moved (contract §7: ActiveMerchant calls /outcome
 * deprecated), with /outcome as the fallback for an order the GET does not know and for the
 * confirmation id, which only /outcome and the webhook are documented to carry.
 */
export function createFlexChargeRescueProvider(options: FlexChargeRescueProviderOptions): RescueProvider & {
  acceptsAmount(amount: number, currency: string): boolean;
} {
  const { client, mid } = options;

  /** The order, or null when FlexCharge answers that it does not know it. */
  async function orderOrNull(orderId: string): Promise<OrderResponse | null> {
    try {
      return await client.getOrder(orderId);
    } catch (error) {
      if (isFlexChargeError(error) && error.kind === 'not_found') return null;
      throw error;
    }
  }

  /**
   * The confirmation id and the collected amount of an approved order. The approval itself is
   * certain by then, so a lookup failing here leaves a detail null rather than losing the approval.
   */
  async function approvalDetails(orderId: string, known?: OrderResponse | null) {
    const order = known === undefined ? await orderOrNull(orderId).catch(() => null) : known;
    const confirmationId =
      order?.confirmationId ??
      (await client.outcome(orderId).then(
        (answer) => answer.confirmationId ?? null,
        () => null,
      ));
    return { confirmationId, collected: order ? collectedOf(order) : null };
  }

  function requireMid(): string {
    if (mid) return mid;
    throw new ConfigError('FlexCharge needs the merchant id on every evaluate', [
      { variable: 'FLEXCHARGE_MID', message: 'is required to hand renewals to FlexCharge' },
    ]);
  }

  /** Without a MID a preview still shows the body; the MID is then left out for the check to name. */
  const evaluateBody = (submission: RenewalSubmission, withMid: string) =>
    mapRenewalToEvaluate({ ...submission, mid: withMid });

  return {
    id: 'flexcharge',

    // Test calls must be >10 and <20000 cents (contract §1); production publishes no range.
    acceptsAmount(amount) {
      return options.environment === 'production' ? amount > 0 : amount > 10 && amount < 20_000;
    },

    async submitRenewal(submission) {
      const response = await client.evaluate(evaluateBody(submission, requireMid()), {
        flow: submission.flow,
        siteId: submission.merchantSiteId,
      });
      const status = (response.status ?? '').toUpperCase();
      const orderId = response.orderSessionKey ?? response.orderId ?? null;
      if (status === 'APPROVED' && orderId)
        return { status: 'approved', orderId, ...(await approvalDetails(orderId)) };
      return decisionFor(status, orderId, response.orderSessionKey ?? null);
    },

    previewRenewal(submission) {
      const body: Record<string, unknown> = { ...evaluateBody(submission, mid ?? '') };
      if (!mid) delete body.mid;
      return previewOf(evaluateContract, body, submission.cardToken);
    },

    previewTransmit(charge, context) {
      return previewOf(transmitContract, mapChargeToTransmit(charge, { ...context, mid }));
    },

    async outcome(orderId): Promise<RescueOutcome> {
      const order = await orderOrNull(orderId);
      if (!order) return outcomeFromOutcomeCall(orderId);
      const state = orderStateOf(order);
      if (state.meaning === 'approved')
        return { status: 'approved', ...(await approvalDetails(orderId, order)) };
      return { status: state.meaning, providerStatus: state.name };
    },

    async cancel(orderId, idempotencyKey) {
      await client.cancelOrder(orderId, { idempotencyKey: deterministicGuid('cancel', idempotencyKey) });
    },

    async refund(orderId, amount: Money, reason) {
      // The one FlexCharge amount in major units (contract §8.3); every other is minor units as is.
      const response = await client.refundOrder(orderId, {
        amountToRefund: toMajorUnits(amount),
        refundMessage: reason,
      });
      const status = (response.status ?? '').toUpperCase();
      const refunded = response.success !== false && (status === 'SUCCESS' || status === 'APPROVED');
      return {
        refunded,
        message: response.responseMessage ?? null,
        reference: (refunded && response.transactionId) || null,
      };
    },

    async transmit(charge, context) {
      const response = await client.transmit(mapChargeToTransmit(charge, { ...context, mid }), {
        flow: context.flow,
        siteId: context.merchantSiteId,
      });
      return { transmitId: response.transmitId ?? null };
    },
  };

  /** /outcome's vocabulary (contract §7), for an order `GET /orders/{id}` does not know. */
  async function outcomeFromOutcomeCall(orderId: string): Promise<RescueOutcome> {
    const response = await client.outcome(orderId);
    const status = (response.status ?? '').toUpperCase();
    switch (status) {
      case 'APPROVED':
        return { status: 'approved', confirmationId: response.confirmationId ?? null, collected: null };
      case 'EXPIRED':
      case 'DECLINED':
      case 'CANCELLED':
        return { status: 'not_rescued', providerStatus: status };
      case 'RETURNED':
      case 'REFUNDED':
        return { status: 'refunded', providerStatus: status };
      case 'NOTFOUND':
        return { status: 'not_found' };
      default:
        return { status: 'pending', providerStatus: status || 'UNKNOWN' };
    }
  }
}

/**
 * What FlexCharge says it collected: the order's `amount` in minor units with its `currencyCode`.
 * Anything less than an integer amount and a currency code is unknown (null), never a guess.
 */
function collectedOf(order: OrderResponse): Money | null {
  const { amount, currencyCode } = order;
  if (typeof amount !== 'number' || !Number.isSafeInteger(amount) || amount < 0) return null;
  if (!currencyCode || !/^[A-Za-z]{3}$/.test(currencyCode)) return null;
  return money(amount, currencyCode);
}
