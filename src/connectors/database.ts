// The database connector (Type DATABASE with DatabaseConfiguration): each row of the table with an id
// is a document. Its id is the id column's value, its body the data column, its title the title
// column; FieldMappings put columns into index fields, converted to each field's type; the allowed
// groups column becomes an ALLOW list of groups. The version is a hash of the change-detecting
// columns' values (and of the column configuration), so an unchanged row is only scanned.
import { createHash } from 'node:crypto';
import type { Config } from '../config/config.js';
import type { Attribute, AttributeValue, Principal } from '../domain/documents.js';
import type { Connector, Found, IndexFieldType, RawDocument, SyncContext } from './contract.js';
import { SourceError } from './contract.js';
import { readRows } from './databaseRows.js';
import type { DatabaseSource } from './databaseSource.js';
import { readDatabaseCredentials } from './secrets.js';

/** Where each role's value sits in a row (the columns are selected once each). */
interface Layout {
  columns: string[];
  id: number;
  data: number;
  title?: number;
  groups?: number;
  change: number[];
  fields: { key: string; type: IndexFieldType; at: number; column: string }[];
}

export class DatabaseConnector implements Connector {
  constructor(
    private readonly source: DatabaseSource,
    private readonly secrets: Config['secrets'],
  ) {}

  async *enumerate(ctx: SyncContext): AsyncGenerator<Found> {
    const layout = this.layout(ctx.indexFields ?? new Map());
    // A change of the column configuration or of a field's type changes every version, so each row is indexed again.
    const configHash = createHash('sha256').update(JSON.stringify([this.source, layout.fields])).digest('base64url').slice(0, 12);
    const login = await readDatabaseCredentials(this.source.secretArn, { secrets: this.secrets, signal: ctx.signal });
    for await (const row of readRows(this.source, layout.columns, login, ctx.signal)) {
      yield this.found(row, layout, configHash);
      if (ctx.signal.aborted) return;
    }
  }

  private layout(indexFields: NonNullable<SyncContext['indexFields']>): Layout {
    const columns: string[] = [];
    const at = (column: string) => {
      const i = columns.indexOf(column);
      return i >= 0 ? i : columns.push(column) - 1;
    };
    const s = this.source;
    const fields = s.fieldMappings.map((m) => {
      const type = indexFields.get(m.field);
      if (!type)
        throw new SourceError(`FieldMappings maps the column ${m.column} to the index field ${m.field}, which the index does not have. Add it to the index first (UpdateIndex, DocumentMetadataConfigurationUpdates).`);
      return { key: m.field, type, at: at(m.column), column: m.column };
    });
    return {
      columns,
      id: at(s.idColumn),
      data: at(s.dataColumn),
      title: s.titleColumn === undefined ? undefined : at(s.titleColumn),
      groups: s.allowedGroupsColumn === undefined ? undefined : at(s.allowedGroupsColumn),
      change: s.changeDetectingColumns.map(at),
      fields,
    };
  }

  private found(row: unknown[], layout: Layout, configHash: string): Found {
    const id = text(row[layout.id]);
    const version = createHash('sha256');
    version.update(configHash);
    for (const i of layout.change) version.update('\0').update(valueKey(row[i]));
    return {
      kind: 'document',
      id,
      version: version.digest('base64url'),
      fetch: async (): Promise<RawDocument> => {
        const data = row[layout.data];
        const title = layout.title === undefined ? undefined : row[layout.title];
        return {
          content: Buffer.isBuffer(data) ? data : Buffer.from(data === null || data === undefined ? '' : text(data)),
          title: title === null || title === undefined ? undefined : text(title),
          defaultTitle: id,
          attributes: layout.fields.flatMap((f) => {
            const value = convert(row[f.at], f.type, f.column);
            return value ? [{ Key: f.key, Value: value } satisfies Attribute] : [];
          }),
          // One level of allowed groups; an empty one (NULL or no group in the column) lets no one see the row.
          access: layout.groups === undefined ? undefined : [allowedGroups(row[layout.groups])],
        };
      },
    };
  }
}

/** The allowed groups column: a list (PostgreSQL arrays) or a semicolon-separated string. NULL or empty allows no group. */
function allowedGroups(v: unknown): Principal[] {
  const names = Array.isArray(v) ? v.map(text) : v === null || v === undefined ? [] : text(v).split(';');
  return [...new Set(names.map((n) => n.trim()).filter(Boolean))].map((Name) => ({ Name, Type: 'GROUP', Access: 'ALLOW' }));
}

/** A column's value as the index field's type; undefined for NULL. Throws (failing the row) when it cannot be converted. */
function convert(v: unknown, type: IndexFieldType, column: string): AttributeValue | undefined {
  if (v === null || v === undefined) return undefined;
  const refuse = (what: string): never => {
    throw new Error(`column ${column}: ${JSON.stringify(text(v)).slice(0, 80)} is not ${what}`);
  };
  switch (type) {
    case 'STRING_VALUE':
      return { StringValue: text(v) };
    case 'STRING_LIST_VALUE':
      return { StringListValue: Array.isArray(v) ? v.filter((x) => x !== null).map(text) : text(v).split(',').map((s) => s.trim()).filter(Boolean) };
    case 'LONG_VALUE': {
      const n = typeof v === 'number' ? v : typeof v === 'bigint' ? Number(v) : typeof v === 'string' && /^\s*-?\d+\s*$/.test(v) ? Number(v) : NaN;
      return Number.isSafeInteger(n) ? { LongValue: n } : refuse('a whole number (LONG_VALUE)');
    }
    case 'DATE_VALUE': {
      const d = v instanceof Date ? v : typeof v === 'string' ? new Date(v) : undefined;
      return d && !Number.isNaN(d.getTime()) ? { DateValue: d } : refuse('a date (DATE_VALUE; a date or timestamp column, or an ISO 8601 string)');
    }
  }
}

function text(v: unknown): string {
  if (typeof v === 'string') return v;
  if (v instanceof Date) return v.toISOString();
  if (Buffer.isBuffer(v)) return v.toString('utf8');
  if (typeof v === 'object' && v !== null) return JSON.stringify(v);
  return String(v);
}

/** A value as the change-detecting hash sees it: NULL apart from every string, bytes as they are. */
function valueKey(v: unknown): string | Buffer {
  return v === null || v === undefined ? '\u0001NULL' : Buffer.isBuffer(v) ? v : text(v);
}
