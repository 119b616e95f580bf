/**
 * Access control inside the query: the SQL condition on `d.doc_key` that keeps exactly the documents
 * domain/access.ts `mayView` allows, over document_access. Being part of the WHERE clause, it holds
 * for ranking, totals, facet counts, paging and passages alike: a hidden document counts nowhere.
 *
 * Per candidate document the check reads that document's few rows (by its primary key) and tests
 * each against the caller's key set, which the backend binds as ONE parameter when it is large (a
 * Set looked up by a SQL function on SQLite, a text[] PostgreSQL hashes once per statement): a user
 * of 10,000 groups costs a lookup per row, not 10,000 placeholders or index probes.
 */
import { sql, raw, type Sql } from './sql.js';

/** Whose search this is: the caller's principal keys (domain/access.ts callerKeys); none: public documents only. */
export interface AccessScope {
  principals: string[];
}

/** `column` is one of `keys`, without letting the planner probe an index once per key. */
export type MemberOf = (column: string, keys: string[]) => Sql;

/**
 * The check per document runs only when the store has access rows at all: `NOT EXISTS (SELECT 1 FROM
 * document_access)` is evaluated once per statement (PostgreSQL: an InitPlan; SQLite: a constant subquery), and
 * OR stops there. Without it PostgreSQL's plan for a store without access rows was a nested loop anti join
 * starting a scan of the empty table for every match — a fifth of Query's rank statement at 20,000 documents
 * (docs/query-at-scale-postgres.md). The snapshot is the statement's: exact either way.
 */
const unlessNoAccessRows = (perDocument: Sql) => sql`(NOT EXISTS (SELECT 1 FROM document_access) OR ${perDocument})`;

const PUBLIC = unlessNoAccessRows(raw('NOT EXISTS (SELECT 1 FROM document_access x WHERE x.doc_key = d.doc_key)'));

export function accessCondition(scope: AccessScope, memberOf: MemberOf): Sql {
  if (!scope.principals.length) return PUBLIC;
  const keys = scope.principals;
  // Hidden: a denied key, or a level where no key is allowed. No rows at all: public.
  return unlessNoAccessRows(sql`NOT EXISTS (SELECT 1 FROM document_access x WHERE x.doc_key = d.doc_key AND (
    (x.access = 'D' AND ${memberOf('x.principal', keys)})
    OR (x.access = 'L' AND NOT EXISTS (SELECT 1 FROM document_access y WHERE y.doc_key = x.doc_key AND y.access = 'A' AND y.level = x.level AND ${memberOf('y.principal', keys)}))))`);
}
