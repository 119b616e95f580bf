// documents.attributes (search/attributes.ts): an attribute a column of the row holds is stored as a number, its
// key's place in the columns' list; rows written before hold it as its key alone in a list of one, as {"Key": …}, or whole. Every form reads back as the
// attributes the document was given, in their order.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { parseStoredAttributes, storedAttributesJson, type Attribute } from '../src/search/attributes.js';

const columns = { dataSourceId: 'ds-1', sourceUri: 'file:///docs/a.txt', fileType: 'PLAIN_TEXT' };
const given: Attribute[] = [
  { Key: '_data_source_id', Value: { StringValue: 'ds-1' } },
  { Key: 'team', Value: { StringValue: 'red' } },
  { Key: '_source_uri', Value: { StringValue: 'file:///docs/a.txt' } },
  { Key: '_file_type', Value: { StringValue: 'PLAIN_TEXT' } },
  { Key: '_created_at', Value: { DateValue: new Date('2024-03-01T00:00:00Z') } },
];

test('the attributes the columns hold are stored as numbers, the others whole, in their order', () => {
  assert.equal(storedAttributesJson(given, columns), '[0,{"Key":"team","Value":{"StringValue":"red"}},1,2,{"Key":"_created_at","Value":{"DateValue":"2024-03-01T00:00:00.000Z"}}]');
  // A synced file's attributes (a connector's _data_source_id and _source_uri, and its _file_type), in 7 bytes.
  assert.equal(storedAttributesJson([given[0]!, given[2]!, given[3]!], columns), '[0,1,2]');
  assert.deepEqual(parseStoredAttributes('[0,1,2]', columns), [given[0], given[2], given[3]]);
  assert.deepEqual(parseStoredAttributes('[2,0]', columns), [given[3], given[0]]);
});

test('an attribute whose value is not the column\'s is stored whole', () => {
  const json = storedAttributesJson(given, { ...columns, fileType: 'HTML', sourceUri: null });
  assert.deepEqual(JSON.parse(json).map((a: number | { Key: string }) => (typeof a === 'number' ? a : a.Key + '=')), [0, 'team=', '_source_uri=', '_file_type=', '_created_at=']);
  assert.deepEqual(parseStoredAttributes(json, { ...columns, fileType: 'HTML', sourceUri: null }), given);
});

test('each stored form reads back as the attributes given: numbers, keys alone in lists and objects (rows written before), whole', () => {
  assert.deepEqual(parseStoredAttributes(storedAttributesJson(given, columns), columns), given);
  const lists = '[["_data_source_id"],{"Key":"team","Value":{"StringValue":"red"}},["_source_uri"],["_file_type"],{"Key":"_created_at","Value":{"DateValue":"2024-03-01T00:00:00.000Z"}}]';
  assert.deepEqual(parseStoredAttributes(lists, columns), given);
  const objects = '[{"Key":"_data_source_id"},{"Key":"team","Value":{"StringValue":"red"}},{"Key":"_source_uri"},{"Key":"_file_type"},{"Key":"_created_at","Value":{"DateValue":"2024-03-01T00:00:00.000Z"}}]';
  assert.deepEqual(parseStoredAttributes(objects, columns), given);
  assert.deepEqual(parseStoredAttributes(JSON.stringify(given), columns), given);
});

test('a number or key alone whose column is null, or read without columns (FAQ entries), is no attribute; nor is a number no column has', () => {
  const json = storedAttributesJson(given, columns);
  assert.deepEqual(parseStoredAttributes(json, { ...columns, sourceUri: null }).map((a) => a.Key), ['_data_source_id', 'team', '_file_type', '_created_at']);
  assert.deepEqual(parseStoredAttributes(json).map((a) => a.Key), ['team', '_created_at']);
  assert.deepEqual(parseStoredAttributes('[["_source_uri"],1]', { ...columns, sourceUri: null }), []);
  assert.deepEqual(parseStoredAttributes('[3,0]', columns), [given[0]]);
});
