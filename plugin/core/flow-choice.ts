import type { TransactionContext } from './billing-engine.js';
import type { MerchantFlow } from './merchant-settings.js';

/**
 * The merchant flow a transaction runs under: a payment made without the customer is MIT, whatever
 * channel first sold the subscription; a customer-initiated one is CIT from the website or, when an
 * agent took it, from the call center.
 */
export function chooseFlow(context: TransactionContext): MerchantFlow {
  if (context.initiator === 'merchant') return 'mit';
  return context.orderSource === 'call_center' ? 'cit_call_center' : 'cit_website';
}

/** CIT flows: the customer was there; nothing is held, FlexCharge answers at once. */
export function isCustomerInitiated(flow: MerchantFlow): boolean {
  return flow !== 'mit';
}
