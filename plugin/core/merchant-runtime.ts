import type { BillingEngineAdapter } from './billing-engine.js';
import type { MerchantPolicy } from './merchant-policy.js';
import type { RescueProvider } from './rescue-provider.js';

/** Everything the worker needs to act for one merchant: its engines, its FlexCharge, its policy. */
export interface MerchantRuntime {
  readonly merchantId: string;
  readonly policy: MerchantPolicy;
  readonly provider: RescueProvider & { acceptsAmount(amount: number, currency: string): boolean };
  engine(engineId: string): BillingEngineAdapter;
}

export interface MerchantDirectory {
  get(merchantId: string): MerchantRuntime;
}
