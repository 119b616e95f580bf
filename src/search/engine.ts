/**
 * The full-text engine behind one interface: which documents (or passages) of an index match a
 * query and an attribute filter, in what order, with what facet counts. The SQL is shared; each
 * backend (fts5.ts, postgres.ts) supplies only how text is matched and scored and how SQL runs.
 *
 * Searchable means: status INDEXED, UPDATED or UPDATE_FAILED (the last good text stays), and not
 * from a data source being deleted. Ties in relevance are broken by document id, so both backends
 * order equal scores alike.
 */
import { accessCondition, type AccessScope, type MemberOf } from './access.js';
import { analyzerFor, type Analyzer } from './analysis.js';
import { compileFilter, type AttributeFilter } from './attributeFilter.js';
import { attributeColumn, attributeRows } from './attributeRows.js';
import type { ValueType } from './attributes.js';
import { scorePassages } from './passageRanking.js';
import { normalize, type NormalQuery, type QueryNode } from './queryText.js';
import { relevanceColumns, tunedScores, type Relevance, type TextWeights } from './relevance.js';
import { SEARCHABLE_STATUSES } from '../store/documents.js';
import { SOURCE_ID_OF } from '../store/idKeys.js';
import { join, list, raw, sql, type Sql } from './sql.js';
import { rankCandidates } from './topCandidates.js';

export interface DocumentSearch {
  indexId: string;
  /** The one language searched (language.ts): documents of other languages never match. */
  language: string;
  /** Parsed QueryText (parseQueryText with the language's analyzer); absent: every document (filters still apply). */
  query?: QueryNode;
  filter?: AttributeFilter;
  /** Whose search: only documents these principals may see. Absent: every document (the engine's own callers, benchmarks). */
  access?: AccessScope;
  /** Only these content sources (an experience's): documents of these data sources, and with `direct` those put outside any. */
  content?: ContentSources;
  /** Only these documents (query suggestions check their candidates' visibility this way). */
  docKeys?: number[];
  /** Aborted when the client has gone away: the statement running is cancelled (PostgreSQL). */
  signal?: AbortSignal;
  /** Only these documents (featured results), or all but these (the results under featured ones). */
  documentIds?: { only?: string[]; except?: string[] };
  /** Relevance tuning (relevance.ts): scores of documents and passages adjusted by their fields. */
  relevance?: Relevance;
}

/** Query's CollapseConfiguration: one result per value of a field (rankDocuments). */
export interface Collapse {
  key: string;
  /** The stored type grouped by; absent when no document has the key (all are missing it). */
  type?: 'STRING' | 'LONG';
  /** Which document of a group is its primary: these first, then relevance. */
  sort: SortKey[];
  missing: 'IGNORE' | 'COLLAPSE' | 'EXPAND';
  /** The first this many groups (of all, not of the page) list their other documents… */
  expandGroups: number;
  /** …up to this many each. */
  expandPerGroup: number;
}

export interface ContentSources {
  dataSourceIds: string[];
  direct: boolean;
}

export interface SortKey {
  key: string;
  order: 'ASC' | 'DESC';
  /** The stored type the key is sorted by (never a string list). */
  type: Exclude<ValueType, 'STRING_LIST'>;
}

export interface Ranked {
  docKey: number;
  score: number;
  /** With a Collapse: the group this primary document stands for. */
  group?: { value: string | number | null; expanded: Ranked[] };
}

export interface RankedPage {
  /** Every matching document (with a Collapse: every group), not only this page's. */
  total: number;
  /** The best score among all matches (0 when nothing matches or there is no query text). */
  topScore: number;
  items: Ranked[];
}

export interface StoredDocument {
  docKey: number;
  documentId: string;
  title: string;
  sourceUri: string | null;
  fileType: string | null;
  /** documents.attributes, as stored (JSON). */
  attributes: string;
  dataSourceId: string | null;
  languageCode: string;
  /** The start of the body, enough for an excerpt. */
  body: string;
}

export interface FacetSpec {
  key: string;
  maxResults: number;
  nested?: FacetSpec;
}

export interface FacetCount {
  type: ValueType;
  value: string | number;
  count: number;
  nested?: FacetCount[];
}

