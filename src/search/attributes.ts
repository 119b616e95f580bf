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

/** Attributes as stored in documents.attributes (JSON; dates as ISO strings) back to model values. */
export function parseStoredAttributes(json: string): Attribute[] {
  const list = JSON.parse(json) as { Key: string; Value: Record<string, unknown> }[];
  return list.map((a) => ({
    Key: a.Key,
    Value: a.Value.DateValue !== undefined && a.Value.DateValue !== null ? { DateValue: new Date(a.Value.DateValue as string) } : (a.Value as AttributeValue),
  }));
}
