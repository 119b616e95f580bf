// Input parsing and validation (P-4, P-5): parseOperationInput, the generated validators, codegen.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { compilePattern, findRepoRoot, generate, loadModel, memberPath } from '../scripts/codegen.js';
import { KendraError } from '../src/protocol/errors.js';
import { OPERATION_ERRORS, OPERATION_NAMES, type OperationName } from '../src/protocol/generated/operations.js';
import { parseOperationInput } from '../src/protocol/validate.js';
import { badInputCases, validInputFor } from './support/badInputCases.js';

const root = findRepoRoot(import.meta.url);
const model = loadModel(root);
const INDEX = '0123456789abcdef0123456789abcdef0123'; // 36 characters, as IndexId requires
const ROLE = 'arn:aws:iam::123456789012:role/kendra';

function errorOf(fn: () => unknown): KendraError {
  try {
    fn();
  } catch (e) {
    if (e instanceof KendraError) return e;
    throw e;
  }
  assert.fail('expected a KendraError');
}

function expectError(op: OperationName, body: unknown, code: string, message: string): void {
  const e = errorOf(() => parseOperationInput(op, body));
  assert.equal(e.code, code);
  assert.equal(e.message, message);
}

const validation = (op: OperationName, body: unknown, message: string) => expectError(op, body, 'ValidationException', message);
const serialization = (op: OperationName, body: unknown, message: string) => expectError(op, body, 'SerializationException', message);

describe('P-5 ListDataSourceSyncJobs', () => {
  it('MaxResults above its maximum', () => {
    validation(
      'ListDataSourceSyncJobs',
      { Id: 'ds1', IndexId: INDEX, MaxResults: 11 },
      "1 validation error detected: Value '11' at 'maxResults' failed to satisfy constraint: Member must have value less than or equal to 10",
    );
  });

  it('MaxResults below its minimum', () => {
    validation(
      'ListDataSourceSyncJobs',
      { Id: 'ds1', IndexId: INDEX, MaxResults: 0 },
      "1 validation error detected: Value '0' at 'maxResults' failed to satisfy constraint: Member must have value greater than or equal to 1",
    );
  });

  it('Id and IndexId missing together: both, in member order', () => {
    validation(
      'ListDataSourceSyncJobs',
      {},
      "2 validation errors detected: Value null at 'id' failed to satisfy constraint: Member must not be null; " +
        "Value null at 'indexId' failed to satisfy constraint: Member must not be null",
    );
  });

  it('violations of different members and kinds are all collected', () => {
    validation(
      'ListDataSourceSyncJobs',
      { Id: '-x', IndexId: 'x', MaxResults: 11, StatusFilter: 'DONE' },
      '4 validation errors detected: ' +
        "Value '-x' at 'id' failed to satisfy constraint: Member must satisfy regular expression pattern: [a-zA-Z0-9][a-zA-Z0-9_-]*; " +
        "Value 'x' at 'indexId' failed to satisfy constraint: Member must have length greater than or equal to 36; " +
        "Value '11' at 'maxResults' failed to satisfy constraint: Member must have value less than or equal to 10; " +
        "Value 'DONE' at 'statusFilter' failed to satisfy constraint: Member must satisfy enum value set: " +
        '[FAILED, SUCCEEDED, SYNCING, INCOMPLETE, STOPPING, ABORTED, SYNCING_INDEXING]',
    );
  });

  it('MaxResults of the wrong JSON type → SerializationException', () => {
    serialization('ListDataSourceSyncJobs', { Id: 'ds1', IndexId: INDEX, MaxResults: '5' }, "Invalid type at 'maxResults': expected an integer, got string");
    serialization('ListDataSourceSyncJobs', { Id: 'ds1', IndexId: INDEX, MaxResults: 1.5 }, "Invalid type at 'maxResults': expected an integer, got number 1.5");
    serialization('ListDataSourceSyncJobs', { Id: 'ds1', IndexId: INDEX, MaxResults: 3e9 }, "Invalid type at 'maxResults': expected an integer, got number 3000000000");
    serialization('ListDataSourceSyncJobs', { Id: 'ds1', IndexId: INDEX, MaxResults: true }, "Invalid type at 'maxResults': expected an integer, got boolean");
  });

  it('a type error wins over constraint violations found before it', () => {
    serialization('ListDataSourceSyncJobs', { Id: '', IndexId: 7 }, "Invalid type at 'indexId': expected a string, got number 7");
  });

  it('StartTimeFilter: epoch seconds (fractional) → Date', () => {
    const r = parseOperationInput('ListDataSourceSyncJobs', {
      Id: 'ds1',
      IndexId: INDEX,
      StartTimeFilter: { StartTime: 1700000000.123, EndTime: 1700000100 },
    });
    assert.deepEqual(r, {
      Id: 'ds1',
      IndexId: INDEX,
      StartTimeFilter: { StartTime: new Date(1700000000123), EndTime: new Date(1700000100000) },
    });
    assert.equal(r.StartTimeFilter?.StartTime instanceof Date, true);
  });

  it('StartTimeFilter: a string timestamp → SerializationException', () => {
    serialization(
      'ListDataSourceSyncJobs',
      { Id: 'ds1', IndexId: INDEX, StartTimeFilter: { StartTime: '2024-01-01T00:00:00Z' } },
      "Invalid type at 'startTimeFilter.startTime': expected a timestamp (epoch seconds as a JSON number), got string",
    );
    serialization(
      'ListDataSourceSyncJobs',
      { Id: 'ds1', IndexId: INDEX, StartTimeFilter: { EndTime: 1e300 } },
      "Invalid type at 'startTimeFilter.endTime': expected a timestamp (epoch seconds as a JSON number), got number 1e+300",
    );
    serialization('ListDataSourceSyncJobs', { Id: 'ds1', IndexId: INDEX, StartTimeFilter: [] }, "Invalid type at 'startTimeFilter': expected an object, got array");
  });

  it('P-4 members the model does not define are ignored (and dropped)', () => {
    const r = parseOperationInput('ListDataSourceSyncJobs', {
      Id: 'ds1',
      IndexId: INDEX,
      Bogus: { anything: [1, 2] },
      StartTimeFilter: { StartTime: 0, Extra: 'x' },
      maxResults: 'lowercase is not the member',
    });
    assert.deepEqual(r, { Id: 'ds1', IndexId: INDEX, StartTimeFilter: { StartTime: new Date(0) } });
  });

  it('JSON null counts as absent', () => {
    const r = parseOperationInput('ListDataSourceSyncJobs', { Id: 'ds1', IndexId: INDEX, MaxResults: null, StartTimeFilter: null, NextToken: null });
    assert.deepEqual(r, { Id: 'ds1', IndexId: INDEX });
    validation(
      'ListDataSourceSyncJobs',
      { Id: null, IndexId: INDEX },
      "1 validation error detected: Value null at 'id' failed to satisfy constraint: Member must not be null",
    );
  });

  it('a valid input comes back unchanged', () => {
    const body = { Id: 'ds1', IndexId: INDEX, NextToken: 't', MaxResults: 10, StatusFilter: 'SUCCEEDED' };
    assert.deepEqual(parseOperationInput('ListDataSourceSyncJobs', body), body);
  });
});

