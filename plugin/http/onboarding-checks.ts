import type { Kysely } from 'kysely';
import { createFlexChargeClient } from '../../adapters/flexcharge/flexcharge-client.js';
import { isFlexChargeError } from '../../adapters/flexcharge/flexcharge-errors.js';
import type { Clock } from '../core/clock.js';
import { NotFoundError } from '../core/errors.js';
import { assessReadiness, type Readiness, type ReadinessFacts } from '../core/merchant-readiness.js';
import type { FlexChargeEnvironment } from '../core/merchant-settings.js';
import type { FlexChargeHosts } from '../runtime/flexcharge-hosts.js';
import type { MerchantRepository } from '../storage/merchant-repository.js';
import { readinessFacts, recordCredentialCheck } from '../storage/readiness-facts.js';
import type { Database } from '../storage/schema.js';

export interface OnboardingCheckDeps {
  db: Kysely<Database>;
  merchants: Pick<MerchantRepository, 'getMerchant' | 'flexChargeCredentialsForUse'>;
  hosts: FlexChargeHosts;
  clock: Clock;
  /** The merchant that uses the process's own Stripe (the one configured from the environment). */
  environmentMerchantId: string;
  /** Per attempt of a "test connection"; default 10 s. */
  timeoutMs?: number;
}

export interface CredentialTestResult {
  readonly environment: FlexChargeEnvironment;
  readonly checkedAt: Date;
  readonly ok: boolean;
  /** In words an operator can act on; never the request or a secret. */
  readonly message: string;
}

/**
 * A merchant's onboarding checklist and the "test connection" of its FlexCharge credentials, shared
 * by the JSON API (`merchantReadinessRoutes`) and the pages, so both answer and record alike.
 */
export function createOnboardingChecks(deps: OnboardingCheckDeps) {
  /** The checklist, and the facts it was drawn from (the pages show each test's answer). */
  async function overview(merchantId: string): Promise<{ readiness: Readiness; facts: ReadinessFacts }> {
    const facts = await readinessFacts(deps.db, deps.merchants, merchantId, deps.environmentMerchantId);
    return { readiness: assessReadiness(facts), facts };
  }

  return {
    overview,

    async readiness(merchantId: string): Promise<Readiness> {
      return (await overview(merchantId)).readiness;
    },

    /** Fetches a token with the stored credentials from the environment's host; records the answer. */
    async testCredentials(
      merchantId: string,
      environment: FlexChargeEnvironment,
    ): Promise<CredentialTestResult> {
      if (!(await deps.merchants.getMerchant(merchantId)))
        throw new NotFoundError(`unknown merchant ${merchantId}`);
      const credentials = await deps.merchants.flexChargeCredentialsForUse(merchantId, environment);
      if (!credentials) throw new NotFoundError(`merchant ${merchantId} has no ${environment} credentials`);
      const client = createFlexChargeClient({
        baseUrl: deps.hosts[environment],
        environment,
        credentials: { appKey: credentials.appKey.reveal(), appSecret: credentials.appSecret.reveal() },
        mid: credentials.mid,
        merchantId,
        timeoutMs: deps.timeoutMs ?? 10_000,
        maxRetries: 0,
        clock: deps.clock,
      });
      const checkedAt = deps.clock.now();
      const answer = await client.checkCredentials().then(
        () => ({ ok: true, message: `FlexCharge ${environment} issued a token` }),
        (err: unknown) => ({
          ok: false,
          message: describeRefusal(err, environment, deps.hosts[environment]),
        }),
      );
      await recordCredentialCheck(deps.db, { merchantId, environment, at: checkedAt, ...answer });
      return { environment, checkedAt, ...answer };
    },
  };
}

export type OnboardingChecks = ReturnType<typeof createOnboardingChecks>;

/** What went wrong, in words a partner's operator can act on; never the request or a secret. */
function describeRefusal(err: unknown, environment: FlexChargeEnvironment, host: string): string {
  if (!isFlexChargeError(err)) return `the test failed: ${err instanceof Error ? err.name : 'unknown error'}`;
  switch (err.kind) {
    case 'auth':
    case 'validation':
      return `FlexCharge ${environment} refused the app key and secret (HTTP ${err.statusCode ?? '?'})`;
    case 'network':
    case 'timeout':
      return `could not reach FlexCharge ${environment} at ${new URL(host).host} (${err.kind})`;
    default:
      return `FlexCharge ${environment} answered ${err.kind}${err.statusCode ? ` (HTTP ${err.statusCode})` : ''}`;
  }
}