export interface RankedPassage {
  docKey: number;
  content: string;
  score: number;
}

export interface RankedPassages {
  /** The best score among all matching passages, not only this page's. */
  topScore: number;
  items: RankedPassage[];
}

export interface SearchEngine {
  rankDocuments(req: DocumentSearch, sort: SortKey[], offset: number, limit: number, collapse?: Collapse): Promise<RankedPage>;
  /**
   * rankDocuments, then `also`, the page's documents and those its groups expand to (bodies cut at
   * bodyChars): one call, one round trip to a read thread.
   */
  rankPage(req: DocumentSearch, sort: SortKey[], offset: number, limit: number, bodyChars: number, also?: number[], collapse?: Collapse): Promise<{ ranked: RankedPage; documents: StoredDocument[] }>;
  countDocuments(req: DocumentSearch): Promise<number>;
  documents(docKeys: number[], bodyChars: number): Promise<StoredDocument[]>;
  facet(req: DocumentSearch, spec: FacetSpec): Promise<FacetCount[]>;
  /** The stored types of an attribute key in an index (for sorting: a string list cannot be sorted). */
  valueTypes(indexId: string, key: string): Promise<ValueType[]>;
  rankPassages(req: DocumentSearch, offset: number, limit: number): Promise<RankedPassages>;
  close(): Promise<void>;
}

/** How one backend matches and scores text. `d` is documents. */
export interface TextMatch {
  from: Sql;
  where: Sql;
  score: Sql;
  /** Optional: the best k matches by `score` alone, straight from the text index (rows doc_key, score; topCandidates.ts). */
  candidates?: (k: number) => Sql;
  /** Optional: documents (as d) as the candidates' visibility check reads them (an index covering what it reads); absent: the table. */
  visibleRows?: Sql;
  /**
   * Optional: the number of matches when every one is visible to a search of this index and language without further
   * conditions than, with `access`, the caller's principals (rows: n; NULL otherwise).
   */
  count?: (indexId: string, language: string, access: boolean) => Sql;
}

export interface Backend {
  /** Documents matching a query (or, negated, every document but those), in the text index of the query's analysis. */
  /** `weights`: relevance tuning's factors on a title and a body match (absent: the backend's own weights). */
  documentMatch(q: NormalQuery | undefined, analyzer: Analyzer, weights?: TextWeights): TextMatch;
  /** Appended to string expressions in ORDER BY so both backends order strings by code point. */
  collate: string;
  /** The first n characters of a document's text column (SQLite may hold it packed: store/packedText.ts). */
  prefix(column: string, n: number): Sql;
  /** The whole text of a document's text column. */
  text(column: string): Sql;
  memberOf: MemberOf;
  /** A column tested row by row, never through an index (several index probes per row cost more than the test). */
  rowTest(column: string): Sql;
  /** Runs a ranking: the page of its rows in order, with the number and best score of all its rows (none when it cannot tell: no row on the page). */
  rank<T>(q: Ranking, signal?: AbortSignal): Promise<{ rows: T[]; total?: number; top?: number }>;
  /**
   * Optional: rank() of a ranking by score (`byScore`), each page row with the `columns` of its document
   * (`d`, as documents() reads them) — one round trip for what is otherwise two.
   */
  rankPage?<T>(q: Ranking, columns: Sql, signal?: AbortSignal): Promise<{ rows: (T & DocumentRow)[]; total?: number; top?: number }>;
  all<T>(q: Sql, signal?: AbortSignal): Promise<T[]>;
  close(): Promise<void>;
}

/** A ranking statement's parts: every row (`inner`, given how to compute its score) and the page of them wanted. */
export interface Ranking {
  inner: (score: Sql) => Sql;
  score: Sql;
  /** The columns of `m` (inner's rows) the page returns. */
  columns: string;
  order: string;
  limit: number;
  offset: number;
  /** The order starts with the score, best first: the best score of all rows is the first row's (no sort keys before it). */
  byScore?: boolean;
}

/**
 * A ranking in one statement with window functions for the total and best score (they need every row
 * kept until the end). `scoreColumn`: the column of inner's rows the best score is taken from.
 */