describe('P-5 CreateIndex', () => {
  it('Edition outside its enum', () => {
    validation(
      'CreateIndex',
      { Name: 'idx', RoleArn: ROLE, Edition: 'FREE_EDITION' },
      "1 validation error detected: Value 'FREE_EDITION' at 'edition' failed to satisfy constraint: " +
        'Member must satisfy enum value set: [DEVELOPER_EDITION, ENTERPRISE_EDITION, GEN_AI_ENTERPRISE_EDITION]',
    );
  });

  it('Name not matching its pattern', () => {
    validation(
      'CreateIndex',
      { Name: 'my index', RoleArn: ROLE },
      "1 validation error detected: Value 'my index' at 'name' failed to satisfy constraint: Member must satisfy regular expression pattern: [a-zA-Z0-9][a-zA-Z0-9_-]*",
    );
  });

  it('Name empty: length and pattern both reported', () => {
    validation(
      'CreateIndex',
      { Name: '', RoleArn: ROLE },
      "2 validation errors detected: Value '' at 'name' failed to satisfy constraint: Member must have length greater than or equal to 1; " +
        "Value '' at 'name' failed to satisfy constraint: Member must satisfy regular expression pattern: [a-zA-Z0-9][a-zA-Z0-9_-]*",
    );
  });

  it('Name too long (1000 is the maximum)', () => {
    const name = 'n'.repeat(1001);
    validation(
      'CreateIndex',
      { Name: name, RoleArn: ROLE },
      `1 validation error detected: Value '${name}' at 'name' failed to satisfy constraint: Member must have length less than or equal to 1000`,
    );
    assert.deepEqual(parseOperationInput('CreateIndex', { Name: 'n'.repeat(1000), RoleArn: ROLE }), { Name: 'n'.repeat(1000), RoleArn: ROLE });
  });

  it('string length counts UTF-16 code units, as Java does', () => {
    // Description: max 1000, pattern ^\P{C}*$. '😀' is 2 code units, so 500 fit and 501 do not.
    const ok = '😀'.repeat(500);
    assert.equal(parseOperationInput('CreateIndex', { Name: 'i', RoleArn: ROLE, Description: ok }).Description, ok);
    validation(
      'CreateIndex',
      { Name: 'i', RoleArn: ROLE, Description: ok + '😀' },
      `1 validation error detected: Value '${ok}😀' at 'description' failed to satisfy constraint: Member must have length less than or equal to 1000`,
    );
  });

  it('a sensitive member (KmsKeyId) is not echoed back', () => {
    validation(
      'CreateIndex',
      { Name: 'i', RoleArn: ROLE, ServerSideEncryptionConfiguration: { KmsKeyId: '' } },
      "1 validation error detected: Value at 'serverSideEncryptionConfiguration.kmsKeyId' failed to satisfy constraint: Member must have length greater than or equal to 1",
    );
  });

  it('Tags: list elements are 1-based and nested required members are checked', () => {
    validation(
      'CreateIndex',
      { Name: 'i', RoleArn: ROLE, Tags: [{ Key: 'a', Value: 'b' }, { Value: 'c' }] },
      "1 validation error detected: Value null at 'tags.2.key' failed to satisfy constraint: Member must not be null",
    );
  });

  it('a string given for a structure, an object for a list', () => {
    serialization('CreateIndex', { Name: 'i', RoleArn: ROLE, ServerSideEncryptionConfiguration: 'k' }, "Invalid type at 'serverSideEncryptionConfiguration': expected an object, got string");
    serialization('CreateIndex', { Name: 'i', RoleArn: ROLE, Tags: { Key: 'a' } }, "Invalid type at 'tags': expected an array, got object");
    serialization('CreateIndex', { Name: ['i'], RoleArn: ROLE }, "Invalid type at 'name': expected a string, got array");
  });
});

