import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { test } from 'node:test';
import { pathToFileURL } from 'node:url';
import { REPO_ROOT } from './support/server.js';

// The summary CI prints is what people read: a group that did not run must show up as skipped.

test('a group skipped for a missing backend is counted as skipped by the runner, by its name', () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'kendrite-summary-'));
  try {
    const file = path.join(dir, 'groups.test.mjs');
    const support = pathToFileURL(path.join(REPO_ROOT, 'dist/test/support/server.js')).href;
    writeFileSync(
      file,
      `import { test } from 'node:test';
import { backends, describeOrSkip } from ${JSON.stringify(support)};
for (const backend of backends()) {
  describeOrSkip(\`a group [\${backend.name}]\`, { skip: backend.skip }, () => {
    test('one', () => {});
    test('two', () => {});
  });
}
`,
    );
    const env = { ...process.env };
    delete env.KENDRITE_TEST_POSTGRES_URL;
    delete env.NODE_TEST_CONTEXT; // else the inner runner reports to this one, not as TAP

    const r = spawnSync(process.execPath, ['--test', '--test-reporter=tap', file], { env, encoding: 'utf8' });
    assert.equal(r.status, 0, r.stdout + r.stderr);
    const count = (name: string) => Number(new RegExp(`^# ${name} (\\d+)$`, 'm').exec(r.stdout)?.[1]);
    assert.equal(count('pass'), 2, r.stdout);
    assert.equal(count('skipped'), 1, r.stdout);
    assert.equal(count('fail'), 0, r.stdout);
    assert.match(r.stdout, /^ok \d+ - a group \[postgres\] # SKIP skipped: KENDRITE_TEST_POSTGRES_URL not set$/m);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('no test file skips a whole describe() (node counts a skipped suite nowhere): describeOrSkip does', () => {
  const testDir = path.join(REPO_ROOT, 'test');
  const offenders = readdirSync(testDir)
    .filter((f) => f.endsWith('.test.ts'))
    .flatMap((f) =>
      readFileSync(path.join(testDir, f), 'utf8')
        .split('\n')
        .map((line, i) => ({ where: `test/${f}:${i + 1}`, line }))
        .filter(({ line }) => /\bdescribe\(.*\{\s*skip:/.test(line)),
    )
    .map(({ where }) => where);
  assert.deepEqual(offenders, []);
});

test('`npm test` runs exactly the test files, on every Node (a directory argument ran support modules as tests on 20 and nothing on 22)', () => {
  const script = (JSON.parse(readFileSync(path.join(REPO_ROOT, 'package.json'), 'utf8')) as { scripts: { test: string } }).scripts.test;
  const run = /node --test (.*)$/.exec(script);
  assert.ok(run, script);
  // The arguments as npm's shell expands them, less the runner's own options.
  const args = execFileSync('bash', ['-c', `printf '%s\\n' ${run[1]}`], { cwd: REPO_ROOT, encoding: 'utf8' }).trim().split('\n').filter((a) => !a.startsWith('--'));
  const testFiles = readdirSync(path.join(REPO_ROOT, 'dist/test')).filter((f) => f.endsWith('.test.js')).map((f) => `dist/test/${f}`);
  assert.deepEqual(args.sort(), testFiles.sort());
});

test('.ci/run exports only variables that some test or the server reads', () => {
  const run = readFileSync(path.join(REPO_ROOT, '.ci/run'), 'utf8');
  const exported = [...run.matchAll(/^export\s+(.+)$/gm)].flatMap((m) => [...m[1]!.matchAll(/([A-Z_][A-Z0-9_]*)=/g)].map((v) => v[1]!));
  assert.ok(exported.length > 0, 'no exports found in .ci/run');
  const sources = ['src', 'test', 'bench'].flatMap((d) => sourceFiles(path.join(REPO_ROOT, d))).map((f) => readFileSync(f, 'utf8'));
  const unread = exported.filter((name) => !sources.some((text) => text.includes(name)));
  assert.deepEqual(unread, []);
});

function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true, recursive: true })
    .filter((e) => e.isFile() && /\.(ts|py)$/.test(e.name))
    .map((e) => path.join(e.parentPath ?? (e as unknown as { path: string }).path, e.name));
}
