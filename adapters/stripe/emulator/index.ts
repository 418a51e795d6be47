export {
  createStripeEmulator,
  DEFAULT_API_KEY,
  DEFAULT_RETRY_SCHEDULE_DAYS,
} from './create-stripe-emulator.js';
export type {
  AfterFinalRetry,
  EmulatorEvent,
  ReleaseRetryBehaviour,
  StripeEmulator,
  StripeEmulatorOptions,
  StripeEmulatorServer,
  StripeEventRecord,
  WebhookAttempt,
  WebhookDeliveryRecord,
} from './emulator-types.js';
export { EMULATED_API_VERSION } from './emulator-types.js';
export {
  type RunningStripeEmulator,
  type StartStripeEmulatorOptions,
  startStripeEmulator,
} from './start-stripe-emulator.js';
export { TEST_CARDS, type TestCard } from './test-cards.js';