export async function windowRank<T>(backend: Backend, q: Ranking, signal?: AbortSignal, scoreColumn = 'score'): Promise<{ rows: T[]; total?: number; top?: number }> {
  const rows = await backend.all<T & { total: number; top: number }>(sql`
    SELECT ${raw(q.columns)}, count(*) OVER () AS total, max(m.${raw(scoreColumn)}) OVER () AS top FROM (${q.inner(q.score)}) m
    ORDER BY ${raw(q.order)} LIMIT ${q.limit} OFFSET ${q.offset}`, signal);
  if (!rows.length) return { rows };
  return { rows, total: Number(rows[0]!.total), top: Number(rows[0]!.top) };
}

/**
 * The documents whose passages Retrieve ranks, at least (more when a page reaches past them): each costs
 * the cutting and reading of its whole text at every Retrieve (about 1.5 ms per 10 KB).
 */
const PASSAGE_DOCUMENTS = 20;

const SEARCHABLE = raw(`IN (${SEARCHABLE_STATUSES.map((st) => `'${st}'`).join(', ')})`);

export class SqlSearchEngine implements SearchEngine {
  constructor(private readonly backend: Backend) {}

  async rankDocuments(req: DocumentSearch, sort: SortKey[], offset: number, limit: number, collapse?: Collapse): Promise<RankedPage> {
    return (await this.ranked(req, sort, offset, limit, collapse)).ranked;
  }

  /** rankDocuments; given bodyChars, the page's documents too when the backend reads them with the ranking (Backend.rankPage). */
  private async ranked(req: DocumentSearch, sort: SortKey[], offset: number, limit: number, collapse?: Collapse, bodyChars?: number): Promise<{ ranked: RankedPage; documents?: StoredDocument[] }> {
    const m = this.backend.documentMatch(req.query && normalize(req.query), analyzerFor(req.language), req.relevance?.text);
    const sortCols = sort.map((s, i) => sql`, ${sortValue(s)} AS s${raw(String(i))}`);
    const c = this.backend.collate;
    const score = req.relevance ? 'tuned' : 'score';
    const order = [...sortOrder(sort, 's', c), `m.${score} DESC`, `m.document_id${c} ASC`];
    if (collapse) return { ranked: await this.rankGroups(req, this.scoredRows(req, m, sortCols, collapse)(m.score), order, collapse, offset, limit) };
    // Not with an attribute filter: a selective one leaves too few candidates visible, and the full ranking runs after all (the query bench's filtered queries cost 1.3× main's).
    if (m.candidates && !sort.length && !req.relevance && !req.filter) {
      const candidates = { candidates: m.candidates, rows: m.visibleRows ?? raw('documents d'), conditions: this.conditions(req, { ...m, where: raw('1 = 1') }), collate: c, offset, limit };
      const page = await rankCandidates(this.backend, candidates, req.signal);
      if (page) return { ranked: { total: page.total ?? (await this.countMatches(req, m)), topScore: page.rows.length ? page.top : 0, items: page.rows.map((r) => ({ docKey: r.doc_key, score: r.score })) } };
    }
    // Tuned scores are placed among all matches (window functions); otherwise the backend's own ranking, which need not keep every match until the end.
    const ranking = { inner: this.scoredRows(req, m, sortCols), score: m.score, order: order.join(', '), limit, offset, byScore: !sort.length };
    const joined = bodyChars !== undefined && !req.relevance && ranking.byScore ? this.backend.rankPage?.bind(this.backend) : undefined;
    const page = req.relevance
      ? await windowRank<{ doc_key: number; score: number }>(this.backend, { ...ranking, columns: 'm.doc_key, m.tuned AS score' }, req.signal, 'tuned')
      : joined
        ? await joined<{ doc_key: number; score: number }>({ ...ranking, columns: 'm.doc_key, m.score' }, this.documentColumns(bodyChars!), req.signal)
        : await this.backend.rank<{ doc_key: number; score: number }>({ ...ranking, columns: 'm.doc_key, m.score' }, req.signal);
    const rows = page.rows;
    // Past the last match the window has no row to report the total on.
    const total = page.total ?? (offset > 0 ? await this.countDocuments(req) : 0);
    const topScore = rows.length ? (page.top ?? 0) : 0;
    const ranked = { total, topScore, items: rows.map((r) => ({ docKey: Number(r.doc_key), score: Number(r.score) })) };
    return joined ? { ranked, documents: (rows as unknown as DocumentRow[]).map(storedDocument) } : { ranked };
  }

