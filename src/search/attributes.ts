/** Document attributes as Kendra's model shapes them (DocumentAttribute, DocumentAttributeValue). */
export interface AttributeValue {
  StringValue?: string;
  StringListValue?: string[];
  LongValue?: number;
  DateValue?: Date;
}

export interface Attribute {
  Key: string;
  Value: AttributeValue;
}

/** How an attribute's values are stored in document_attributes.value_type (one row per list element). */
export type ValueType = 'STRING' | 'STRING_LIST' | 'LONG' | 'DATE';

export const VALUE_MEMBER: Record<ValueType, keyof AttributeValue> = {
  STRING: 'StringValue',
  STRING_LIST: 'StringListValue',
  LONG: 'LongValue',
  DATE: 'DateValue',
};

/** The one value member set in `v`, or why there is not exactly one. */
export function valueTypeOf(v: AttributeValue | undefined): ValueType | { problem: string } {
  const set = (Object.keys(VALUE_MEMBER) as ValueType[]).filter((t) => v?.[VALUE_MEMBER[t]] !== undefined && v?.[VALUE_MEMBER[t]] !== null);
  if (set.length !== 1) return { problem: `has ${set.length} value members${set.length ? ` (${set.map((t) => VALUE_MEMBER[t]).join(', ')})` : ''}; give exactly one` };
  return set[0]!;
}

/** Characters of one string in a string list: Kendra's limit for a string attribute value. */
export const MAX_LIST_STRING_LENGTH = 2048;

/**
 * Why a document's string lists cannot be indexed (Kendra's documented default: ten strings per
 * list; an operator may allow more, limits.maxStringListValues), or undefined.
 */
export function stringListProblem(attributes: Attribute[], maxValues: number): string | undefined {
  for (const a of attributes) {
    const list = a.Value.StringListValue;
    if (!list) continue;
    if (list.length > maxValues) return `Attribute ${a.Key} has ${list.length} values; a string list holds at most ${maxValues} (limits.maxStringListValues).`;
    const long = list.findIndex((v) => v.length > MAX_LIST_STRING_LENGTH);
    if (long >= 0) return `Attribute ${a.Key} has a value of ${list[long]!.length} characters (value ${long + 1}); the limit is ${MAX_LIST_STRING_LENGTH}.`;
  }
  return undefined;
}

/**
 * The columns of a documents row that hold an attribute's value: data_source_id (_data_source_id), source_uri
 * (_source_uri) and file_type (_file_type, from version 26). documents.attributes stores such an attribute, where its
 * value is a StringValue equal to the column, as a number in its place in the list: its key's place in HELD_KEYS (a
 * synced file's attributes are `[0,1,2]`, 7 bytes; issue 14, size on disk). Reading puts the column's value back.
 * Rows written before hold it as its key alone in a list of one (`["_source_uri"]`, 52 bytes for the three), as
 * `{"Key":"_source_uri"}`, or whole: each reads the same, so no row is rewritten. No form but the whole attribute is
 * one to the triggers that copy attributes into rows: they read objects with a Value, and a number or a list has none
 * (SQLite's `->>` and PostgreSQL's `->>` give null for it).
 */
export interface AttributeColumns {
  dataSourceId: string | null;
  sourceUri: string | null;
  fileType: string | null;
}

/** The attributes a column holds, by the number documents.attributes stores for each: never reordered, only added to. */
const HELD_KEYS = ['_data_source_id', '_source_uri', '_file_type'] as const;

function columnValue(key: string, columns: AttributeColumns): string | null {
  switch (key) {
    case '_data_source_id':
      return columns.dataSourceId;
    case '_source_uri':
      return columns.sourceUri;
    case '_file_type':
      return columns.fileType;
    default:
      return null;
  }
}

/** documents.attributes for a row with these columns (JSON; dates as ISO strings). */
export function storedAttributesJson(attributes: Attribute[], columns: AttributeColumns): string {
  return JSON.stringify(attributes.map((a) => (heldByColumn(a, columns) ? HELD_KEYS.indexOf(a.Key as (typeof HELD_KEYS)[number]) : a)));
}

function heldByColumn(a: Attribute, columns: AttributeColumns): boolean {
  const column = columnValue(a.Key, columns);
  if (column === null || a.Value.StringValue !== column) return false;
  const v = a.Value as Record<string, unknown>;
  return Object.keys(v).every((k) => k === 'StringValue' || v[k] === undefined);
}

/**
 * Attributes as stored in documents.attributes (JSON; dates as ISO strings) back to model values; one stored as its
 * number or its key alone takes its value from the row's column (`columns`; FAQ entries store none so).
 */
export function parseStoredAttributes(json: string, columns?: AttributeColumns): Attribute[] {
  const list = JSON.parse(json) as (number | [string] | { Key: string; Value?: Record<string, unknown> })[];
  const out: Attribute[] = [];
  for (const a of list) {
    if (typeof a === 'number' || Array.isArray(a) || !a.Value) {
      const key = typeof a === 'number' ? HELD_KEYS[a] : Array.isArray(a) ? a[0] : a.Key;
      if (key === undefined) continue;
      const value = columns ? columnValue(key, columns) : null;
      if (value !== null) out.push({ Key: key, Value: { StringValue: value } });
      continue;
    }
    out.push({ Key: a.Key, Value: a.Value.DateValue !== undefined && a.Value.DateValue !== null ? { DateValue: new Date(a.Value.DateValue as string) } : (a.Value as AttributeValue) });
  }
  return out;
}
