import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { sql } from 'kysely';
import { type DatabaseHandle, openDatabase } from '../../plugin/storage/database.js';

// Always the embedded database, whatever DATABASE_URL says: the newcomer's first run depends on it.
describe('the embedded PostgreSQL dialect', () => {
  let handle: DatabaseHandle;
  before(async () => {
    handle = await openDatabase({ kind: 'pglite' });
    await sql`create table counted (id int primary key, note text)`.execute(handle.db);
    await sql`insert into counted values (1, 'a'), (2, 'b'), (3, 'c')`.execute(handle.db);
  });
  after(() => handle.close());

  it('reports how many rows a raw update or delete touched, as the pg driver does', async () => {
    const updated = await sql`update counted set note = 'z' where id < 3`.execute(handle.db);
    assert.equal(updated.numAffectedRows, 2n);
    const deleted = await sql`delete from counted where id = 3`.execute(handle.db);
    assert.equal(deleted.numAffectedRows, 1n);
    const read = await sql`select * from counted`.execute(handle.db);
    assert.equal(read.numAffectedRows, undefined);
  });
});