  /**
   * Every matching document with its score (from `score`, the text match's), its sort keys, with a
   * Collapse its group value and sort keys, and with relevance tuning its tuned score (`tuned`).
   */
  private scoredRows(req: DocumentSearch, m: TextMatch, sortCols: Sql[], collapse?: Collapse): (score: Sql) => Sql {
    const groupCols = collapse ? [sql`, ${collapse.type ? sortValue({ key: collapse.key, order: 'ASC', type: collapse.type }) : raw('NULL')} AS gv`, ...collapse.sort.map((s, i) => sql`, ${sortValue(s)} AS c${raw(String(i))}`)] : [];
    return (score) => {
      const inner = sql`SELECT d.doc_key, d.document_id, ${score} AS score${join(sortCols, '')}${join(groupCols, '')}${req.relevance ? relevanceColumns(req.relevance) : raw('')}
        FROM ${m.from} WHERE ${this.conditions(req, m)}`;
      return req.relevance ? tunedScores(req.relevance, inner, textScored(req)) : inner;
    };
  }

  /**
   * One row per group: its primary is the first of its documents by the collapse's sort keys (then
   * relevance, then document id); groups are in the order of their best document under the query's
   * own order. A missing value is one group (COLLAPSE), a group per document (EXPAND) or no result (IGNORE).
   */
  private async rankGroups(req: DocumentSearch, scored: Sql, order: string[], collapse: Collapse, offset: number, limit: number): Promise<RankedPage> {
    const c = this.backend.collate;
    const score = req.relevance ? 'tuned' : 'score';
    const within = [...sortOrder(collapse.sort, 'c', c), `m.${score} DESC`, `m.document_id${c} ASC`];
    const part = collapse.missing === 'EXPAND' ? 'm.gv, CASE WHEN m.gv IS NULL THEN m.doc_key END' : 'm.gv';
    const grouped = sql`WITH o AS (SELECT m.*, row_number() OVER (ORDER BY ${raw(order.join(', '))}) AS ord FROM (${scored}) m${raw(collapse.missing === 'IGNORE' ? ' WHERE m.gv IS NOT NULL' : '')}),
      g AS (SELECT m.doc_key, m.${raw(score)} AS score, m.gv, row_number() OVER (PARTITION BY ${raw(part)} ORDER BY ${raw(within.join(', '))}) AS rn,
        min(m.ord) OVER (PARTITION BY ${raw(part)}) AS gord FROM o m)`;
    const rows = await this.backend.all<{ doc_key: number; score: number; gv: string | number | null; gord: number; total: number; top: number }>(sql`${grouped}
      SELECT g.doc_key, g.score, g.gv, g.gord, count(*) OVER () AS total, max(g.score) OVER () AS top FROM g WHERE g.rn = 1
      ORDER BY g.gord LIMIT ${limit} OFFSET ${offset}`, req.signal);
    const value = (v: string | number | null) => (v === null || collapse.type === 'STRING' ? v : Number(v));
    const items: Ranked[] = rows.map((r) => ({ docKey: Number(r.doc_key), score: Number(r.score), group: { value: value(r.gv), expanded: [] } }));
    const expanding = items.slice(0, Math.max(0, collapse.expandGroups - offset)).filter((i) => i.group!.value !== null || collapse.missing === 'COLLAPSE');
    if (expanding.length && collapse.expandPerGroup > 0) {
      const values = expanding.flatMap((i) => (i.group!.value === null ? [] : [i.group!.value]));
      const which = [...(values.length ? [sql`g.gv IN (${list(values)})`] : []), ...(values.length < expanding.length ? [raw('g.gv IS NULL')] : [])];
      const members = await this.backend.all<{ doc_key: number; score: number; gv: string | number | null }>(sql`${grouped}
        SELECT g.doc_key, g.score, g.gv FROM g WHERE g.rn > 1 AND g.rn <= ${collapse.expandPerGroup + 1} AND (${join(which, ' OR ')}) ORDER BY g.rn`, req.signal);
      const byValue = new Map(expanding.map((i) => [i.group!.value, i.group!.expanded]));
      for (const r of members) byValue.get(value(r.gv))?.push({ docKey: Number(r.doc_key), score: Number(r.score) });
    }
    const total = rows.length ? Number(rows[0]!.total) : offset > 0 ? (await this.rankGroups(req, scored, order, collapse, 0, 1)).total : 0;
    return { total, topScore: rows.length ? Number(rows[0]!.top) : 0, items };
  }