describe('P-5 BatchPutDocument', () => {
  it('nested member of a list element: documents.1.id', () => {
    validation(
      'BatchPutDocument',
      { IndexId: INDEX, Documents: [{ Id: '' }] },
      "1 validation error detected: Value '' at 'documents.1.id' failed to satisfy constraint: Member must have length greater than or equal to 1",
    );
  });

  it('Blob: base64 → Buffer', () => {
    const r = parseOperationInput('BatchPutDocument', {
      IndexId: INDEX,
      Documents: [{ Id: 'd1', Blob: Buffer.from('hello world').toString('base64'), ContentType: 'PLAIN_TEXT' }],
    });
    const blob = r.Documents[0]!.Blob;
    assert.equal(Buffer.isBuffer(blob), true);
    assert.deepEqual(blob, Buffer.from('hello world'));
    assert.deepEqual(parseOperationInput('BatchPutDocument', { IndexId: INDEX, Documents: [{ Id: 'd', Blob: '' }] }).Documents[0]!.Blob, Buffer.alloc(0));
  });

  it('Blob: not base64, or not a string → SerializationException', () => {
    serialization('BatchPutDocument', { IndexId: INDEX, Documents: [{ Id: 'd1', Blob: 'aGVsbG8gd29ybGQ!' }] }, "Invalid base64 at 'documents.1.blob': expected a base64-encoded string");
    serialization('BatchPutDocument', { IndexId: INDEX, Documents: [{ Id: 'd1', Blob: 'aGVsb=8=' }] }, "Invalid base64 at 'documents.1.blob': expected a base64-encoded string");
    serialization('BatchPutDocument', { IndexId: INDEX, Documents: [{ Id: 'd1', Blob: [1, 2] }] }, "Invalid type at 'documents.1.blob': expected a base64-encoded string, got array");
    // URL-safe alphabet, embedded whitespace, padding in the middle, impossible length, too much padding
    for (const blob of ['aGVs-G8_', 'aGVs bG8=', 'aGVs\nbG8=', 'QQ==QQ==', 'aGVsb', 'Q===', 'QUJD=']) {
      serialization('BatchPutDocument', { IndexId: INDEX, Documents: [{ Id: 'd1', Blob: blob }] }, "Invalid base64 at 'documents.1.blob': expected a base64-encoded string");
    }
    // Unpadded base64 is still base64.
    assert.deepEqual(parseOperationInput('BatchPutDocument', { IndexId: INDEX, Documents: [{ Id: 'd', Blob: 'aGVsbG8' }] }).Documents[0]!.Blob, Buffer.from('hello'));
  });

  it('11 documents: list length (documents are structures, so no value is shown)', () => {
    const docs = Array.from({ length: 11 }, (_, i) => ({ Id: `d${i}` }));
    validation(
      'BatchPutDocument',
      { IndexId: INDEX, Documents: docs },
      "1 validation error detected: Value at 'documents' failed to satisfy constraint: Member must have length less than or equal to 10",
    );
  });

  it('null list element, and violations inside several elements', () => {
    validation(
      'BatchPutDocument',
      { IndexId: INDEX, Documents: [{ Id: 'ok' }, null, { Id: 'x', ContentType: 'DOCX' }] },
      "2 validation errors detected: Value null at 'documents.2' failed to satisfy constraint: Member must not be null; " +
        "Value 'DOCX' at 'documents.3.contentType' failed to satisfy constraint: Member must satisfy enum value set: [PDF, HTML, MS_WORD, PLAIN_TEXT, PPT, RTF, XML, XSLT, MS_EXCEL, CSV, JSON, MD]",
    );
  });

  it('document attributes: DateValue → Date, lists of strings shown as [a, b]', () => {
    const r = parseOperationInput('BatchPutDocument', {
      IndexId: INDEX,
      Documents: [{ Id: 'd', Attributes: [{ Key: '_created_at', Value: { DateValue: 1.5 } }] }],
    });
    assert.deepEqual(r.Documents[0]!.Attributes, [{ Key: '_created_at', Value: { DateValue: new Date(1500) } }]);
    validation(
      'BatchPutDocument',
      { IndexId: INDEX, Documents: [{ Id: 'd', HierarchicalAccessControlList: [] }] },
      "1 validation error detected: Value at 'documents.1.hierarchicalAccessControlList' failed to satisfy constraint: Member must have length greater than or equal to 1",
    );
    validation(
      'BatchDeleteDocument',
      { IndexId: INDEX, DocumentIdList: [] },
      "1 validation error detected: Value '[]' at 'documentIdList' failed to satisfy constraint: Member must have length greater than or equal to 1",
    );
    const ids = Array.from({ length: 11 }, (_, i) => `id${i}`);
    validation(
      'BatchDeleteDocument',
      { IndexId: INDEX, DocumentIdList: ids },
      `1 validation error detected: Value '[${ids.join(', ')}]' at 'documentIdList' failed to satisfy constraint: Member must have length less than or equal to 10`,
    );
  });
});

