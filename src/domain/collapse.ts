/**
 * Query's CollapseConfiguration: results grouped by the value of one STRING or LONG field, each group
 * one result (its primary document, chosen by the collapse's SortingConfigurations, then relevance),
 * TotalNumberOfResults counting groups and pages going over groups (the engine's rankDocuments with a
 * Collapse). With Expand, the first MaxResultItemsToExpand groups (default: every group served) list
 * up to MaxExpandedResultsPerItem (default 10) of their other documents in CollapsedResultDetail.
 */
import type { Attribute, AttributeValue, ValueType } from '../search/attributes.js';
import type { Collapse, SortKey } from '../search/engine.js';
import { invalid } from './errors.js';

export interface CollapseInput {
  DocumentAttributeKey: string;
  SortingConfigurations?: { DocumentAttributeKey: string; SortOrder: 'ASC' | 'DESC' }[];
  MissingAttributeKeyStrategy?: 'IGNORE' | 'COLLAPSE' | 'EXPAND';
  Expand?: boolean;
  ExpandConfiguration?: { MaxResultItemsToExpand?: number; MaxExpandedResultsPerItem?: number };
}

export interface ExpandedResultItem {
  Id: string;
  DocumentId: string;
  DocumentTitle: unknown;
  DocumentExcerpt: unknown;
  DocumentURI?: string;
  DocumentAttributes: Attribute[];
}

export interface CollapsedResultDetail {
  DocumentAttribute: Attribute;
  ExpandedResults?: ExpandedResultItem[];
}

/** Groups expanded at most (every group Query can serve), and documents listed per group at most. */
const MAX_EXPAND = 100;
const DEFAULT_EXPANDED_PER_ITEM = 10;

/**
 * The engine's Collapse for a CollapseConfiguration. `storedTypes`: the types the index's documents
 * hold the key in; `declared`: the index field's type, if it has one; `sort`: the collapse's sort keys.
 */
export function collapseOf(input: CollapseInput, storedTypes: ValueType[], declared: string | undefined, sort: SortKey[]): Collapse {
  const key = input.DocumentAttributeKey;
  const bad = declared === 'STRING_LIST_VALUE' || declared === 'DATE_VALUE' || storedTypes.includes('STRING_LIST') || storedTypes.includes('DATE');
  if (bad) throw invalid(`CollapseConfiguration.DocumentAttributeKey: cannot collapse on ${key}, a ${declared ?? storedTypes.join('/')} field; collapse on a STRING or LONG field.`);
  const type = declared === 'LONG_VALUE' || storedTypes.includes('LONG') ? 'LONG' : declared === 'STRING_VALUE' || storedTypes.includes('STRING') ? 'STRING' : undefined;
  const expand = input.ExpandConfiguration ?? {};
  const bounded = (name: string, v: number | undefined, fallback: number) => {
    if (v === undefined) return fallback;
    if (v < 1 || v > MAX_EXPAND) throw invalid(`CollapseConfiguration.ExpandConfiguration.${name} is ${v}; it must be from 1 to ${MAX_EXPAND}.`);
    return v;
  };
  const groups = bounded('MaxResultItemsToExpand', expand.MaxResultItemsToExpand, MAX_EXPAND);
  const perGroup = bounded('MaxExpandedResultsPerItem', expand.MaxExpandedResultsPerItem, DEFAULT_EXPANDED_PER_ITEM);
  return {
    key, ...(type ? { type } : {}), sort,
    missing: input.MissingAttributeKeyStrategy ?? 'COLLAPSE',
    expandGroups: input.Expand === true ? groups : 0,
    expandPerGroup: input.Expand === true ? perGroup : 0,
  };
}

/**
 * A result's CollapsedResultDetail: the group's value (`{}` for documents missing it) and, for a group
 * expanded (its place among all groups under MaxResultItemsToExpand, and a value shared by several
 * documents), its other documents as result items (`item`: undefined for one removed meanwhile).
 */
export function collapsedDetail(
  c: Collapse,
  group: { value: string | number | null; expanded: { docKey: number }[] },
  place: number,
  item: (docKey: number) => ExpandedResultItem | undefined,
): CollapsedResultDetail {
  const { value } = group;
  const v: AttributeValue = value === null ? {} : typeof value === 'number' ? { LongValue: value } : { StringValue: value };
  const expanding = place < c.expandGroups && (value !== null || c.missing === 'COLLAPSE');
  const expanded = expanding
    ? group.expanded.flatMap((e) => {
        const x = item(e.docKey);
        if (!x) return [];
        const { Id, DocumentId, DocumentTitle, DocumentExcerpt, DocumentURI, DocumentAttributes } = x;
        return [{ Id, DocumentId, DocumentTitle, DocumentExcerpt, ...(DocumentURI ? { DocumentURI } : {}), DocumentAttributes }];
      })
    : undefined;
  return { DocumentAttribute: { Key: c.key, Value: v }, ...(expanded ? { ExpandedResults: expanded } : {}) };
}
