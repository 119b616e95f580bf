// The connectors' pure rules, case by case: D-7 patterns (expectations checked against Python's
// fnmatch.fnmatchcase, which the AWS CLI's --include/--exclude use), metadata files, and which
// configurations are refused.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { describe, test } from 'node:test';
import { ConfigurationError } from '../src/connectors/contract.js';
import { MetadataError, parseMetadata } from '../src/connectors/metadata.js';
import { compareKeys, Glob, KeyFilter, listingPrefixes } from '../src/connectors/patterns.js';
import { parseSource } from '../src/connectors/registry.js';

const hasPython = spawnSync('python3', ['-c', 'import fnmatch'], { stdio: 'ignore' }).status === 0;

describe('D-7 patterns', () => {
  const cases: [string, string, boolean][] = [
    ['*.txt', 'a.txt', true],
    ['*.txt', 'dir/a.txt', true], // `*` crosses `/`
    ['docs/*', 'docs/a/b.md', true],
    ['?.md', 'a.md', true],
    ['?.md', 'ab.md', false],
    ['[abc].txt', 'b.txt', true],
    ['[!abc].txt', 'b.txt', false],
    ['[!abc].txt', 'd.txt', true],
    ['[]].txt', '].txt', true],
    ['[a-c]x', 'bx', true],
    ['[a-c]x', 'dx', false],
    ['**/*.png', 'a/b.png', true],
    ['**/*.png', 'b.png', false],
    ['a[', 'a[', true],
    ['*.{png,ico}', 'x.png', false], // no braces in fnmatch
    ['[^a]', '^', true],
    ['[^a]', 'b', false],
    ['a.b', 'axb', false],
    ['é?', 'éa', true],
    ['report', 'reports/report', false], // the whole key must match
  ];
  for (const [glob, key, expected] of cases)
    test(`${glob} ${expected ? 'matches' : 'does not match'} ${key}`, () => assert.equal(new Glob(glob).matches(key), expected));

  test('no backtracking: `*a*a*a*a*a*a*a*a*a*a*b` over 10,000-character keys (a regular expression took minutes on one)', { timeout: 20_000 }, () => {
    const glob = new Glob('*a*a*a*a*a*a*a*a*a*a*b');
    const keys = Array.from({ length: 200 }, (_, i) => 'a'.repeat(10_000 + i) + (i % 4 === 0 ? 'b' : i % 4 === 1 ? '/c.txt' : ''));
    assert.equal(keys.filter((key) => glob.matches(key)).length, 50);
    assert.equal(glob.matches('a'.repeat(9) + 'b'), false); // ten a's needed
    assert.equal(glob.matches('a'.repeat(10) + 'b'), true);
    const filter = new KeyFilter({ inclusionPatterns: ['*a*a*a*a*a*a*a*a*a*a*.txt'], exclusionPatterns: ['*a*a*a*a*a*a*a*a*a*a*b'] });
    assert.equal(keys.filter((key) => filter.includes(key)).length, 50);
    // Stars between classes and `?`, each segment at its leftmost place.
    assert.equal(new Glob('*[ab]?*[!a]*?b').matches('x'.repeat(5000) + 'ab' + 'a'.repeat(5000) + 'cab'), true);
    assert.equal(new Glob('*[ab]?*[!a]*?b').matches('a'.repeat(20_000) + 'b'), false);
  });

  test('agrees with Python fnmatch.fnmatchcase on 3,000 random patterns and keys', { skip: !hasPython && 'skipped: python3 not found' }, () => {
    let seed = 7;
    const random = (n: number) => ((seed = (seed * 1103515245 + 12345) & 0x7fffffff) % n);
    const pick = <T>(xs: T[]) => xs[random(xs.length)]!;
    const pairs: [string, string][] = [];
    for (let i = 0; i < 3000; i++) {
      const glob = Array.from({ length: 1 + random(8) }, () => pick(['a', 'b', '/', '.', '*', '*', '?', '[ab]', '[!a]', '[a-c]', '[]a]', '[', 'é', '😀'])).join('');
      const key = Array.from({ length: random(12) }, () => pick(['a', 'b', 'c', '/', '.', '[', ']', 'é', '😀'])).join('');
      pairs.push([glob, key]);
    }
    const python = spawnSync('python3', ['-c', 'import fnmatch, json, sys\nprint(json.dumps([fnmatch.fnmatchcase(k, g) for g, k in json.load(sys.stdin)]))'], { input: JSON.stringify(pairs), encoding: 'utf8' });
    const expected = JSON.parse(python.stdout) as boolean[];
    assert.equal(expected.length, pairs.length);
    const differing = pairs.filter(([glob, key], i) => new Glob(glob).matches(key) !== expected[i]);
    assert.deepEqual(differing, []);
  });

  test('an exclusion wins over an inclusion; inclusion prefixes are plain prefixes', () => {
    const f = new KeyFilter({ inclusionPrefixes: ['docs/'], inclusionPatterns: ['*.md', '*.txt'], exclusionPatterns: ['docs/private/*'] });
    assert.deepEqual(
      ['docs/a.md', 'docs/b.pdf', 'docs/private/c.md', 'other/d.md', 'docs*/e.md'].map((k) => f.includes(k)),
      [true, false, false, false, false],
    );
    assert.equal(new KeyFilter({}).includes('anything'), true);
  });

  test('listing prefixes: nested ones dropped, the rest in key order; none means the whole bucket', () => {
    assert.deepEqual(listingPrefixes(['b/', 'a/x/', 'a/', 'b/', '']), ['a/', 'b/']);
    assert.deepEqual(listingPrefixes(undefined), ['']);
  });

  test("keys compare by UTF-8 bytes, as S3 lists them", () => {
    assert.ok(compareKeys('\u{ff61}', '\u{1f600}') < 0); // U+FF61 sorts before U+1F600 in UTF-8, after it in UTF-16
    assert.ok(compareKeys('a', 'a-1') < 0 && compareKeys('a-1', 'a.txt') < 0 && compareKeys('a.txt', 'a/b') < 0);
  });
});