  async rankPage(req: DocumentSearch, sort: SortKey[], offset: number, limit: number, bodyChars: number, also: number[] = [], collapse?: Collapse): Promise<{ ranked: RankedPage; documents: StoredDocument[] }> {
    const { ranked, documents } = await this.ranked(req, sort, offset, limit, collapse, also.length ? undefined : bodyChars);
    if (documents) return { ranked, documents };
    const keys = ranked.items.flatMap((r) => [r.docKey, ...(r.group?.expanded.map((e) => e.docKey) ?? [])]);
    return { ranked, documents: await this.documents([...also, ...keys], bodyChars) };
  }

  /** countDocuments, from the text index's own count when it can tell (TextMatch.count). */
  private async countMatches(req: DocumentSearch, m: TextMatch): Promise<number> {
    if (m.count && !req.filter && !req.docKeys && !req.content && !req.documentIds) {
      const [row] = await this.backend.all<{ n: number | null }>(m.count(req.indexId, req.language, req.access !== undefined), req.signal);
      if (row?.n != null) return Number(row.n);
    }
    return this.countDocuments(req);
  }

  async countDocuments(req: DocumentSearch): Promise<number> {
    const m = this.backend.documentMatch(req.query && normalize(req.query), analyzerFor(req.language));
    const rows = await this.backend.all<{ n: number }>(sql`SELECT count(*) AS n FROM ${m.from} WHERE ${this.conditions(req, m)}`, req.signal);
    return Number(rows[0]?.n ?? 0);
  }

  async documents(docKeys: number[], bodyChars: number): Promise<StoredDocument[]> {
    if (!docKeys.length) return [];
    const rows = await this.backend.all<DocumentRow>(sql`SELECT ${this.documentColumns(bodyChars)} FROM documents d WHERE d.doc_key IN (${list(docKeys)})`);
    return rows.map(storedDocument);
  }

  /** What documents() reads of a document `d`, bodies cut at bodyChars. */
  private documentColumns(bodyChars: number): Sql {
    return sql`d.doc_key, d.document_id, d.title, d.source_uri, ${raw(attributeColumn('_file_type', 'd')!)} AS file_type, d.attributes, ${raw(SOURCE_ID_OF('d.source_key'))} AS data_source_id, d.language_code, ${this.backend.prefix('d.body', bodyChars)} AS body`;
  }

  async facet(req: DocumentSearch, spec: FacetSpec): Promise<FacetCount[]> {
    const m = this.backend.documentMatch(req.query && normalize(req.query), analyzerFor(req.language));
    const matching = sql`SELECT d.doc_key FROM ${m.from} WHERE ${this.conditions(req, m)}`;
    const c = this.backend.collate;
    if (!spec.nested) {
      const rows = await this.backend.all<FacetRow>(sql`
        SELECT a.value_type AS t, a.str AS s, a.num AS n, count(DISTINCT a.doc_key) AS c
        FROM ${attributeRows(spec.key)} a
        WHERE a.index_id = ${req.indexId} AND a.key = ${spec.key} AND a.doc_key IN (${matching})
        GROUP BY a.value_type, a.str, a.num ORDER BY c DESC, a.str${raw(c)}, a.num`, req.signal);
      return topOfOneType(rows.map(toCount), spec.maxResults);
    }
    const rows = await this.backend.all<FacetRow & { pt: string; ps: string | null; pn: number | null }>(sql`
      SELECT p.value_type AS pt, p.str AS ps, p.num AS pn, a.value_type AS t, a.str AS s, a.num AS n, count(DISTINCT a.doc_key) AS c
      FROM ${attributeRows(spec.key)} p JOIN ${attributeRows(spec.nested.key)} a ON a.doc_key = p.doc_key AND a.key = ${spec.nested.key}
      WHERE p.index_id = ${req.indexId} AND p.key = ${spec.key} AND p.doc_key IN (${matching})
      GROUP BY p.value_type, p.str, p.num, a.value_type, a.str, a.num ORDER BY c DESC, a.str${raw(c)}, a.num`, req.signal);
    const parents = await this.facet(req, { key: spec.key, maxResults: spec.maxResults });
    return parents.map((parent) => {
      const mine = rows.filter((r) => r.pt === parent.type && (parent.type === 'LONG' || parent.type === 'DATE' ? Number(r.pn) === parent.value : r.ps === parent.value));
      return { ...parent, nested: topOfOneType(mine.map(toCount), spec.nested!.maxResults) };
    });
  }

