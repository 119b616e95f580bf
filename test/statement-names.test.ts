// Search statements sent named on PostgreSQL (src/store/statementNames.ts): each connection keeps the texts
// it ran most recently prepared, a bounded number, the least recently run deallocated first.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import pg from 'pg';
import { openSearchPool } from '../src/store/database.js';
import { StatementNames, queryNamed, statementNames } from '../src/store/statementNames.js';
import { describeOrSkip } from './support/server.js';

test('StatementNames: a text keeps its name while held; past the bound the least recently run is dropped, its name never given again', () => {
  const names = new StatementNames(2);
  const a = names.nameOf('A');
  const b = names.nameOf('B');
  assert.deepEqual([a.dropped, b.dropped], [undefined, undefined]);
  assert.notEqual(a.name, b.name);
  assert.deepEqual(names.nameOf('A'), { name: a.name }); // A is now the most recently run
  const c = names.nameOf('C');
  assert.equal(c.dropped, b.name);
  assert.equal(names.held, 2);
  assert.deepEqual(names.nameOf('A'), { name: a.name });
  const b2 = names.nameOf('B');
  assert.equal(b2.dropped, c.name);
  assert.ok(![a.name, b.name, c.name].includes(b2.name));
});

const url = process.env.KENDRITE_TEST_POSTGRES_URL;

describeOrSkip('queryNamed on PostgreSQL [postgres]', { skip: url ? undefined : 'skipped: KENDRITE_TEST_POSTGRES_URL not set' }, () => {
  test('a connection holds at most its bound of prepared statements, answers each text right, and parses a held text once', async () => {
    const client = new pg.Client({ connectionString: url });
    await client.connect();
    try {
      const prepared = async () => (await client.query<{ name: string; text: string }>('SELECT name, statement AS text FROM pg_prepared_statements ORDER BY name')).rows;
      const run = async (i: number) => (await queryNamed<{ n: number; p: string }>(client, `SELECT ${i} AS n, $1::text AS p`, [`v${i}`], 3)).rows;
      for (let i = 1; i <= 3; i++) assert.deepEqual(await run(i), [{ n: i, p: `v${i}` }]);
      assert.deepEqual((await prepared()).map((r) => r.text), [1, 2, 3].map((i) => `SELECT ${i} AS n, $1::text AS p`));
      assert.deepEqual(await run(1), [{ n: 1, p: 'v1' }]); // held: run again, not prepared again
      assert.equal((await prepared()).length, 3);
      for (let i = 4; i <= 7; i++) assert.deepEqual(await run(i), [{ n: i, p: `v${i}` }]);
      // 1 was run after 2 and 3, so 2, 3, 1, 4 went in that order: 5, 6, 7 are left.
      assert.deepEqual((await prepared()).map((r) => r.text).sort(), [5, 6, 7].map((i) => `SELECT ${i} AS n, $1::text AS p`));
      assert.equal(statementNames(client).held, 3);
      const record = (client as unknown as { connection: { parsedStatements: Record<string, string> } }).connection.parsedStatements;
      assert.equal(Object.keys(record).length, 3);
      assert.deepEqual(await run(2), [{ n: 2, p: 'v2' }]); // dropped before: prepared again under a new name
      assert.equal((await prepared()).length, 3);
    } finally {
      await client.end();
    }
  });

  test("the search pool's connections run a named statement's generic plan from its first run (the GIN index kept for a common word)", async () => {
    const pool = openSearchPool(url!, 5_000);
    const client = await pool.connect();
    try {
      assert.deepEqual((await queryNamed<{ n: number }>(client, 'SELECT $1::int + 1 AS n', [1])).rows, [{ n: 2 }]);
      const plans = await client.query<{ generic: string; custom: string }>("SELECT generic_plans AS generic, custom_plans AS custom FROM pg_prepared_statements WHERE statement = 'SELECT $1::int + 1 AS n'");
      assert.deepEqual(plans.rows.map((r) => [Number(r.generic), Number(r.custom)]), [[1, 0]]);
    } finally {
      client.release();
      await pool.end();
    }
  });

  test('the search pool runs at most search.connections statements at once; the others wait their turn, first come first served', async () => {
    const pool = openSearchPool(url!, 5_000, 2);
    const order: number[] = [];
    try {
      // Six statements of 100 ms at once on two connections: three turns, the backends never more than two.
      const started = performance.now();
      await Promise.all(Array.from({ length: 6 }, (_, i) => pool.query('SELECT pg_sleep(0.1)').then(() => order.push(i))));
      const took = performance.now() - started;
      assert.ok(took >= 290, `six 100 ms statements on 2 connections took ${took.toFixed(0)} ms, expected three turns (>= 300 ms)`);
      assert.equal(pool.totalCount, 2);
      assert.deepEqual(order.slice(0, 2).sort(), [0, 1]);
      assert.deepEqual(order.slice(4).sort(), [4, 5]);
    } finally {
      await pool.end();
    }
  });
});