describe('metadata files', () => {
  const parse = (v: unknown) => parseMetadata(Buffer.from(typeof v === 'string' ? v : JSON.stringify(v)), 'm.json');

  test('DocumentId, Title, ContentType and typed attributes', () => {
    const m = parse({
      DocumentId: 'doc-1', Title: 'A title', ContentType: 'HTML',
      Attributes: { _category: 'guides', _created_at: '2024-01-02T03:04:05Z', _authors: ['ann', 'bob'], _view_count: 7, team: 'search', priority: 3, tags: ['x'] },
    });
    assert.equal(m.documentId, 'doc-1');
    assert.equal(m.title, 'A title');
    assert.equal(m.contentType, 'HTML');
    assert.deepEqual(m.attributes, [
      { Key: '_category', Value: { StringValue: 'guides' } },
      { Key: '_created_at', Value: { DateValue: new Date('2024-01-02T03:04:05Z') } },
      { Key: '_authors', Value: { StringListValue: ['ann', 'bob'] } },
      { Key: '_view_count', Value: { LongValue: 7 } },
      { Key: 'team', Value: { StringValue: 'search' } },
      { Key: 'priority', Value: { LongValue: 3 } },
      { Key: 'tags', Value: { StringListValue: ['x'] } },
    ]);
  });

  const bad: [string, unknown, RegExp][] = [
    ['not JSON', '{"Title": ', /not valid UTF-8 JSON/],
    ['not an object', '[1]', /must hold a JSON object/],
    ['an empty DocumentId', { DocumentId: '' }, /DocumentId must be a string of 1 to 2048 characters/],
    ['an unknown ContentType', { ContentType: 'EXE' }, /ContentType 'EXE' is not one of/],
    ['a date that is not ISO 8601', { Attributes: { _created_at: 'yesterday' } }, /_created_at must be an ISO 8601 date/],
    ['a reserved attribute of the wrong type', { Attributes: { _view_count: 'many' } }, /_view_count must be an integer/],
    ['an attribute kendrite sets itself', { Attributes: { _data_source_id: 'x' } }, /is set by kendrite/],
    ['an unknown reserved name', { Attributes: { _secret: 'x' } }, /custom attribute names cannot start with '_'/],
    ['a boolean value', { Attributes: { flag: true } }, /must be a string, an integer or a list of strings/],
    ['a list that is not of strings', { Attributes: { tags: [1] } }, /must be a list of strings/],
  ];
  for (const [what, input, message] of bad)
    test(`refused: ${what}`, () => assert.throws(() => parse(input), (e: unknown) => e instanceof MetadataError && message.test(e.message)));
});