  async valueTypes(indexId: string, key: string): Promise<ValueType[]> {
    const types: ValueType[] = ['STRING', 'STRING_LIST', 'LONG', 'DATE'];
    const probes = types.map(
      // IS NOT NULL: on SQLite each value index holds only the rows of its kind (a partial index), used only when the query says so.
      (t) => sql`SELECT ${raw(`'${t}'`)} AS t WHERE EXISTS (SELECT 1 FROM ${attributeRows(key)} a WHERE a.index_id = ${indexId} AND a.key = ${key} AND a.value_type = ${t} AND ${raw(t === 'LONG' || t === 'DATE' ? 'a.num' : 'a.str')} IS NOT NULL)`,
    );
    const rows = await this.backend.all<{ t: ValueType }>(join(probes, ' UNION ALL '));
    return rows.map((r) => r.t);
  }

  /**
   * Passages are cut from the documents the search ranks best (the first PASSAGE_DOCUMENTS, or as many as
   * the page reaches) and ranked among themselves (passageRanking.ts): a passage scores by its own words,
   * times the factor relevance tuning gives its document.
   */
  async rankPassages(req: DocumentSearch, offset: number, limit: number): Promise<RankedPassages> {
    if (!req.query) return { topScore: 0, items: [] };
    const q = normalize(req.query);
    const analyzer = analyzerFor(req.language);
    const m = this.backend.documentMatch(q, analyzer, req.relevance?.text);
    const ranking = { inner: this.scoredRows(req, m, []), score: m.score, order: `m.${req.relevance ? 'tuned' : 'score'} DESC, m.document_id${this.backend.collate} ASC`, limit: Math.max(PASSAGE_DOCUMENTS, offset + limit), offset: 0, byScore: true };
    const ranked = req.relevance
      ? (await windowRank<{ doc_key: number; score: number; tuned: number }>(this.backend, { ...ranking, columns: 'm.doc_key, m.score, m.tuned' }, req.signal, 'tuned')).rows
      : (await this.backend.rank<{ doc_key: number; score: number }>({ ...ranking, columns: 'm.doc_key, m.score' }, req.signal)).rows;
    if (!ranked.length) return { topScore: 0, items: [] };
    // Tuning multiplies a text score by 1 + its boosts (relevance.ts); without a text score (a negation) the boosts are the score.
    const factors = new Map(ranked.map((r) => [Number(r.doc_key), 'tuned' in r ? (q.negated ? Number(r.tuned) : Number(r.tuned) / Number(r.score)) : 1]));
    const rows = await this.backend.all<{ doc_key: number; document_id: string; title: string; body: string }>(
      sql`SELECT d.doc_key, d.document_id, d.title, ${this.backend.text('d.body')} AS body FROM documents d WHERE d.doc_key IN (${list([...factors.keys()])})`,
      req.signal,
    );
    const passages = scorePassages(rows.map((r) => ({ docKey: Number(r.doc_key), documentId: r.document_id, title: r.title, body: r.body, factor: factors.get(Number(r.doc_key))! })), q, analyzer, req.relevance?.text);
    return { topScore: passages[0]?.score ?? 0, items: passages.slice(offset, offset + limit).map((p) => ({ docKey: p.docKey, content: p.content, score: p.score })) };
  }

