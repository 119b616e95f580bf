/**
 * Kendra's AttributeFilter as a SQL condition on `d.doc_key`, over document_attributes (one row per
 * value; a string list has one row per element). Each node holds exactly one operator:
 * AndAllFilters, OrAllFilters, NotFilter, EqualsTo (string, string list as a set, long, date),
 * ContainsAll / ContainsAny (string lists), GreaterThan(OrEquals) / LessThan(OrEquals) (long, date).
 * Anything else is a SearchInputError naming the node's path.
 */
import { attributeColumn } from './attributeRows.js';
import { valueTypeOf, type Attribute, type ValueType } from './attributes.js';
import { SearchInputError } from './errors.js';
import { storableText } from '../store/storableText.js';
import { join, list, raw, sql, type Sql } from './sql.js';

export interface AttributeFilter {
  AndAllFilters?: AttributeFilter[];
  OrAllFilters?: AttributeFilter[];
  NotFilter?: AttributeFilter;
  EqualsTo?: Attribute;
  ContainsAll?: Attribute;
  ContainsAny?: Attribute;
  GreaterThan?: Attribute;
  GreaterThanOrEquals?: Attribute;
  LessThan?: Attribute;
  LessThanOrEquals?: Attribute;
}

type Operator = keyof AttributeFilter;
const OPERATORS: Operator[] = ['AndAllFilters', 'OrAllFilters', 'NotFilter', 'EqualsTo', 'ContainsAll', 'ContainsAny', 'GreaterThan', 'GreaterThanOrEquals', 'LessThan', 'LessThanOrEquals'];
const COMPARISON: Partial<Record<Operator, string>> = { GreaterThan: '>', GreaterThanOrEquals: '>=', LessThan: '<', LessThanOrEquals: '<=' };
/**
 * Bounds that keep the worst filter cheap on both engines (and inside SQLite's limits: expression
 * depth 1,000, 32,766 bound parameters per statement). Depth: Kendra's documented limit, two layers
 * under the first filter ("AttributeFilter cannot have a depth of more than 2"). Kendra documents no
 * limit on the number of filters or values. On SQLite, which cannot interrupt a statement, a filter
 * costs about (filters) x (documents a filter matches): an AND of 20 ranges matching all of 20,000
 * documents took 2.6 s on a busy 2-core machine, of 100 ranges over 20 s; hence 20.
 */
export const MAX_FILTER_DEPTH = 2;
export const MAX_FILTERS = 20;
export const MAX_FILTER_VALUES = 1000;

/**
 * How a condition finds its documents. 'set': the documents holding the value, gathered once per
 * statement (the attribute indexes by key and value); right when the filter is what narrows the
 * documents (no query text, or a negated one). 'probe': each document the text matched is looked up by
 * its key (document_attributes_doc, which covers the values): a filter of a common value (a department,
 * a date range) gathered up to 45,000 documents per query for the few hundred the text matched, over
 * half the cost of the query mix's filtered queries.
 */
export type FilterPlan = 'set' | 'probe';

export function compileFilter(indexId: string, filter: AttributeFilter, plan: FilterPlan = 'set'): Sql {
  checkSize(filter);
  return compile({ indexId, plan }, filter, 'AttributeFilter');
}

/** Counts filters and values without recursion, stopping at the first bound passed: a huge filter costs little to refuse. */
function checkSize(root: AttributeFilter): void {
  const stack: [AttributeFilter, number][] = [[root, 0]];
  let filters = 0;
  let values = 0;
  while (stack.length) {
    const [f, depth] = stack.pop()!;
    if (depth > MAX_FILTER_DEPTH) throw new SearchInputError(`AttributeFilter cannot have a depth of more than ${MAX_FILTER_DEPTH}.`);
    if (++filters > MAX_FILTERS) throw new SearchInputError(`AttributeFilter has more than ${MAX_FILTERS} filters; the limit is ${MAX_FILTERS}.`);
    if (typeof f !== 'object' || f === null) continue;
    for (const child of [...(f.AndAllFilters ?? []), ...(f.OrAllFilters ?? []), ...(f.NotFilter ? [f.NotFilter] : [])]) {
      stack.push([child, depth + 1]);
      if (stack.length > MAX_FILTERS) throw new SearchInputError(`AttributeFilter has more than ${MAX_FILTERS} filters; the limit is ${MAX_FILTERS}.`);
    }
    for (const op of ['EqualsTo', 'ContainsAll', 'ContainsAny'] as const) values += f[op]?.Value?.StringListValue?.length ?? 0;
    if (values > MAX_FILTER_VALUES) throw new SearchInputError(`AttributeFilter has more than ${MAX_FILTER_VALUES} values in its string lists; the limit is ${MAX_FILTER_VALUES}.`);
  }
}

interface Target {
  indexId: string;
  plan: FilterPlan;
}

