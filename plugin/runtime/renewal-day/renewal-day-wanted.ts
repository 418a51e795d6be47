/**
 * Variables that point the plugin at something real: a database of its own, a Stripe account, a
 * FlexCharge account or API other than the bundled sandbox. Any one of them set means an operator
 * configured this process, and `start` must not seed demo data into it.
 */
const REAL_CONFIGURATION_VARIABLES = [
  'DATABASE_URL',
  'STRIPE_SECRET_KEY',
  'STRIPE_WEBHOOK_SECRET',
  'STRIPE_CONNECT_WEBHOOK_SECRET',
  'STRIPE_API_BASE',
  'FLEXCHARGE_APP_KEY',
  'FLEXCHARGE_APP_SECRET',
  'FLEXCHARGE_MID',
  'FLEXCHARGE_BASE_URL',
  'FLEXCHARGE_SANDBOX_URL',
  'FLEXCHARGE_PRODUCTION_URL',
] as const;

export type RenewalDayDecision = { readonly play: true } | { readonly play: false; readonly why: string };

/**
 * Whether `flexcharge-mit start` plays the renewal day: only on the embedded defaults (no variable
 * above set, FLEXCHARGE_ENV unset or `local`), and not when switched off with `--no-demo` or
 * RENEWAL_DAY=off. Empty values count as unset, as `loadConfig` reads them.
 */
export function renewalDayDecision(env: NodeJS.ProcessEnv, argv: readonly string[]): RenewalDayDecision {
  const set = (name: string) => (env[name] ?? '').trim() !== '';
  if (argv.includes('--no-demo')) return { play: false, why: '--no-demo' };
  if ((env.RENEWAL_DAY ?? '').trim().toLowerCase() === 'off') return { play: false, why: 'RENEWAL_DAY=off' };
  const configured = REAL_CONFIGURATION_VARIABLES.filter(set);
  if (configured.length) return { play: false, why: `configured: ${configured.join(', ')}` };
  const environment = (env.FLEXCHARGE_ENV ?? '').trim();
  if (environment && environment !== 'local') return { play: false, why: `FLEXCHARGE_ENV=${environment}` };
  return { play: true };
}