describe('P-5 Query: recursive AttributeFilter', () => {
  it('nested filters are checked at any depth, with their paths', () => {
    validation(
      'Query',
      {
        IndexId: INDEX,
        AttributeFilter: {
          AndAllFilters: [
            { EqualsTo: { Key: 'ok', Value: { StringValue: 'v' } } },
            { EqualsTo: { Key: '!bad', Value: {} } },
            { OrAllFilters: [{ NotFilter: { LessThan: { Value: { LongValue: 1 } } } }] },
          ],
        },
      },
      '2 validation errors detected: ' +
        "Value '!bad' at 'attributeFilter.andAllFilters.2.equalsTo.key' failed to satisfy constraint: Member must satisfy regular expression pattern: [a-zA-Z0-9_][a-zA-Z0-9_-]*; " +
        "Value null at 'attributeFilter.andAllFilters.3.orAllFilters.1.notFilter.lessThan.key' failed to satisfy constraint: Member must not be null",
    );
  });

  it('converts timestamps deep inside the filter', () => {
    const r = parseOperationInput('Query', {
      IndexId: INDEX,
      QueryText: 'q',
      AttributeFilter: { OrAllFilters: [{ NotFilter: { GreaterThan: { Key: '_created_at', Value: { DateValue: 1700000000 } } } }] },
    });
    assert.deepEqual(r, {
      IndexId: INDEX,
      QueryText: 'q',
      AttributeFilter: { OrAllFilters: [{ NotFilter: { GreaterThan: { Key: '_created_at', Value: { DateValue: new Date(1700000000000) } } } }] },
    });
  });

  it('absurd nesting is refused without exhausting the stack', () => {
    let f: Record<string, unknown> = { EqualsTo: { Key: 'k', Value: { StringValue: 'v' } } };
    for (let i = 0; i < 5000; i++) f = { NotFilter: f };
    const e = errorOf(() => parseOperationInput('Query', { IndexId: INDEX, AttributeFilter: f }));
    assert.equal(e.code, 'SerializationException');
    assert.equal(e.message, `Invalid request at '${['attributeFilter', ...Array(200).fill('notFilter')].join('.')}': nesting deeper than 200 levels`);
  });

  it('map values by key; map keys with their own constraint form', () => {
    validation(
      'Query',
      { IndexId: INDEX, DocumentRelevanceOverrideConfigurations: [{ Name: 'f', Relevance: { ValueImportanceMap: { a: 1, b: 11, ['k'.repeat(51)]: 2 } } }] },
      '2 validation errors detected: ' +
        "Value '11' at 'documentRelevanceOverrideConfigurations.1.relevance.valueImportanceMap.b' failed to satisfy constraint: Member must have value less than or equal to 10; " +
        `Value '${'k'.repeat(51)}' at 'documentRelevanceOverrideConfigurations.1.relevance.valueImportanceMap' failed to satisfy constraint: ` +
        'Map keys must satisfy constraint: [Member must have length less than or equal to 50]',
    );
    serialization(
      'Query',
      { IndexId: INDEX, DocumentRelevanceOverrideConfigurations: [{ Name: 'f', Relevance: { ValueImportanceMap: { a: '1' } } }] },
      "Invalid type at 'documentRelevanceOverrideConfigurations.1.relevance.valueImportanceMap.a': expected an integer, got string",
    );
  });

  it('a "__proto__" key stays data, never a prototype', () => {
    const body = JSON.parse(`{"IndexId":"${INDEX}","__proto__":{"polluted":true},"DocumentRelevanceOverrideConfigurations":[{"Name":"f","Relevance":{"ValueImportanceMap":{"__proto__":3}}}]}`);
    const r = parseOperationInput('Query', body);
    assert.equal(Object.getPrototypeOf(r), Object.prototype);
    assert.equal((r as unknown as Record<string, unknown>)['polluted'], undefined);
    const map = r.DocumentRelevanceOverrideConfigurations![0]!.Relevance!.ValueImportanceMap!;
    assert.equal(Object.getPrototypeOf(map), Object.prototype);
    assert.deepEqual(Object.entries(map), [['__proto__', 3]]);
  });
});

