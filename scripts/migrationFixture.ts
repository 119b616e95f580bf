/**
 * `node dist/scripts/migrationFixture.js` — writes test/fixtures/migration-previous-release/ with the code
 * of this checkout: run it on the release before a schema change (check the release out, copy this script
 * and test/support/migrationFixture.ts in, build, run), so that test/migration-previous-release.test.ts
 * can open what that release wrote. It writes, through the API of a real server:
 *   sqlite/        the SQLite data dir (kendrite.db)
 *   postgres.sql   pg_dump of a scratch database (KENDRITE_TEST_POSTGRES_URL, else postgres://postgres@127.0.0.1:5432/postgres)
 *   expected.json  per backend: the index and data source ids, and what observeFixture() saw
 */
import { execFileSync } from 'node:child_process';
import { cpSync, mkdirSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { activeCustomDataSource, activeIndex } from '../test/support/kendra.js';
import { FIXTURE_DIR, observeFixture, writeFixture } from '../test/support/migrationFixture.js';
import { REPO_ROOT, TestServer, TestStore } from '../test/support/server.js';

async function main(): Promise<void> {
  const out = path.join(REPO_ROOT, FIXTURE_DIR);
  rmSync(out, { recursive: true, force: true });
  mkdirSync(out, { recursive: true });
  process.env.KENDRITE_TEST_POSTGRES_URL ??= 'postgres://postgres@127.0.0.1:5432/postgres';
  const expected: Record<string, unknown> = {};
  for (const backend of ['sqlite', 'postgres'] as const) {
    const store = await TestStore.create(backend);
    try {
      const server = await TestServer.start(store);
      const k = server.client();
      const indexId = await activeIndex(k, 'migration-fixture');
      const dataSourceId = await activeCustomDataSource(k, indexId, 'custom');
      await writeFixture(k, indexId, dataSourceId);
      expected[backend] = { indexId, dataSourceId, ...(await observeFixture(k, indexId, dataSourceId)) };
      k.destroy();
      await server.stop();
      if (backend === 'sqlite') {
        const files = readdirSync(store.dataDir).filter((f) => f.startsWith('kendrite.db'));
        for (const f of files) cpSync(path.join(store.dataDir, f), path.join(out, 'sqlite', f));
      } else {
        const dump = execFileSync('pg_dump', ['--no-owner', '--no-privileges', store.databaseUrl!], { maxBuffer: 256 * 1024 * 1024 });
        writeFileSync(path.join(out, 'postgres.sql'), dump);
      }
    } finally {
      await store.destroy();
    }
  }
  writeFileSync(path.join(out, 'expected.json'), `${JSON.stringify(expected, null, 2)}\n`);
  process.stdout.write(`wrote ${out}\n`);
}

main().catch((e: unknown) => {
  process.stderr.write(`${e instanceof Error ? (e.stack ?? e.message) : String(e)}\n`);
  process.exit(1);
});
