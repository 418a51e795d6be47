import { type Kysely, sql } from 'kysely';

// FlexCharge's sandbox and production are separate accounts, so one website has a site id in each:
// a site keeps one per environment. The single id a site had was sent in whichever environment its
// flows ran, so it is copied into both, and every site is named to FlexCharge as it was before.
export async function up(db: Kysely<unknown>): Promise<void> {
  const s = db.schema.withSchema('flexcharge_mit');
  await s
    .alterTable('merchant_sites')
    .addColumn('flexcharge_sandbox_site_id', 'text')
    .addColumn('flexcharge_production_site_id', 'text')
    .execute();
  await sql`update flexcharge_mit.merchant_sites
    set flexcharge_sandbox_site_id = flexcharge_site_id, flexcharge_production_site_id = flexcharge_site_id
    where flexcharge_site_id is not null`.execute(db);
  await s.alterTable('merchant_sites').dropConstraint('merchant_sites_identified').execute();
  await s.alterTable('merchant_sites').dropColumn('flexcharge_site_id').execute();
  await s
    .alterTable('merchant_sites')
    .addCheckConstraint(
      'merchant_sites_identified',
      sql`url is not null or statement_descriptor is not null
        or flexcharge_sandbox_site_id is not null or flexcharge_production_site_id is not null`,
    )
    .execute();
}
