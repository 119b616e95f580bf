/**
 * Kendra's AttributeFilter as a SQL condition on `d.doc_key`, over document_attributes (one row per
 * value; a string list has one row per element). Each node holds exactly one operator:
 * AndAllFilters, OrAllFilters, NotFilter, EqualsTo (string, string list as a set, long, date),
 * ContainsAll / ContainsAny (string lists), GreaterThan(OrEquals) / LessThan(OrEquals) (long, date).
 * Anything else is a SearchInputError naming the node's path.
 */
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
/** Deeper filters are refused rather than turned into SQL the engines cannot parse. */
const MAX_DEPTH = 20;

export function compileFilter(indexId: string, filter: AttributeFilter, path = 'AttributeFilter', depth = 1): Sql {
  if (depth > MAX_DEPTH) throw new SearchInputError(`${path}: filters nest at most ${MAX_DEPTH} levels deep.`);
  const ops = OPERATORS.filter((o) => filter[o] !== undefined && filter[o] !== null);
  if (ops.length !== 1)
    throw new SearchInputError(`${path} has ${ops.length} operators${ops.length ? ` (${ops.join(', ')})` : ''}; each filter takes exactly one.`);
  const op = ops[0]!;
  switch (op) {
    case 'AndAllFilters':
    case 'OrAllFilters': {
      const children = filter[op]!;
      if (!children.length) throw new SearchInputError(`${path}.${op} is empty; give at least one filter.`);
      const parts = children.map((c, i) => compileFilter(indexId, c, `${path}.${op}[${i}]`, depth + 1));
      return sql`(${join(parts, op === 'AndAllFilters' ? ' AND ' : ' OR ')})`;
    }
    case 'NotFilter':
      return sql`NOT (${compileFilter(indexId, filter.NotFilter!, `${path}.NotFilter`, depth + 1)})`;
    default:
      return compileCondition(indexId, op, filter[op] as Attribute, `${path}.${op}`);
  }
}

function compileCondition(indexId: string, op: Operator, attr: Attribute, path: string): Sql {
  const type = valueTypeOf(attr.Value);
  if (typeof type !== 'string') throw new SearchInputError(`${path}.Value ${type.problem}.`);
  const docsWith = (cond: Sql, tail: Sql = raw('')) =>
    sql`d.doc_key IN (SELECT a.doc_key FROM document_attributes a WHERE a.index_id = ${indexId} AND a.key = ${attr.Key} AND ${cond}${tail})`;
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
          raw("a.value_type = 'STRING_LIST'"),
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
