import assert from 'node:assert/strict';
import { execFile, spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { promisify } from 'node:util';
import { StartDataSourceSyncJobCommand, StopDataSourceSyncJobCommand } from '@aws-sdk/client-kendra';
import { activeCustomDataSource, activeIndex, jobReaching } from './support/kendra.js';
import { freePort, userEnv } from './support/process.js';
import { REPO_ROOT, TestServer, TestStore, waitFor } from './support/server.js';

const execFileP = promisify(execFile);
const CLI = path.join(REPO_ROOT, 'dist/src/cli/main.js');
const VERSION = (JSON.parse(readFileSync(path.join(REPO_ROOT, 'package.json'), 'utf8')) as { version: string }).version;
const HEADER = /^EXECUTION ID\s+STATUS\s+START\s+END\s+ADDED\s+MODIFIED\s+DELETED\s+FAILED\s+SCANNED$/;

async function kendrite(args: string[], env = userEnv(), bin = [process.execPath, CLI]): Promise<{ code: number; stdout: string; stderr: string }> {
  try {
    const { stdout, stderr } = await execFileP(bin[0]!, [...bin.slice(1), ...args], { env, cwd: tmpdir() });
    return { code: 0, stdout, stderr };
  } catch (e) {
    const err = e as { code: number; stdout: string; stderr: string };
    return { code: err.code, stdout: err.stdout, stderr: err.stderr };
  }
}

describe("kendrite's CLI", () => {
  let store: TestStore;
  let server: TestServer;
  let indexId: string;
  let ds: string;
  let executionId: string;
  let port: string;

  before(async () => {
    store = await TestStore.create('sqlite');
    server = await TestServer.start(store);
    port = new URL(server.url).port;
    const k = server.client();
    indexId = await activeIndex(k);
    ds = await activeCustomDataSource(k, indexId);
    executionId = (await k.send(new StartDataSourceSyncJobCommand({ IndexId: indexId, Id: ds }))).ExecutionId!;
    await k.send(new StopDataSourceSyncJobCommand({ IndexId: indexId, Id: ds }));
    await jobReaching(k, indexId, ds, executionId, ['SUCCEEDED']);
  });
  after(async () => {
    await server?.stop();
    await store?.destroy();
  });

  /** `kendrite jobs` found the server and printed its one job. */
  function assertJobs(r: { code: number; stdout: string; stderr: string }) {
    assert.equal(r.stderr, '');
    assert.equal(r.code, 0);
    const lines = r.stdout.trimEnd().split('\n');
    assert.equal(lines.length, 2, r.stdout);
    assert.match(lines[0]!, HEADER);
    assert.deepEqual(lines[1]!.split(/\s+/).filter((c) => !/^\d{4}-/.test(c)), [executionId, 'SUCCEEDED', '0', '0', '0', '0', '-']);
  }

  test('--version prints the package version', async () => {
    const r = await kendrite(['--version']);
    assert.deepEqual(r, { code: 0, stdout: `${VERSION}\n`, stderr: '' });
  });

  test('`kendrite jobs` finds a server on another port through KENDRITE_PORT', async () => {
    assertJobs(await kendrite(['jobs', indexId, ds], userEnv({ KENDRITE_PORT: port })));
  });

  test('`kendrite jobs --config` finds it through the port of the config file', async () => {
    const file = path.join(store.dataDir, 'cli-config.json');
    writeFileSync(file, JSON.stringify({ port: Number(port) }));
    assertJobs(await kendrite(['jobs', indexId, ds, '--config', file]));
  });

  test('--endpoint wins over KENDRITE_PORT and AWS_ENDPOINT_URL_KENDRA', async () => {
    const wrong = String(await freePort());
    const env = userEnv({ KENDRITE_PORT: wrong, AWS_ENDPOINT_URL_KENDRA: `http://127.0.0.1:${wrong}` });
    assertJobs(await kendrite(['jobs', indexId, ds, '--endpoint', server.url], env));
    const report = await kendrite(['report', executionId, '--endpoint', server.url], env);
    assert.equal(report.stderr, '');
    assert.equal(report.stdout.split('\n')[0], `${executionId} SUCCEEDED index ${indexId} data source ${ds}`);
  });

  test('an unreachable server is named with the reason, in one line, no stack', async () => {
    const closed = await freePort();
    const r = await kendrite(['jobs', indexId, ds, '--endpoint', `http://127.0.0.1:${closed}`]);
    assert.deepEqual(r, {
      code: 1,
      stdout: '',
      stderr: `kendrite: cannot reach kendrite at http://127.0.0.1:${closed}: connect ECONNREFUSED 127.0.0.1:${closed}\n`,
    });
  });

  test('piped into `head`, it stops quietly when head has read enough (no EPIPE stack)', async () => {
    const script = `set -o pipefail; "$NODE" "$CLI" jobs "$INDEX" "$DS" --endpoint "$URL" | head -n 1`;
    const { stdout, stderr } = await execFileP('bash', ['-c', script], {
      env: userEnv({ NODE: process.execPath, CLI, INDEX: indexId, DS: ds, URL: server.url }),
    });
    assert.equal(stderr, '');
    assert.match(stdout.trimEnd(), HEADER);
  });

  test('`npm i -g` of the packed package gives a `kendrite` that runs from anywhere and serves', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'kendrite-global-'));
    try {
      const packed = await execFileP('npm', ['pack', '--pack-destination', dir, '--ignore-scripts'], { cwd: REPO_ROOT, env: userEnv() });
      const tarball = path.join(dir, packed.stdout.trim().split('\n').pop()!);
      // better-sqlite3 is built from source where no prebuilt binary can be fetched (minutes): hand the
      // install the one this checkout already built for this Node, through prebuild-install's local prebuilds.
      const sqliteDir = path.join(REPO_ROOT, 'node_modules/better-sqlite3');
      const sqliteVersion = (JSON.parse(readFileSync(path.join(sqliteDir, 'package.json'), 'utf8')) as { version: string }).version;
      const prebuilds = path.join(dir, 'prebuilds');
      await execFileP('mkdir', [prebuilds]);
      await execFileP('tar', ['czf', path.join(prebuilds, `better-sqlite3-v${sqliteVersion}-node-v${process.versions.modules}-${process.platform}-${process.arch}.tar.gz`), '-C', sqliteDir, 'build/Release/better_sqlite3.node']);
      const prefix = path.join(dir, 'prefix');
      await execFileP('npm', ['install', '--global', '--prefix', prefix, '--no-audit', '--no-fund', tarball], {
        env: userEnv({ npm_config_better_sqlite3_local_prebuilds: prebuilds }),
      });
      const bin = path.join(prefix, 'bin/kendrite');
      assert.deepEqual(await kendrite(['--version'], userEnv(), [bin]), { code: 0, stdout: `${VERSION}\n`, stderr: '' });

      const proc = spawn(bin, ['serve', '--port', '0', '--data-dir', path.join(dir, 'data')], { cwd: '/', env: userEnv(), stdio: ['ignore', 'pipe', 'pipe'] });
      try {
        let out = '';
        proc.stdout.on('data', (d: Buffer) => (out += d.toString()));
        const url = await waitFor('the installed kendrite to listen', async () => /listening on (http:\/\/\S+)/.exec(out)?.[1], 20_000);
        const health = await fetch(`${url}/health`);
        assert.deepEqual(await health.json(), { status: 'ok', version: VERSION, store: 'sqlite', checks: { store: 'ok', worker: 'ok' } });
      } finally {
        proc.kill('SIGTERM');
        await new Promise((r) => proc.once('exit', r));
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