describe('P-4 body and operation', () => {
  it('a body that is not an object → SerializationException', () => {
    serialization('ListIndices', [], 'Invalid request body: expected a JSON object, got array');
    serialization('ListIndices', null, 'Invalid request body: expected a JSON object, got null');
    serialization('ListIndices', 'x', 'Invalid request body: expected a JSON object, got string');
  });

  it('an empty object is a valid input of an operation without required members', () => {
    assert.deepEqual(parseOperationInput('ListIndices', {}), {});
  });

  it('an operation outside the model → UnknownOperationException', () => {
    const e = errorOf(() => parseOperationInput('DropTables' as OperationName, {}));
    assert.equal(e.code, 'UnknownOperationException');
    assert.equal(e.message, 'Unknown operation: DropTables');
  });

  it('one failed call leaves nothing behind for the next', () => {
    errorOf(() => parseOperationInput('ListDataSourceSyncJobs', { Id: 'a', IndexId: 'short', StartTimeFilter: { StartTime: 'x' } }));
    assert.deepEqual(parseOperationInput('DescribeIndex', { Id: INDEX }), { Id: INDEX });
    validation('DescribeIndex', { Id: 'x' }, "1 validation error detected: Value 'x' at 'id' failed to satisfy constraint: Member must have length greater than or equal to 36");
  });
});