  close(): Promise<void> {
    return this.backend.close();
  }

  private conditions(req: DocumentSearch, m: TextMatch): Sql {
    const parts = [
      m.where,
      // The index and data sources by their keys (store/idKeys.ts), each looked up once.
      sql`d.index_key = (SELECT key FROM index_keys WHERE id = ${req.indexId})`,
      sql`${this.backend.rowTest('d.status')} ${SEARCHABLE}`,
      // One language per search (Kendra: English unless the filter chooses another).
      sql`d.language_code = ${req.language}`,
      sql`(d.source_key IS NULL OR d.source_key NOT IN (SELECT k.key FROM data_sources s JOIN data_source_keys k ON k.id = s.id WHERE s.index_id = ${req.indexId} AND s.status = 'DELETING'))`,
    ];
    if (req.filter) parts.push(compileFilter(req.indexId, req.filter, textScored(req) ? 'probe' : 'set'));
    if (req.docKeys) parts.push(req.docKeys.length ? sql`d.doc_key IN (${list(req.docKeys)})` : raw('1 = 0'));
    if (req.access) parts.push(accessCondition(req.access, (column, keys) => this.backend.memberOf(column, keys)));
    if (req.content) parts.push(contentCondition(req.content));
    if (req.documentIds?.only) parts.push(req.documentIds.only.length ? sql`d.document_id IN (${list(req.documentIds.only)})` : raw('1 = 0'));
    if (req.documentIds?.except?.length) parts.push(sql`d.document_id NOT IN (${list(req.documentIds.except)})`);
    return join(parts, ' AND ');
  }
}

/** A document's row as documents() reads it (SqlSearchEngine.documentColumns). */
export interface DocumentRow {
  doc_key: number;
  document_id: string;
  title: string;
  source_uri: string | null;
  file_type: string | null;
  attributes: string;
  data_source_id: string | null;
  language_code: string;
  body: string;
}

const storedDocument = (r: DocumentRow): StoredDocument => ({
  docKey: Number(r.doc_key), documentId: r.document_id, title: r.title, sourceUri: r.source_uri, fileType: r.file_type, attributes: r.attributes, dataSourceId: r.data_source_id, languageCode: r.language_code, body: r.body,
});

function contentCondition(c: ContentSources): Sql {
  const of = c.dataSourceIds.length ? [sql`d.source_key IN (SELECT k.key FROM data_source_keys k WHERE k.id IN (${list(c.dataSourceIds)}))`] : [];
  const parts = [...of, ...(c.direct ? [sql`d.source_key IS NULL`] : [])];
  return parts.length ? sql`(${join(parts, ' OR ')})` : raw('1 = 0');
}

/** Whether the query's text scores documents (relevance tuning multiplies that score; a browse or a negation has none). */
function textScored(req: DocumentSearch): boolean {
  return req.query !== undefined && !normalize(req.query).negated;
}

type FacetRow = { t: ValueType; s: string | null; n: number | null; c: number };

const toCount = (r: FacetRow): FacetCount => ({ type: r.t, value: r.t === 'LONG' || r.t === 'DATE' ? Number(r.n) : r.s!, count: Number(r.c) });

/** A key holding values of several types (documents disagreeing) reports the type most documents use. */
function topOfOneType(counts: FacetCount[], max: number): FacetCount[] {
  const type = counts[0]?.type;
  return counts.filter((x) => x.type === type).slice(0, max);
}

/** ORDER BY terms for sort keys selected as `${prefix}0`, `${prefix}1`…: documents without a value last. */
function sortOrder(sort: SortKey[], prefix: string, collate: string): string[] {
  return sort.flatMap((s, i) => [`(m.${prefix}${i} IS NULL)`, `m.${prefix}${i}${s.type === 'STRING' ? collate : ''} ${s.order}`]);
}

function sortValue(s: SortKey): Sql {
  const column = raw(s.type === 'STRING' ? 'a.str' : 'a.num');
  return sql`(SELECT ${column} FROM ${attributeRows(s.key)} a WHERE a.doc_key = d.doc_key AND a.key = ${s.key} AND a.value_type = ${s.type} LIMIT 1)`;
}
