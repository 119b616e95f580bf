import type pg from 'pg';

/**
 * PostgreSQL: statements whose texts vary (a search's, with its filter and list lengths in the text) sent
 * named, so that each connection parses and plans a text once rather than at every run — for Query's rank
 * statement that was 0.3–0.4 ms of the 3–4 ms its backend spent on it. Unlike store/preparedStatements.ts
 * (fixed texts, prepared for the connection's life), the texts are many: each connection keeps the
 * `size` it ran most recently and deallocates the least recently run one past that, in the backend and in
 * node-postgres' own record of what it parsed.
 */
export class StatementNames {
  /** Text → name, least recently run first. */
  private readonly names = new Map<string, string>();
  private next = 0;

  constructor(readonly size: number) {}

  /** The name `text` runs under, and the name dropped to make room (to deallocate), if one was. */
  nameOf(text: string): { name: string; dropped?: string } {
    const held = this.names.get(text);
    if (held !== undefined) {
      this.names.delete(text);
      this.names.set(text, held);
      return { name: held };
    }
    // A name is never used again for another text (node-postgres refuses that), so a counter, not a hash.
    const name = `kendrite_search_${++this.next}`;
    this.names.set(text, name);
    if (this.names.size <= this.size) return { name };
    const [oldest, dropped] = this.names.entries().next().value as [string, string];
    this.names.delete(oldest);
    return { name, dropped };
  }

  /** How many names are held. */
  get held(): number {
    return this.names.size;
  }
}

/** What node-postgres records of the statements a connection parsed (not in its types). */
interface ParsedRecord {
  connection?: { parsedStatements?: Record<string, string>; submittedNamedStatements?: Record<string, string> };
}

/** Statement texts each connection keeps prepared. */
export const STATEMENTS_PER_CONNECTION = 64;

const byClient = new WeakMap<pg.ClientBase, StatementNames>();

/** The names of `client`'s statements (made on first use). */
export function statementNames(client: pg.ClientBase, size = STATEMENTS_PER_CONNECTION): StatementNames {
  let names = byClient.get(client);
  if (!names) {
    names = new StatementNames(size);
    byClient.set(client, names);
  }
  return names;
}

/** Runs `text` on `client` named (parsed once per connection while among its most recent texts). */
export function queryNamed<R extends pg.QueryResultRow>(client: pg.ClientBase, text: string, values: unknown[], size?: number): Promise<pg.QueryResult<R>> {
  const { name, dropped } = statementNames(client, size).nameOf(text);
  if (dropped !== undefined) {
    // Queued ahead of the statement on this connection; no answer awaited (a failure leaves a statement behind, no more).
    client.query(`DEALLOCATE ${dropped}`).catch(() => undefined);
    const record = (client as unknown as ParsedRecord).connection;
    delete record?.parsedStatements?.[dropped];
    delete record?.submittedNamedStatements?.[dropped];
  }
  return client.query<R>({ name, text, values });
}
