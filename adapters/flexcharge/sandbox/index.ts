/** The local FlexCharge sandbox: see README.md in this folder. */

export type { BillingFieldsProfile, RequiredFieldsProfile } from './contract/required-fields.js';
export { createFlexChargeSandbox, type FlexChargeSandbox } from './create-flexcharge-sandbox.js';
export type { RecordedRequest } from './create-sandbox-app.js';
export type { SandboxFault } from './fault-injection.js';
export { HARD_DECLINE_CODES } from './outcome-rules.js';
export { DEMO_CREDENTIAL, DEMO_SUBSCRIBER_KEY, type SandboxCredential } from './sandbox-credentials.js';
export type {
  CancelCompletedBehaviour,
  FlexChargeSandboxOptions,
  RefundRefundedBehaviour,
  SandboxErrorShape,
  SandboxWebhookTarget,
} from './sandbox-options.js';
export type { OrderState, SandboxOrder } from './sandbox-order.js';
export type { SandboxListener } from './sandbox-server.js';
export {
  DEFAULT_SANDBOX_PORT,
  type StartedFlexChargeSandbox,
  startFlexChargeSandbox,
} from './start-flexcharge-sandbox.js';
export { TEST_CARDS, type TestCard } from './test-cards.js';
export { WEBHOOK_RETRY_DELAYS_MS, type WebhookDeliveryAttempt } from './webhook-deliveries.js';
