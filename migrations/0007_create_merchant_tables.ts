import { type Kysely, sql } from 'kysely';

// Frozen copies of the lists in plugin/core/merchant-settings.ts at the time of this migration: a
// migration must not change when the code's constants do.
const ENVIRONMENTS = ['sandbox', 'production'];
const FLOWS = ['mit', 'cit_website', 'cit_call_center'];
const MODES = ['off', 'shadow', 'on'];
const ENGINES = ['stripe'];
const inList = (values: string[]) => sql.join(values.map((v) => sql.lit(v)));

// A secret is stored as AES-256-GCM ciphertext with the id of the key that sealed it (see
// plugin/security/secret-box.ts), never in clear; both columns are set together or not at all.
const sealedPair = (name: string) =>
  sql`(${sql.ref(`${name}_ciphertext`)} is null) = (${sql.ref(`${name}_key_id`)} is null)`;

export async function up(db: Kysely<unknown>): Promise<void> {
  const s = db.schema.withSchema('flexcharge_mit');
  const merchantFk = 'flexcharge_mit.merchants.id';

  // The id is what URLs (/webhooks/stripe/:merchant) and every work row carry: short and URL-safe.
  // The merchant configured from the environment is `default`.
  await s
    .createTable('merchants')
    .addColumn('id', 'text', (c) => c.primaryKey().check(sql`id ~ '^[a-z0-9][a-z0-9_-]{0,62}$'`))
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('created_at', 'timestamptz', (c) => c.notNull())
    .addColumn('updated_at', 'timestamptz', (c) => c.notNull())
    .execute();

  // One credential set per merchant and FlexCharge environment, so MIT can run in production while
  // CIT is tried in sandbox. The app key is encrypted too: with the secret it is the whole login.
  await s
    .createTable('merchant_flexcharge_credentials')
    .addColumn('merchant_id', 'text', (c) => c.notNull().references(merchantFk))
    .addColumn('environment', 'text', (c) => c.notNull().check(sql`environment in (${inList(ENVIRONMENTS)})`))
    .addColumn('app_key_ciphertext', 'bytea', (c) => c.notNull())
    .addColumn('app_key_key_id', 'text', (c) => c.notNull())
    .addColumn('app_secret_ciphertext', 'bytea', (c) => c.notNull())
    .addColumn('app_secret_key_id', 'text', (c) => c.notNull())
    .addColumn('mid', 'text', (c) => c.notNull())
    .addColumn('webhook_key_ciphertext', 'bytea')
    .addColumn('webhook_key_key_id', 'text')
    .addColumn('default_site_id', 'text')
    .addColumn('default_site_url', 'text')
    .addColumn('created_at', 'timestamptz', (c) => c.notNull())
    .addColumn('updated_at', 'timestamptz', (c) => c.notNull())
    .addPrimaryKeyConstraint('merchant_flexcharge_credentials_pkey', ['merchant_id', 'environment'])
    .addCheckConstraint('merchant_flexcharge_credentials_webhook_key_sealed', sealedPair('webhook_key'))
    .execute();

  await s
    .createTable('merchant_flows')
    .addColumn('merchant_id', 'text', (c) => c.notNull().references(merchantFk))
    .addColumn('flow', 'text', (c) => c.notNull().check(sql`flow in (${inList(FLOWS)})`))
    .addColumn('mode', 'text', (c) => c.notNull().check(sql`mode in (${inList(MODES)})`))
    .addColumn('environment', 'text', (c) => c.notNull().check(sql`environment in (${inList(ENVIRONMENTS)})`))
    .addColumn('created_at', 'timestamptz', (c) => c.notNull())
    .addColumn('updated_at', 'timestamptz', (c) => c.notNull())
    .addPrimaryKeyConstraint('merchant_flows_pkey', ['merchant_id', 'flow'])
    .execute();

  // A site is known by at least one of its URL, descriptor or FlexCharge site id; each flow can be
  // switched off per site (FlexCharge is enabled per website or campaign).
  await s
    .createTable('merchant_sites')
    .addColumn('id', 'uuid', (c) => c.primaryKey().defaultTo(sql`gen_random_uuid()`))
    .addColumn('merchant_id', 'text', (c) => c.notNull().references(merchantFk))
    .addColumn('url', 'text')
    .addColumn('statement_descriptor', 'text')
    .addColumn('flexcharge_site_id', 'text')
    .addColumn('mit_enabled', 'boolean', (c) => c.notNull().defaultTo(true))
    .addColumn('cit_website_enabled', 'boolean', (c) => c.notNull().defaultTo(true))
    .addColumn('cit_call_center_enabled', 'boolean', (c) => c.notNull().defaultTo(true))
    .addColumn('created_at', 'timestamptz', (c) => c.notNull())
    .addColumn('updated_at', 'timestamptz', (c) => c.notNull())
    .addCheckConstraint(
      'merchant_sites_identified',
      sql`url is not null or statement_descriptor is not null or flexcharge_site_id is not null`,
    )
    .execute();
  await s.createIndex('merchant_sites_merchant_idx').on('merchant_sites').column('merchant_id').execute();

  // How the plugin talks to the merchant's billing engine. With Stripe Connect the platform's key is
  // used on the connected account; that account id then picks the merchant for an incoming event,
  // so it belongs to one merchant only.
  await s
    .createTable('merchant_engine_connections')
    .addColumn('merchant_id', 'text', (c) => c.notNull().references(merchantFk))
    .addColumn('engine', 'text', (c) => c.notNull().check(sql`engine in (${inList(ENGINES)})`))
    .addColumn('api_key_ciphertext', 'bytea')
    .addColumn('api_key_key_id', 'text')
    .addColumn('webhook_secret_ciphertext', 'bytea')
    .addColumn('webhook_secret_key_id', 'text')
    .addColumn('stripe_account_id', 'text')
    .addColumn('created_at', 'timestamptz', (c) => c.notNull())
    .addColumn('updated_at', 'timestamptz', (c) => c.notNull())
    .addPrimaryKeyConstraint('merchant_engine_connections_pkey', ['merchant_id', 'engine'])
    .addCheckConstraint('merchant_engine_connections_api_key_sealed', sealedPair('api_key'))
    .addCheckConstraint('merchant_engine_connections_webhook_secret_sealed', sealedPair('webhook_secret'))
    .execute();
  await s
    .createIndex('merchant_engine_connections_account_key')
    .on('merchant_engine_connections')
    .columns(['engine', 'stripe_account_id'])
    .unique()
    .where(sql.ref('stripe_account_id'), 'is not', null)
    .execute();
}
