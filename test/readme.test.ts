import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import * as kendraSdk from '@aws-sdk/client-kendra';
import { BatchPutDocumentCommand, StartDataSourceSyncJobCommand, StopDataSourceSyncJobCommand, type KendraClient } from '@aws-sdk/client-kendra';
import { operationsTable, readmeOperationsTable } from '../scripts/readmeOperations.js';
import { loadConfig } from '../src/config/config.js';
import { VERSION } from '../src/version.js';
import { awsCliSkip } from './support/awscli.js';
import { activeCustomDataSource, activeIndex, jobReaching } from './support/kendra.js';
import { freePort, userEnv } from './support/process.js';
import { readmeBlocks, type Block } from './support/readmeBlocks.js';
import { REPO_ROOT, TestServer, TestStore, waitFor } from './support/server.js';

// The README tried literally, as a new user would: every fenced block runs (or says why not) against
// a started server. The README keeps the default port 4580 for its readers; the blocks run here with
// the test server's port written in its place.

const README = readFileSync(path.join(REPO_ROOT, 'README.md'), 'utf8');
const BLOCKS = readmeBlocks(README);
// A user's PATH, with this test's `node` first (the README's runs on every Node CI tries) and
// `kendrite` on it, as `npm install -g .` puts it (its packed form is tested in cli.test.ts).
const BIN = mkdtempSync(path.join(tmpdir(), 'kendrite-readme-bin-'));
symlinkSync(process.execPath, path.join(BIN, 'node'));
writeFileSync(path.join(BIN, 'kendrite'), `#!/bin/sh\nexec "${process.execPath}" "${path.join(REPO_ROOT, 'dist/src/cli/main.js')}" "$@"\n`, { mode: 0o755 });
const PATH = [BIN, process.env.PATH].join(path.delimiter);
after(() => rmSync(BIN, { recursive: true, force: true }));

const boto3Skip = spawnSync('python3', ['-c', 'import boto3'], { stdio: 'ignore' }).status === 0 ? undefined : 'boto3 not found';

test('every README block says how it is tried (a runnable language, or no-run with the reason)', () => {
  const invalid = BLOCKS.filter((b) => b.kind.run === 'invalid').map((b) => `README.md:${b.line}: ${(b.kind as { problem: string }).problem}`);
  assert.deepEqual(invalid, []);
  assert.ok(BLOCKS.length >= 10, `only ${BLOCKS.length} blocks found`);
});

test("README's table of implemented and refused operations is the code's (`npm run readme-ops` writes it)", () => {
  assert.equal(readmeOperationsTable(README), operationsTable());
});

test('`npm start` serves the built server without building it again', async () => {
  const main = path.join(REPO_ROOT, 'dist/src/cli/main.js');
  const before = statSync(main).mtimeMs;
  const dataDir = mkdtempSync(path.join(tmpdir(), 'kendrite-start-'));
  try {
    await serves('npm start', { KENDRITE_DATA_DIR: dataDir });
    assert.equal(statSync(main).mtimeMs, before, 'npm start rebuilt dist/');
  } finally {
    rmSync(dataDir, { recursive: true, force: true });
  }
});

