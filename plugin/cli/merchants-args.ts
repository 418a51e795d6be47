import { parseArgs } from 'node:util';

/** The arguments of `flexcharge-mit merchants`: its usage text, its subcommands, and their parsing. */

export const MERCHANTS_USAGE = `usage: flexcharge-mit merchants <subcommand> [--json]

Stored merchants, read and written in the database directly (DATABASE_URL, or the embedded one
under DATA_DIR: stop the plugin first, the embedded database takes one process at a time), with
secrets sealed under ENCRYPTION_KEY. Secrets are never taken on the command line (it shows in
\`ps\` and shell history): name an environment variable holding each (--app-key-env VAR), or pipe
them as JSON with --from-stdin. Output is text, or JSON with --json; secrets show redacted.

  list
  show <merchant>
  put <merchant> --name N [--site-metadata-key K] [--order-channel-metadata-key K]
        create the merchant or update it; metadata keys left out keep their value
  set-credentials <merchant> --environment sandbox|production --mid GUID
        [--default-site-id GUID] [--default-site-url URL]
        (--app-key-env VAR --app-secret-env VAR [--webhook-key-env VAR] | --from-stdin)
        replaces the environment's credentials; stdin JSON: {"appKey", "appSecret", "webhookKey"?,
        and optionally "mid", "defaultSiteId", "defaultSiteUrl"}; flags win over stdin
  remove-credentials <merchant> --environment sandbox|production
        refused while a flow that is not off runs there, or a rescue started there is open
  set-flow <merchant> mit|cit_website|cit_call_center --mode off|shadow|on
        --environment sandbox|production
  add-site <merchant> [--url URL] [--descriptor D] [--default]
        [--flexcharge-sandbox-site-id GUID] [--flexcharge-production-site-id GUID]
        [--mit on|off] [--cit-website on|off] [--cit-call-center on|off]
        a site needs a url, a descriptor or a FlexCharge site id; the site has its own id in each
        FlexCharge environment (separate accounts); --default unsets the previous default
  update-site <merchant> <site> [the options of add-site] [--no-default]
        changes only what is given; an empty value ('') clears a field
  remove-site <merchant> <site>
  set-engine <merchant> stripe [--api-key-env VAR] [--webhook-secret-env VAR]
        [--stripe-account acct_...] [--write-back-mode paid_out_of_band|payment_record] [--from-stdin]
        replaces the connection (values left out are cleared, but the write-back mode, which is
        kept); stdin JSON: {"apiKey"?, "webhookSecret"?}

Exit status: 0 done, 1 refused (each bad field is named), 2 usage.`;

const SITE_OPTIONS = {
  url: { type: 'string' },
  descriptor: { type: 'string' },
  'flexcharge-sandbox-site-id': { type: 'string' },
  'flexcharge-production-site-id': { type: 'string' },
  default: { type: 'boolean' },
  mit: { type: 'string' },
  'cit-website': { type: 'string' },
  'cit-call-center': { type: 'string' },
} as const;

/** Per subcommand: its positionals and options (besides --json). */
const COMMANDS = {
  list: { positionals: [], options: {} },
  show: { positionals: ['merchant'], options: {} },
  put: {
    positionals: ['merchant'],
    options: {
      name: { type: 'string' },
      'site-metadata-key': { type: 'string' },
      'order-channel-metadata-key': { type: 'string' },
    },
  },
  'set-credentials': {
    positionals: ['merchant'],
    options: {
      environment: { type: 'string' },
      mid: { type: 'string' },
      'default-site-id': { type: 'string' },
      'default-site-url': { type: 'string' },
      'app-key-env': { type: 'string' },
      'app-secret-env': { type: 'string' },
      'webhook-key-env': { type: 'string' },
      'from-stdin': { type: 'boolean' },
    },
  },
  'remove-credentials': { positionals: ['merchant'], options: { environment: { type: 'string' } } },
  'set-flow': {
    positionals: ['merchant', 'flow'],
    options: { mode: { type: 'string' }, environment: { type: 'string' } },
  },
  'add-site': { positionals: ['merchant'], options: SITE_OPTIONS },
  'update-site': {
    positionals: ['merchant', 'site'],
    options: { ...SITE_OPTIONS, 'no-default': { type: 'boolean' } },
  },
  'remove-site': { positionals: ['merchant', 'site'], options: {} },
  'set-engine': {
    positionals: ['merchant', 'engine'],
    options: {
      'api-key-env': { type: 'string' },
      'webhook-secret-env': { type: 'string' },
      'stripe-account': { type: 'string' },
      'write-back-mode': { type: 'string' },
      'from-stdin': { type: 'boolean' },
    },
  },
} as const;
export type Subcommand = keyof typeof COMMANDS;

