import type { RequestHandler, Response } from 'express';
import { PluginError } from '../core/errors.js';
import { isDatabaseUnavailable } from '../storage/connection-loss.js';

/** How a signed webhook that was stored went: new, a redelivery, or kept aside unprocessed. */
export type IntakeOutcome = 'stored' | 'duplicate' | 'quarantined';

/** Told of every webhook request once it is answered, with the time taken from arrival to answer. */
export interface WebhookIntakeObserver {
  received(source: string, outcome: IntakeOutcome, seconds: number): void;
  /** `reason` is our error code (`signature_invalid`, `not_found`, …) or `http_<status>`. */
  refused(source: string, reason: string, seconds: number): void;
}

/**
 * Times a webhook route from arrival to answer (raw-body reading included, so a too-large body is
 * a refusal too) and reports it when the answer is sent. The handler names the outcome or reason
 * with `noteIntake`; otherwise the status stands in for it.
 */
export function observeIntake(source: string, observer: WebhookIntakeObserver | undefined): RequestHandler {
  return (_req, res, next) => {
    if (!observer) return next();
    const started = performance.now();
    res.once('finish', () => {
      const seconds = (performance.now() - started) / 1000;
      const noted = res.locals.intake as { outcome?: IntakeOutcome; reason?: string } | undefined;
      if (res.statusCode < 300) observer.received(source, noted?.outcome ?? 'stored', seconds);
      else observer.refused(source, noted?.reason ?? `http_${res.statusCode}`, seconds);
    });
    next();
  };
}

/** Records what became of this webhook request for `observeIntake`. */
export function noteIntake(res: Response, note: { outcome: IntakeOutcome } | { error: unknown }): void {
  res.locals.intake = 'outcome' in note ? { outcome: note.outcome } : { reason: refusalReason(note.error) };
}

function refusalReason(err: unknown): string {
  if (err instanceof PluginError) return err.code;
  if (isDatabaseUnavailable(err)) return 'database_unavailable';
  return 'internal_error';
}