describe('P-5 patterns: Java syntax, same meaning in JS', () => {
  const patterns = [...new Set(Object.values(model.shapes).flatMap((s) => (s.pattern === undefined ? [] : [s.pattern])))];

  it('every pattern of the model compiles (anchored, u flag)', () => {
    assert.equal(Object.values(model.shapes).filter((s) => s.pattern !== undefined).length, 78);
    for (const p of patterns) {
      const re = compilePattern(p);
      assert.equal(re.flags, 'u');
      assert.equal(re.source.startsWith('^(?:'), true);
    }
  });

  it('anchored to the whole value', () => {
    assert.equal(compilePattern('[a-z]+').test('abc'), true);
    assert.equal(compilePattern('[a-z]+').test('abc1'), false);
    assert.equal(compilePattern('a|b').test('ab'), false);
    assert.equal(compilePattern('^[a-zA-Z-0-9]*').test('ab!'), false); // FeaturedResultsSetId has no $
  });

  it('\\s and \\S are ASCII whitespace only, as in Java', () => {
    const host = compilePattern('([^\\s]*)'); // Host
    assert.equal(host.test('a\u00a0b'), true); // NBSP is not Java whitespace
    assert.equal(host.test('a\u000bb'), false); // \x0B is
    const any = compilePattern('[\\S\\s]*'); // AccessControlConfigurationName
    assert.equal(any.test('any\nthing\u{1F600}\u0000'), true);
    const trimmed = compilePattern('^(?!\\s).*(?<!\\s)$'); // DataSourceDateFieldFormat
    assert.equal(trimmed.test('yyyy-MM-dd'), true);
    assert.equal(trimmed.test(' yyyy'), false);
    assert.equal(trimmed.test('yyyy\t'), false);
    assert.equal(trimmed.test('\u2003yyyy'), true);
  });

  it('. excludes Java line terminators (\\n \\r \\u0085 \\u2028 \\u2029)', () => {
    const re = compilePattern('^(?!-)[A-Za-z0-9-].*(?<!-)$'); // Domain
    assert.equal(re.test('example.com'), true);
    assert.equal(re.test('exa\u0085mple'), false);
    assert.equal(re.test('exa\nmple'), false);
    assert.equal(re.test('-example'), false);
  });

  it('\\P{C} is Unicode "not Other"', () => {
    const re = compilePattern('^\\P{C}*$'); // Description and others
    assert.equal(re.test('Résumé 😀 ok'), true);
    assert.equal(re.test('tab\there'), false);
    assert.equal(re.test('zero\u200bwidth'), false); // Cf
  });

  it('LambdaArn: the /…/ around the model pattern are delimiters; messages keep the model text', () => {
    const lambda = model.shapes['LambdaArn']!.pattern!;
    assert.equal(lambda.startsWith('/arn:aws'), true);
    const re = compilePattern(lambda);
    assert.equal(re.test('arn:aws:lambda:us-east-1:123456789012:function:my-hook'), true);
    assert.equal(re.test('arn:aws:lambda:us-east-1:123456789012:function:my-hook:prod'), true);
    assert.equal(re.test('/arn:aws:lambda:us-east-1:123456789012:function:my-hook/'), false);
    const hook = (LambdaArn: string) => ({
      Name: 'ds',
      IndexId: INDEX,
      Type: 'CUSTOM',
      CustomDocumentEnrichmentConfiguration: { PreExtractionHookConfiguration: { LambdaArn, S3Bucket: 'bucket' } },
    });
    assert.equal(
      parseOperationInput('CreateDataSource', hook('arn:aws:lambda:us-east-1:123456789012:function:f')).CustomDocumentEnrichmentConfiguration?.PreExtractionHookConfiguration?.LambdaArn,
      'arn:aws:lambda:us-east-1:123456789012:function:f',
    );
    validation(
      'CreateDataSource',
      hook('arn:aws:s3:::bucket'),
      "1 validation error detected: Value 'arn:aws:s3:::bucket' at 'customDocumentEnrichmentConfiguration.preExtractionHookConfiguration.lambdaArn' " +
        `failed to satisfy constraint: Member must satisfy regular expression pattern: ${lambda}`,
    );
  });

  it('Java-only syntax is refused rather than mistranslated', () => {
    assert.throws(() => compilePattern('a*+'), /possessive/);
    assert.throws(() => compilePattern('[a-z&&[^b]]'), /nested class or intersection/);
    assert.throws(() => compilePattern('\\p{Alpha}'), /unsupported/);
    assert.throws(() => compilePattern('(?i)abc'), /unsupported group/);
  });
});