function compile(to: Target, filter: AttributeFilter, path: string): Sql {
  const ops = OPERATORS.filter((o) => filter[o] !== undefined && filter[o] !== null);
  if (ops.length !== 1)
    throw new SearchInputError(`${path} has ${ops.length} operators${ops.length ? ` (${ops.join(', ')})` : ''}; each filter takes exactly one.`);
  const op = ops[0]!;
  switch (op) {
    case 'AndAllFilters':
    case 'OrAllFilters': {
      const children = filter[op]!;
      if (!children.length) throw new SearchInputError(`${path}.${op} is empty; give at least one filter.`);
      const parts = children.map((c, i) => compile(to, c, `${path}.${op}[${i}]`));
      return sql`(${join(parts, op === 'AndAllFilters' ? ' AND ' : ' OR ')})`;
    }
    case 'NotFilter':
      return sql`NOT (${compile(to, filter.NotFilter!, `${path}.NotFilter`)})`;
    default:
      return compileCondition(to, op, filter[op] as Attribute, `${path}.${op}`);
  }
}

function compileCondition(to: Target, op: Operator, attr: Attribute, path: string): Sql {
  const type = valueTypeOf(attr.Value);
  if (typeof type !== 'string') throw new SearchInputError(`${path}.Value ${type.problem}.`);
  // An attribute held as a column of documents (search/attributeRows.ts) is one STRING or none: a condition on the
  // column, which the search reads anyway; any other value type matches no document. Each case below checks its
  // values (and refuses bad ones) before it asks for the documents.
  const column = attributeColumn(attr.Key, 'd');
  const onColumn = (): Sql =>
    op === 'EqualsTo' && type === 'STRING' ? sql`(${raw(column!)} IS NOT NULL AND ${raw(column!)} = ${storableText(attr.Value.StringValue!)})` : raw('(1 = 0)');
  // A document's key names its index: the probe needs no index_id, and stays inside its covering index.
  const docsWith = (cond: Sql, tail: Sql = raw('')) =>
    column
      ? onColumn()
      : to.plan === 'probe'
      ? sql`EXISTS (SELECT 1 FROM document_attributes a WHERE a.doc_key = d.doc_key AND a.key = ${attr.Key} AND ${cond}${tail})`
      : sql`d.doc_key IN (SELECT a.doc_key FROM document_attributes a WHERE a.index_id = ${to.indexId} AND a.key = ${attr.Key} AND ${cond}${tail})`;
  const v = attr.Value;
  if (op === 'EqualsTo') {
    switch (type) {
      case 'STRING':
        return docsWith(sql`a.value_type = 'STRING' AND a.str = ${storableText(v.StringValue!)}`);
      case 'LONG':
        return docsWith(sql`a.value_type = 'LONG' AND a.num = ${v.LongValue}`);
      case 'DATE':
        return docsWith(sql`a.value_type = 'DATE' AND a.num = ${dateMs(v.DateValue!, path)}`);
      case 'STRING_LIST': {
        // The same set of strings: every element one of the given ones, and all of them present.
        const wanted = distinct(v.StringListValue!, path);
        return docsWith(
          // str IS NOT NULL (every list element has one) lets SQLite gather from its index of strings, which holds only rows with one.
          raw("a.value_type = 'STRING_LIST' AND a.str IS NOT NULL"),
          sql` GROUP BY a.doc_key HAVING count(DISTINCT a.str) = ${wanted.length} AND sum(CASE WHEN a.str IN (${list(wanted)}) THEN 0 ELSE 1 END) = 0`,
        );
      }
    }
  }
  if (op === 'ContainsAll' || op === 'ContainsAny') {
    if (type !== 'STRING_LIST') throw new SearchInputError(`${path} takes a StringListValue, not a ${typeName(type)}.`);
    const wanted = distinct(v.StringListValue!, path);
    const cond = sql`a.value_type = 'STRING_LIST' AND a.str IN (${list(wanted)})`;
    return op === 'ContainsAny' ? docsWith(cond) : docsWith(cond, sql` GROUP BY a.doc_key HAVING count(DISTINCT a.str) = ${wanted.length}`);
  }
  const cmp = COMPARISON[op]!;
  if (type === 'LONG') return docsWith(sql`a.value_type = 'LONG' AND a.num ${raw(cmp)} ${v.LongValue}`);
  if (type === 'DATE') return docsWith(sql`a.value_type = 'DATE' AND a.num ${raw(cmp)} ${dateMs(v.DateValue!, path)}`);
  throw new SearchInputError(`${path} compares LongValue or DateValue attributes, not a ${typeName(type)}.`);
}

function distinct(values: string[], path: string): string[] {
  if (!values.length) throw new SearchInputError(`${path}.Value.StringListValue is empty; give at least one string.`);
  // Compared with values as they were stored (see store/storableText.ts).
  return [...new Set(values.map(storableText))];
}

function dateMs(d: Date, path: string): number {
  const ms = d.getTime();
  if (Number.isNaN(ms)) throw new SearchInputError(`${path}.Value.DateValue is not a valid date.`);
  return ms;
}

const typeName = (t: ValueType) => ({ STRING: 'StringValue', STRING_LIST: 'StringListValue', LONG: 'LongValue', DATE: 'DateValue' })[t];
