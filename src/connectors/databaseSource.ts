// A DATABASE data source's DatabaseConfiguration, read and checked: which engine, where, with which
// secret, and which columns make a document. Used by CreateDataSource/UpdateDataSource (ConfigurationError
// → ValidationException) and at every sync.
import { ConfigurationError } from './contract.js';

export type DatabaseEngine = 'postgres' | 'mysql';

export interface FieldMapping {
  column: string;
  field: string;
}

export interface DatabaseSource {
  engine: DatabaseEngine;
  host: string;
  port: number;
  database: string;
  table: string;
  secretArn: string;
  idColumn: string;
  dataColumn: string;
  titleColumn?: string;
  fieldMappings: FieldMapping[];
  changeDetectingColumns: string[];
  /** AclConfiguration.AllowedGroupsColumnName. */
  allowedGroupsColumn?: string;
  /** SqlConfiguration.QueryIdentifiersEnclosingOption DOUBLE_QUOTES: identifiers quoted (case kept); NONE: as written. */
  quoteIdentifiers: boolean;
}

const ENGINES: Record<string, DatabaseEngine> = {
  RDS_POSTGRESQL: 'postgres',
  RDS_AURORA_POSTGRESQL: 'postgres',
  RDS_MYSQL: 'mysql',
  RDS_AURORA_MYSQL: 'mysql',
};

/** Kendra's pattern for table and column names; it also makes a name safe to write unquoted. */
export const PLAIN_IDENTIFIER = /^[a-zA-Z][a-zA-Z0-9_]*$/;

/** Attributes kendrite sets itself: no column may be mapped onto them. */
const SET_BY_KENDRITE = new Set(['_data_source_id', '_data_source_sync_job_execution_id']);

export function parseDatabaseConfiguration(c: unknown): DatabaseSource {
  if (!isObject(c)) throw new ConfigurationError('A DATABASE data source needs a DatabaseConfiguration.');
  const engine = ENGINES[c.DatabaseEngineType as string];
  if (!engine) throw new ConfigurationError(`DatabaseConfiguration.DatabaseEngineType must be one of ${Object.keys(ENGINES).join(', ')}.`);
  const conn = c.ConnectionConfiguration;
  if (!isObject(conn)) throw new ConfigurationError('DatabaseConfiguration needs a ConnectionConfiguration.');
  const host = conn.DatabaseHost;
  if (typeof host !== 'string' || !host) throw new ConfigurationError('ConnectionConfiguration.DatabaseHost must be a host name or address.');
  const port = conn.DatabasePort;
  if (typeof port !== 'number' || !Number.isInteger(port) || port < 1 || port > 65535) throw new ConfigurationError('ConnectionConfiguration.DatabasePort must be a port number (1-65535).');
  const secretArn = conn.SecretArn;
  if (typeof secretArn !== 'string' || !secretArn.startsWith('arn:')) throw new ConfigurationError('ConnectionConfiguration.SecretArn must be the ARN of a secret holding {"username", "password"}.');
  const cols = c.ColumnConfiguration;
  if (!isObject(cols)) throw new ConfigurationError('DatabaseConfiguration needs a ColumnConfiguration.');
  const mappings = cols.FieldMappings ?? [];
  if (!Array.isArray(mappings)) throw new ConfigurationError('ColumnConfiguration.FieldMappings must be a list.');
  const fieldMappings = mappings.map((m: unknown, i): FieldMapping => {
    if (!isObject(m) || typeof m.IndexFieldName !== 'string' || !m.IndexFieldName) throw new ConfigurationError(`ColumnConfiguration.FieldMappings[${i}] needs DataSourceFieldName and IndexFieldName.`);
    if (SET_BY_KENDRITE.has(m.IndexFieldName)) throw new ConfigurationError(`ColumnConfiguration.FieldMappings[${i}]: ${m.IndexFieldName} is set by kendrite; no column can be mapped onto it.`);
    return { column: identifier(m.DataSourceFieldName, `ColumnConfiguration.FieldMappings[${i}].DataSourceFieldName`), field: m.IndexFieldName };
  });
  const change = cols.ChangeDetectingColumns;
  if (!Array.isArray(change) || change.length < 1 || change.length > 5) throw new ConfigurationError('ColumnConfiguration.ChangeDetectingColumns must list one to five columns.');
  const acl = c.AclConfiguration;
  if (acl !== undefined && !isObject(acl)) throw new ConfigurationError('AclConfiguration must be an object with AllowedGroupsColumnName.');
  const enclosing = isObject(c.SqlConfiguration) ? (c.SqlConfiguration.QueryIdentifiersEnclosingOption ?? 'NONE') : 'NONE';
  if (enclosing !== 'NONE' && enclosing !== 'DOUBLE_QUOTES') throw new ConfigurationError('SqlConfiguration.QueryIdentifiersEnclosingOption must be DOUBLE_QUOTES or NONE.');
  return {
    engine,
    host,
    port,
    database: identifier(conn.DatabaseName, 'ConnectionConfiguration.DatabaseName'),
    table: identifier(conn.TableName, 'ConnectionConfiguration.TableName'),
    secretArn,
    idColumn: identifier(cols.DocumentIdColumnName, 'ColumnConfiguration.DocumentIdColumnName'),
    dataColumn: identifier(cols.DocumentDataColumnName, 'ColumnConfiguration.DocumentDataColumnName'),
    titleColumn: cols.DocumentTitleColumnName === undefined ? undefined : identifier(cols.DocumentTitleColumnName, 'ColumnConfiguration.DocumentTitleColumnName'),
    fieldMappings,
    changeDetectingColumns: change.map((n, i) => identifier(n, `ColumnConfiguration.ChangeDetectingColumns[${i}]`)),
    allowedGroupsColumn: acl ? identifier(acl.AllowedGroupsColumnName, 'AclConfiguration.AllowedGroupsColumnName') : undefined,
    quoteIdentifiers: enclosing === 'DOUBLE_QUOTES',
  };
}

function identifier(v: unknown, what: string): string {
  if (typeof v !== 'string' || v.length > 100 || !PLAIN_IDENTIFIER.test(v)) throw new ConfigurationError(`${what} must be a table or column name: a letter, then letters, digits or underscores (at most 100).`);
  return v;
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}