describe('connector configurations', () => {
  const template = (t: Record<string, unknown>) => ({ TemplateConfiguration: { Template: t } });
  const folder = { type: 'FILESYSTEM', connectionConfiguration: { repositoryEndpointMetadata: { path: '/srv/docs' } } };

  test('S3Configuration and the two templates', () => {
    assert.deepEqual(parseSource('S3', { S3Configuration: { BucketName: 'b', InclusionPrefixes: ['x/'], DocumentsMetadataConfiguration: { S3Prefix: 'm/' } } }), {
      kind: 'S3', syncMode: 'FULL_CRAWL',
      source: { bucket: 'b', inclusionPrefixes: ['x/'], inclusionPatterns: undefined, exclusionPatterns: undefined, metadataPrefix: 'm/' },
    });
    const s3 = parseSource('TEMPLATE', template({ type: 'S3', syncMode: 'FORCED_FULL_CRAWL', connectionConfiguration: { repositoryEndpointMetadata: { BucketName: 'my-bucket' } }, additionalProperties: { maxFileSizeInMegaBytes: '2', metadataFilesPrefix: 'meta/' } }));
    assert.equal(s3?.kind, 'S3');
    assert.equal(s3?.syncMode, 'FORCED_FULL_CRAWL');
    assert.equal(s3?.maxFileBytes, 2 * 1024 * 1024);
    assert.equal(s3?.kind === 'S3' && s3.source.metadataPrefix, 'meta/');
    const fs = parseSource('TEMPLATE', template({ ...folder, additionalProperties: { exclusionPatterns: ['*.tmp'] } }));
    assert.deepEqual(fs, { kind: 'FILESYSTEM', syncMode: 'FULL_CRAWL', maxFileBytes: undefined, source: { path: '/srv/docs', inclusionPatterns: undefined, exclusionPatterns: ['*.tmp'] } });
  });

  test('types these connectors do not serve are left to others', () => {
    assert.equal(parseSource('CUSTOM', undefined), undefined);
    assert.equal(parseSource('GOOGLEDRIVE', { GoogleDriveConfiguration: {} }), undefined);
    assert.equal(parseSource('TEMPLATE', template({ type: 'CONFLUENCE' })), undefined);
  });

  const refused: [string, Record<string, unknown>][] = [
    ['a template that is not an object', { TemplateConfiguration: { Template: 'S3' } }],
    ['a template without type', template({ connectionConfiguration: {} })],
    ['an unknown member', template({ ...folder, sync_mode: 'FULL_CRAWL' })],
    ['a relative folder', template({ ...folder, connectionConfiguration: { repositoryEndpointMetadata: { path: 'docs' } } })],
    ['CHANGE_LOG for a folder', template({ ...folder, syncMode: 'CHANGE_LOG' })],
    ['a bad size', template({ ...folder, additionalProperties: { maxFileSizeInMegaBytes: '-1' } })],
    ['patterns that are not a list', template({ ...folder, additionalProperties: { inclusionPatterns: '*.md' } })],
    ['a broken glob class', template({ ...folder, additionalProperties: { exclusionPatterns: ['[z-a]'] } })],
    ['an S3 template with a bad bucket name', template({ type: 'S3', connectionConfiguration: { repositoryEndpointMetadata: { BucketName: 'No_Such' } } })],
  ];
  for (const [what, configuration] of refused)
    test(`refused: ${what}`, () => assert.throws(() => parseSource('TEMPLATE', configuration), ConfigurationError));
});