// The flag that sets each field, so a refusal names what to change on the command line.
export const FLAGS: Record<string, string> = {
  name: '--name',
  siteMetadataKey: '--site-metadata-key',
  orderChannelMetadataKey: '--order-channel-metadata-key',
  environment: '--environment',
  mid: '--mid',
  defaultSiteId: '--default-site-id',
  defaultSiteUrl: '--default-site-url',
  appKey: '--app-key-env or --from-stdin',
  appSecret: '--app-secret-env or --from-stdin',
  webhookKey: '--webhook-key-env or --from-stdin',
  mode: '--mode',
  url: '--url',
  statementDescriptor: '--descriptor',
  flexchargeSiteIds: '--flexcharge-sandbox-site-id, --flexcharge-production-site-id',
  'flexchargeSiteIds.sandbox': '--flexcharge-sandbox-site-id',
  'flexchargeSiteIds.production': '--flexcharge-production-site-id',
  'enabled.mit': '--mit',
  'enabled.cit_website': '--cit-website',
  'enabled.cit_call_center': '--cit-call-center',
  apiKey: '--api-key-env or --from-stdin',
  webhookSecret: '--webhook-secret-env or --from-stdin',
  stripeAccountId: '--stripe-account',
  writeBackMode: '--write-back-mode',
};

export interface Parsed {
  subcommand: Subcommand;
  args: Record<string, string>;
  values: Record<string, string | boolean | undefined>;
  json: boolean;
}

export class UsageError extends Error {}

export function parse(argv: readonly string[]): Parsed {
  const [name, ...rest] = argv;
  if (!name || !Object.hasOwn(COMMANDS, name)) throw new UsageError(`unknown subcommand: ${name ?? ''}`);
  const subcommand = name as Subcommand;
  const spec = COMMANDS[subcommand];
  let result: { values: Record<string, unknown>; positionals: string[] };
  try {
    result = parseArgs({
      args: [...rest],
      options: { ...spec.options, json: { type: 'boolean' } },
      allowPositionals: true,
      strict: true,
    });
  } catch (err) {
    // Node's messages name the option, never its value; the first sentence is enough.
    const message = err instanceof Error ? (err.message.split('. ')[0] ?? err.message) : String(err);
    const secretFlag = /'--(app-key|app-secret|webhook-key|api-key|webhook-secret)'/.exec(message);
    const hint = secretFlag
      ? `; secrets are never taken on the command line: --${secretFlag[1]}-env VAR`
      : '';
    throw new UsageError(`${subcommand}: ${message}${hint}`);
  }
  // A value of ours is never echoed: a secret pasted as an argument must not reach the terminal log.
  if (result.positionals.length !== spec.positionals.length)
    throw new UsageError(
      `${subcommand} takes ${spec.positionals.map((p) => `<${p}>`).join(' ') || 'no arguments'} ` +
        `(got ${result.positionals.length})`,
    );
  const args = Object.fromEntries(spec.positionals.map((p, i) => [p, String(result.positionals[i])]));
  const { json, ...values } = result.values as Record<string, string | boolean | undefined>;
  return { subcommand, args, values, json: json === true };
}