describe('codegen', () => {
  it('the committed generated files are what the model generates (rerun gives no diff)', () => {
    for (const [file, text] of Object.entries(generate(model))) {
      assert.equal(readFileSync(join(root, 'src/protocol/generated', file), 'utf8'), text, file);
    }
  });

  it('operations: all 66, with the model\'s error lists', () => {
    assert.equal(OPERATION_NAMES.length, 66);
    assert.deepEqual([...OPERATION_NAMES].sort(), Object.keys(model.operations).sort());
    for (const op of OPERATION_NAMES) {
      assert.deepEqual(OPERATION_ERRORS[op], (model.operations[op]!.errors ?? []).map((e) => e.shape));
    }
    assert.deepEqual(OPERATION_ERRORS.ListDataSourceSyncJobs, [
      'ValidationException',
      'ResourceNotFoundException',
      'ThrottlingException',
      'AccessDeniedException',
      'ConflictException',
      'InternalServerException',
    ]);
  });

  it('member paths are lowerCamelCase', () => {
    assert.equal(memberPath('IndexId'), 'indexId');
    assert.equal(memberPath('S3Path'), 's3Path');
    assert.equal(memberPath('URL'), 'url');
    assert.equal(memberPath('URLPath'), 'urlPath');
  });
});

describe('every operation: validInputFor passes and every bad input fails as expected', () => {
  for (const op of OPERATION_NAMES) {
    it(op, () => {
      const valid = validInputFor(op);
      assert.deepEqual(parseOperationInput(op, structuredClone(valid)), valid);
      const cases = badInputCases(op);
      assert.equal(cases.length > 0, true);
      for (const c of cases) {
        assert.equal(c.operation, op);
        const e = errorOf(() => parseOperationInput(op, c.body));
        assert.equal(e.code, c.expectedCode, c.name);
        assert.equal(e.message, c.exactMessage, c.name);
        assert.equal(e.message.includes(c.expectedMessage), true, c.name);
      }
    });
  }

  it('exhaustively: every constraint and type of every shape reachable from any input', () => {
    let count = 0;
    for (const op of OPERATION_NAMES) {
      for (const c of badInputCases(op, { exhaustive: true })) {
        const e = errorOf(() => parseOperationInput(op, c.body));
        assert.equal(e.code, c.expectedCode, c.name);
        assert.equal(e.message, c.exactMessage, c.name);
        count++;
      }
    }
    assert.equal(count > 2000, true);
  });

  it('the table names the constraint kinds the brief lists, for ListDataSourceSyncJobs', () => {
    const cases = badInputCases('ListDataSourceSyncJobs');
    assert.deepEqual(
      cases.map((c) => [c.kind, c.expectedCode, c.expectedMessage]),
      [
        ['missing required member', 'ValidationException', "at 'id' failed to satisfy constraint: Member must not be null"],
        ['missing required member', 'ValidationException', "at 'indexId' failed to satisfy constraint: Member must not be null"],
        ['missing all required members', 'ValidationException', "at 'id' failed to satisfy constraint: Member must not be null"],
        ['string too short', 'ValidationException', "at 'id' failed to satisfy constraint: Member must have length greater than or equal to 1"],
        ['string too long', 'ValidationException', "at 'id' failed to satisfy constraint: Member must have length less than or equal to 100"],
        ['pattern mismatch', 'ValidationException', "at 'id' failed to satisfy constraint: Member must satisfy regular expression pattern: [a-zA-Z0-9][a-zA-Z0-9_-]*"],
        ['number below range', 'ValidationException', "at 'maxResults' failed to satisfy constraint: Member must have value greater than or equal to 1"],
        ['number above range', 'ValidationException', "at 'maxResults' failed to satisfy constraint: Member must have value less than or equal to 10"],
        [
          'bad enum value',
          'ValidationException',
          "at 'statusFilter' failed to satisfy constraint: Member must satisfy enum value set: [FAILED, SUCCEEDED, SYNCING, INCOMPLETE, STOPPING, ABORTED, SYNCING_INDEXING]",
        ],
        ['wrong JSON type', 'SerializationException', "at 'id': expected a string, got number 12345"],
        ['wrong JSON type', 'SerializationException', "at 'maxResults': expected an integer, got string"],
        ['non-integer number', 'SerializationException', "at 'maxResults': expected an integer, got number 1.5"],
        ['wrong JSON type', 'SerializationException', "at 'startTimeFilter': expected an object, got array"],
        ['wrong JSON type', 'SerializationException', "at 'startTimeFilter.startTime': expected a timestamp (epoch seconds as a JSON number), got string"],
      ],
    );
  });
});
