import type { FlexChargeCallLog, FlexChargeCallRecord } from '../../adapters/flexcharge/call-log.js';

/**
 * The FlexCharge call log, also telling `observe` of each attempt: the client already records every
 * attempt (operation, outcome, status, duration) there, so metrics need no hook of their own in it.
 */
export function observedCallLog(
  log: FlexChargeCallLog,
  observe: (call: FlexChargeCallRecord) => void,
): FlexChargeCallLog {
  return {
    async record(entry) {
      try {
        observe(entry);
      } catch {}
      await log.record(entry);
    },
  };
}
