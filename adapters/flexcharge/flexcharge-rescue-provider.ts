import { toMajorUnits } from '../../plugin/core/currency-units.js';
import type { Money } from '../../plugin/core/money.js';
import type { RescueOutcome, RescueProvider } from '../../plugin/core/rescue-provider.js';
import { deterministicGuid } from './deterministic-guid.js';
import type { FlexChargeClient } from './flexcharge-client.js';
import type { FlexChargeEnvironment } from './flexcharge-environments.js';
import { mapChargeToTransmit } from './map-charge-to-transmit.js';
import { mapRenewalToEvaluate } from './map-renewal-to-evaluate.js';

export interface FlexChargeRescueProviderOptions {
  client: FlexChargeClient;
  environment: FlexChargeEnvironment;
  mid: string | undefined;
}

/** The rescue-provider port over the FlexCharge client. */
export function createFlexChargeRescueProvider(options: FlexChargeRescueProviderOptions): RescueProvider & {
  acceptsAmount(amount: number, currency: string): boolean;
} {
  const { client, mid } = options;
  return {
    id: 'flexcharge',

    // Test calls must be >10 and <20000 cents (contract §1); production publishes no range.
    acceptsAmount(amount) {
      return options.environment === 'production' ? amount > 0 : amount > 10 && amount < 20_000;
    },

    async submitRenewal(submission) {
      const response = await client.evaluate(mapRenewalToEvaluate({ ...submission, mid }));
      const status = (response.status ?? '').toUpperCase();
      const orderId = response.orderSessionKey ?? response.orderId ?? null;
      if ((status === 'SUBMITTED' || status === 'PROCESSING') && orderId)
        return { status: 'submitted', orderId, providerStatus: status };
      if (status === 'APPROVED' && orderId) {
        const outcome = await client.outcome(orderId);
        return {
          status: 'approved',
          orderId,
          confirmationId: outcome.confirmationId ?? null,
          collected: null,
        };
      }
      // Only an explicit DECLINED ends it; anything else may be an order FlexCharge is working.
      if (status === 'DECLINED') return { status: 'declined', orderId, providerStatus: status };
      return { status: 'unknown', orderId, providerStatus: status || 'UNKNOWN' };
    },

    async outcome(orderId): Promise<RescueOutcome> {
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
      return { refunded, message: response.responseMessage ?? null };
    },

    async transmit(charge, context) {
      const response = await client.transmit(mapChargeToTransmit(charge, { ...context, mid }));
      return { transmitId: response.transmitId ?? null };
    },
  };
}
