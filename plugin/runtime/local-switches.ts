import type { FlexChargeSandboxOptions } from '../../adapters/flexcharge/sandbox/index.js';
import type { StripeEmulatorOptions } from '../../adapters/stripe/emulator/index.js';
import type { Config } from '../config/config-schema.js';
import { loadConfig } from '../config/load-config.js';

/**
 * The environment variables that tune the local FlexCharge sandbox and Stripe emulator: their
 * timing and the behaviours the public contracts leave open (the emulators' READMEs). The same
 * variables apply whether the emulators run inside the plugin (`npm start`, FLEXCHARGE_ENV=local)
 * or on their own (`flexcharge-mit sandbox`, `flexcharge-mit emulate stripe`).
 */
export const LOCAL_SWITCH_VARIABLES = [
  'SANDBOX_DECISION_DELAY_SECONDS',
  'SANDBOX_APPROVAL_RATE',
  'SANDBOX_REQUIRED_FIELDS',
  'SANDBOX_BILLING_FIELDS',
  'SANDBOX_CANCEL_COMPLETED',
  'SANDBOX_REFUND_REFUNDED',
  'STRIPE_EMULATOR_RELEASE_RETRY',
  'STRIPE_EMULATOR_FORWARDING_DESTINATIONS',
] as const;

export type LocalSwitches = Pick<Config, (typeof LOCAL_SWITCH_VARIABLES)[number]>;

/**
 * Only the switch variables, checked as the plugin's configuration checks them, so a standalone
 * emulator neither needs nor trips over the rest of the plugin's environment.
 */
export function localSwitchesFromEnv(env: NodeJS.ProcessEnv = process.env): LocalSwitches {
  return loadConfig(Object.fromEntries(LOCAL_SWITCH_VARIABLES.map((name) => [name, env[name]])));
}

export function sandboxSwitches(switches: LocalSwitches) {
  return {
    decisionDelayMs: switches.SANDBOX_DECISION_DELAY_SECONDS * 1000,
    approvalRate: switches.SANDBOX_APPROVAL_RATE,
    requiredFields: switches.SANDBOX_REQUIRED_FIELDS,
    billingFields: switches.SANDBOX_BILLING_FIELDS,
    cancelCompleted: switches.SANDBOX_CANCEL_COMPLETED,
    refundRefunded: switches.SANDBOX_REFUND_REFUNDED,
  } satisfies Partial<FlexChargeSandboxOptions>;
}

export function emulatorSwitches(switches: LocalSwitches) {
  const forwarding = switches.STRIPE_EMULATOR_FORWARDING_DESTINATIONS;
  return {
    releaseRetry: switches.STRIPE_EMULATOR_RELEASE_RETRY,
    ...(forwarding
      ? { forwardingDestinations: forwarding === 'any' ? 'any' : forwarding.split(',').map((u) => u.trim()) }
      : {}),
  } satisfies Partial<StripeEmulatorOptions>;
}