describe('README blocks, run as written', () => {
  let store: TestStore;
  let server: TestServer;
  let k: KendraClient;
  let work: string;
  let env: NodeJS.ProcessEnv;
  let indexId: string;

  before(async () => {
    store = await TestStore.create('sqlite');
    server = await TestServer.start(store);
    k = server.client();
    // The ids the shell examples name: an index, a CUSTOM data source and a sync job that indexed one document.
    indexId = await activeIndex(k);
    const ds = await activeCustomDataSource(k, indexId);
    const executionId = (await k.send(new StartDataSourceSyncJobCommand({ IndexId: indexId, Id: ds }))).ExecutionId!;
    await k.send(
      new BatchPutDocumentCommand({
        IndexId: indexId,
        Documents: [{ Id: 'readme', Title: 'README', ContentType: 'PLAIN_TEXT', Blob: new TextEncoder().encode('tried literally'), Attributes: [
          { Key: '_data_source_id', Value: { StringValue: ds } },
          { Key: '_data_source_sync_job_execution_id', Value: { StringValue: executionId } },
        ] }],
      }),
    );
    await k.send(new StopDataSourceSyncJobCommand({ IndexId: indexId, Id: ds }));
    await jobReaching(k, indexId, ds, executionId, ['SUCCEEDED']);

    // The JavaScript examples run beside the project's packages, as in a project that installed them.
    work = mkdtempSync(path.join(tmpdir(), 'kendrite-readme-'));
    symlinkSync(path.join(REPO_ROOT, 'node_modules'), path.join(work, 'node_modules'));
    env = userEnv({
      PATH,
      KENDRITE_PORT: new URL(server.url).port,
      INDEX: indexId,
      DS: ds,
      EXECUTION_ID: executionId,
      // What the AWS CLI example exports, for the shell examples after it.
      AWS_ACCESS_KEY_ID: 'test',
      AWS_SECRET_ACCESS_KEY: 'test',
      AWS_DEFAULT_REGION: 'us-east-1',
      AWS_PAGER: '',
    });
  });
  after(async () => {
    await server?.stop();
    await store?.destroy();
    if (work) rmSync(work, { recursive: true, force: true });
  });

  // A block that hangs fails instead of holding up the run.
  const timeout = 300_000;
  const literal = (b: Block) => b.code.replaceAll(':4580', `:${new URL(server.url).port}`);

  for (const block of BLOCKS) {
    const name = `README.md:${block.line} \`\`\`${block.info}`;
    const kind = block.kind;
    switch (kind.run) {
      case 'sh': {
        const skip = /\baws\b/.test(block.code) ? awsCliSkip : undefined;
        test(name, { skip, timeout }, async () => {
          await runs('bash', ['-euo', 'pipefail', '-c', literal(block)], { cwd: REPO_ROOT, env });
        });
        break;
      }
      case 'js':
        test(name, { timeout }, async () => {
          const file = path.join(work, `readme-${block.line}.mjs`);
          writeFileSync(file, literal(block));
          await runs(process.execPath, [file], { cwd: work, env });
        });
        break;
      case 'python':
        test(name, { skip: boto3Skip, timeout }, async () => {
          const file = path.join(work, `readme-${block.line}.py`);
          writeFileSync(file, literal(block));
          await runs('python3', [file], { cwd: work, env });
        });
        break;
      case 'serves':
        test(name, { timeout }, async () => {
          await serves(literal(block), { KENDRITE_DATA_DIR: path.join(work, `data-${block.line}`) });
        });
        break;
      case 'operation':
        test(name, async () => {
          const Command = (kendraSdk as unknown as Record<string, new (input: unknown) => Parameters<KendraClient['send']>[0]>)[`${kind.operation}Command`];
          assert.ok(Command, `${kind.operation} is not a Kendra operation`);
          const input = { IndexId: indexId, ...(JSON.parse(block.code) as Record<string, unknown>) };
          await k.send(new Command(input));
        });
        break;
      case 'config':
        test(name, () => {
          const file = path.join(work, `readme-${block.line}.json`);
          writeFileSync(file, block.code);
          const given = JSON.parse(block.code) as Record<string, unknown>;
          assertIncludes(loadConfig({ file, env: {} }), given, 'config');
        });
        break;
      case 'none':
      case 'invalid':
        break; // the first test names invalid ones; no-run blocks say why in the README
    }
  }
});

/** Runs a command to its end; fails with its output unless it exits 0. */
function runs(cmd: string, args: string[], opts: { cwd: string; env: NodeJS.ProcessEnv }): Promise<void> {
  return new Promise((resolve, reject) => {
    const proc = spawn(cmd, args, { ...opts, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    proc.stdout.on('data', (d: Buffer) => (out += d.toString()));
    proc.stderr.on('data', (d: Buffer) => (out += d.toString()));
    proc.once('error', reject);
    proc.once('exit', (code, signal) => (code === 0 ? resolve() : reject(new Error(`exited ${code ?? signal}:\n${out}`))));
  });
}

/**
 * Runs a shell command that starts the server (on a free port, via KENDRITE_PORT), waits until it
 * answers /health, then stops it and everything it started.
 */
async function serves(script: string, extraEnv: Record<string, string>): Promise<void> {
  const port = await freePort();
  const proc = spawn('bash', ['-euo', 'pipefail', '-c', script], {
    cwd: REPO_ROOT,
    env: userEnv({ PATH, KENDRITE_PORT: String(port), ...extraEnv }),
    stdio: ['ignore', 'pipe', 'pipe'],
    detached: true,
  });
  let out = '';
  proc.stdout.on('data', (d: Buffer) => (out += d.toString()));
  proc.stderr.on('data', (d: Buffer) => (out += d.toString()));
  const exited = new Promise<void>((r) => proc.once('exit', () => r()));
  try {
    const health = await Promise.race([
      waitFor(`${script} to serve`, async () => {
        const r = await fetch(`http://127.0.0.1:${port}/health`);
        return r.ok ? r.json() : undefined;
      }, 180_000),
      exited.then(() => Promise.reject(new Error(`${script} exited ${proc.exitCode} before serving`))),
    ]).catch((e: Error) => Promise.reject(new Error(`${e.message}\n${out}`)));
    assert.deepEqual(health, { status: 'ok', version: VERSION, store: 'sqlite', checks: { store: 'ok', worker: 'ok' } });
  } finally {
    if (proc.exitCode === null) process.kill(-proc.pid!, 'SIGTERM');
    await exited;
  }
}

/** Every value `given` sets is the one `actual` has. */
function assertIncludes(actual: unknown, given: unknown, where: string): void {
  if (given && typeof given === 'object' && !Array.isArray(given)) {
    for (const [key, v] of Object.entries(given)) assertIncludes((actual as Record<string, unknown>)?.[key], v, `${where}.${key}`);
  } else {
    assert.deepEqual(actual, given, where);
  }
}
