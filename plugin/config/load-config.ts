import { ConfigError } from '../core/errors.js';
import { type Config, configSchema } from './config-schema.js';

/**
 * Parses the environment once. Empty strings count as unset, as in most `.env` tooling.
 * Throws a `ConfigError` naming every bad variable and what is wrong with it.
 */
export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  const known = Object.keys(configSchema.shape);
  const input: Record<string, string> = {};
  for (const key of known) {
    const value = env[key];
    if (value !== undefined && value.trim() !== '') input[key] = value.trim();
  }
  const parsed = configSchema.safeParse(input);
  if (parsed.success) return parsed.data;

  const issues = parsed.error.issues.map((issue) => {
    const variable = String(issue.path[0] ?? 'environment');
    const shown = variable in input && !isSecret(variable) ? ` (got "${input[variable]}")` : '';
    return { variable, message: `${issue.message}${shown}` };
  });
  const lines = issues.map((i) => `  ${i.variable}: ${i.message}`);
  throw new ConfigError(`invalid configuration:\n${lines.join('\n')}`, issues);
}

const SECRET_VARIABLES = new Set([
  'ADMIN_TOKEN',
  'ENCRYPTION_KEY',
  'ENCRYPTION_KEY_PREVIOUS',
  'FLEXCHARGE_APP_SECRET',
  'FLEXCHARGE_WEBHOOK_KEY',
  'DATABASE_URL',
]);

function isSecret(variable: string): boolean {
  return SECRET_VARIABLES.has(variable);
}
