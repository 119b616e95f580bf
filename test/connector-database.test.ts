// The DATABASE connector against the machine's PostgreSQL and MariaDB, with its logins in moto's
// Secrets Manager or in kendrite's secrets file, on both store backends.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, test } from 'node:test';
import {
  CreateDataSourceCommand,
  DescribeDataSourceCommand,
  DescribeIndexCommand,
  QueryCommand,
  StartDataSourceSyncJobCommand,
  StopDataSourceSyncJobCommand,
  UpdateIndexCommand,
  type AttributeFilter,
  type KendraClient,
  type UserContext,
} from '@aws-sdk/client-kendra';
import { CreateSecretCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { createSourceDatabase, engineSkip, refusingPostgres, type Engine, type SourceDatabase } from './support/databases.js';
import { activeIndex, jobReaching, rejectsWith, ROLE } from './support/kendra.js';
import { Moto } from './support/moto.js';
import { backends, describeOrSkip, TestServer, TestStore, waitFor } from './support/server.js';
import { actions, activeDataSource, IndexTables, metrics, report, syncToEnd, TERMINAL } from './support/sync.js';

const FILE_ARN = 'arn:aws:secretsmanager:us-east-1:000000000000:secret:from-file-AbCdEf';
const NOT_JSON_ARN = 'arn:aws:secretsmanager:us-east-1:000000000000:secret:not-json-AbCdEf';
const NOT_JSON_VALUE = 'hunter2-not-json-value';

const ARTICLES = `CREATE TABLE articles (id INTEGER PRIMARY KEY, title TEXT, body TEXT, published DATE, pages TEXT, tags TEXT, url TEXT, allowed_groups TEXT, rev INTEGER)`;
const ROWS: unknown[][] = [
  [1, 'Quokka habits', 'The quokka smiles at zoo visitors', '2024-01-10', '12', 'animals,island', 'https://example.com/1', 'staff;hr', 1],
  [2, 'Narwhal tusks', 'The narwhal tusk is a zoo tooth', '2024-03-05', '40', 'animals,sea', 'https://example.com/2', 'staff', 1],
  [3, 'Axolotl care', 'The axolotl regrows limbs at the zoo', '2023-11-20', '7', 'animals', null, null, 1],
  [4, 'Pangolin scales', 'The pangolin rolls up in the zoo', '2024-06-01', '25', null, null, 'eng', 1],
  [5, 'Broken pages', 'This zoo row has a bad page count', '2024-02-02', 'many', 'x', null, 'staff', 1],
];

let moto: Moto;
let secrets: SecretsManagerClient;
let secretsDir: string;
before(async () => {
  moto = await Moto.start();
  secrets = new SecretsManagerClient({ endpoint: moto.endpoint, region: 'us-east-1', credentials: { accessKeyId: 'test', secretAccessKey: 'test' } });
  secretsDir = mkdtempSync(path.join(tmpdir(), 'kendrite-secrets-'));
});
after(async () => {
  secrets?.destroy();
  await moto?.stop();
  rmSync(secretsDir, { recursive: true, force: true });
});

async function secretArn(name: string, value: { username: string; password: string }): Promise<string> {
  const r = await secrets.send(new CreateSecretCommand({ Name: `${name}-${Math.random().toString(36).slice(2, 8)}`, SecretString: JSON.stringify(value) }));
  return r.ARN!;
}

function databaseConfiguration(db: Pick<SourceDatabase, 'engine' | 'host' | 'port' | 'name'>, arn: string, over: { table?: string; aurora?: boolean; columns?: Record<string, unknown>; quotes?: boolean } = {}) {
  const engineType = `RDS_${over.aurora ? 'AURORA_' : ''}${db.engine === 'postgres' ? 'POSTGRESQL' : 'MYSQL'}`;
  return {
    DatabaseConfiguration: {
      DatabaseEngineType: engineType as 'RDS_POSTGRESQL',
      ConnectionConfiguration: { DatabaseHost: db.host, DatabasePort: db.port, DatabaseName: db.name, TableName: over.table ?? 'articles', SecretArn: arn },
      ColumnConfiguration: over.columns ?? {
        DocumentIdColumnName: 'id', DocumentDataColumnName: 'body', DocumentTitleColumnName: 'title', ChangeDetectingColumns: ['rev'],
        FieldMappings: [
          { DataSourceFieldName: 'published', IndexFieldName: 'published' },
          { DataSourceFieldName: 'pages', IndexFieldName: 'pages' },
          { DataSourceFieldName: 'tags', IndexFieldName: 'tags' },
          { DataSourceFieldName: 'url', IndexFieldName: '_source_uri' },
        ],
      },
      AclConfiguration: over.columns ? undefined : { AllowedGroupsColumnName: 'allowed_groups' },
      SqlConfiguration: { QueryIdentifiersEnclosingOption: over.quotes ? 'DOUBLE_QUOTES' : 'NONE' },
    },
  } as never;
}

/** Rows carry allowed groups (AllowedGroupsColumnName): the queries search as a member of every group the rows name. */
const EVERY_GROUP = { Groups: ['staff', 'hr', 'eng'] };

async function ids(k: KendraClient, indexId: string, filter: AttributeFilter, text = 'zoo', userContext: UserContext = EVERY_GROUP): Promise<{ ids: string[]; total: number }> {
  const r = await k.send(new QueryCommand({ IndexId: indexId, QueryText: text, AttributeFilter: filter, PageSize: 100, UserContext: userContext }));
  return { ids: r.ResultItems!.map((i) => i.DocumentId!).sort(), total: r.TotalNumberOfResults! };
}

const engines: Engine[] = ['postgres', 'mysql'];
for (const engine of engines) {
  for (const backend of backends()) {
    describeOrSkip(`DATABASE connector on ${engine} [store: ${backend.name}]`, { skip: engineSkip(engine) ?? backend.skip }, () => {
      let store: TestStore;
      let server: TestServer;
      let k: KendraClient;
      let tables: IndexTables;
      let indexId: string;
      let db: SourceDatabase;
      let login: string;
      before(async () => {
        db = await createSourceDatabase(engine, backend.name);
        login = await secretArn('db-login', { username: db.username, password: db.password });
        const file = path.join(secretsDir, `secrets-${engine}-${backend.name}.json`);
        writeFileSync(file, JSON.stringify({ [FILE_ARN]: { username: db.username, password: db.password }, [NOT_JSON_ARN]: NOT_JSON_VALUE }));
        store = await TestStore.create(backend.name);
        server = await TestServer.start(store, { config: { secrets: { endpoint: moto.endpoint, region: 'us-east-1', accessKeyId: 'test', secretAccessKey: 'test', file } } });
        k = server.client();
        indexId = await activeIndex(k);
        await k.send(new UpdateIndexCommand({
          Id: indexId,
          DocumentMetadataConfigurationUpdates: [
            { Name: 'published', Type: 'DATE_VALUE', Search: { Facetable: true, Searchable: false, Displayable: true } },
            { Name: 'pages', Type: 'LONG_VALUE', Search: { Facetable: true, Searchable: false, Displayable: true } },
            { Name: 'tags', Type: 'STRING_LIST_VALUE', Search: { Facetable: true, Searchable: false, Displayable: true } },
          ],
        }));
        await waitFor('index ACTIVE', async () => ((await k.send(new DescribeIndexCommand({ Id: indexId }))).Status === 'ACTIVE' ? true : undefined));
        tables = await IndexTables.open(store);
      });
      after(async () => {
        await tables?.close();
        await server?.stop();
        await store?.destroy();
        await db?.close();
      });

      test('first sync; updated, inserted and deleted rows; typed fields in Query; groups on the document', async () => {
        await db.exec(ARTICLES);
        for (const r of ROWS) await db.exec(`INSERT INTO articles VALUES (${r.map((_, i) => (engine === 'postgres' ? `$${i + 1}` : '?')).join(', ')})`, r);
        const ds = await activeDataSource(k, { IndexId: indexId, Name: 'articles', Type: 'DATABASE', Configuration: databaseConfiguration(db, login) });

        const job1 = await syncToEnd(k, indexId, ds);
        assert.equal(job1.Status, 'INCOMPLETE', job1.ErrorMessage);
        assert.deepEqual(metrics(job1), { scanned: '5', added: '4', modified: '0', deleted: '0', failed: '1' });
        const r1 = await report(server, job1.ExecutionId!);
        assert.deepEqual(r1.timeline, ['SYNCING', 'SYNCING_INDEXING', 'INCOMPLETE']);
        assert.deepEqual(actions(r1.items), ['ADDED 1', 'ADDED 2', 'ADDED 3', 'ADDED 4', 'FAILED 5']);
        assert.match(r1.items.find((i) => i.DocumentId === '5')!.Reason!, /column pages: "many" is not a whole number \(LONG_VALUE\)/);

        // Typed fields: a date filter, a long filter, a string list filter; the title and the mapped _source_uri.
        assert.deepEqual(await ids(k, indexId, { GreaterThan: { Key: 'published', Value: { DateValue: new Date('2024-01-31T00:00:00Z') } } }), { ids: ['2', '4'], total: 2 });
        assert.deepEqual(await ids(k, indexId, { GreaterThanOrEquals: { Key: 'pages', Value: { LongValue: 25 } } }), { ids: ['2', '4'], total: 2 });
        assert.deepEqual(await ids(k, indexId, { ContainsAll: { Key: 'tags', Value: { StringListValue: ['animals', 'sea'] } } }), { ids: ['2'], total: 1 });
        const q = await k.send(new QueryCommand({ IndexId: indexId, QueryText: 'narwhal', UserContext: EVERY_GROUP }));
        assert.deepEqual(q.ResultItems!.map((i) => [i.DocumentId, i.DocumentTitle?.Text, i.DocumentURI]), [['2', 'Narwhal tusks', 'https://example.com/2']]);
        // The allowed groups column is the document's access list, enforced by Query (NULL allows no group).
        const visible = (groups: string[]) => ids(k, indexId, { EqualsTo: { Key: '_data_source_id', Value: { StringValue: ds } } }, 'zoo', { Groups: groups });
        assert.deepEqual((await visible(['hr'])).ids, ['1']);
        assert.deepEqual((await visible(['staff'])).ids, ['1', '2']);
        assert.deepEqual((await visible(['eng'])).ids, ['4']);
        assert.deepEqual((await visible(['staff', 'hr', 'eng'])).ids, ['1', '2', '4']);
        assert.deepEqual((await visible(['nobody'])).ids, []);

        // Row 2 changed with its change-detecting column; row 3's body changed without it (not seen as changed);
        // row 4 deleted; row 6 inserted.
        await db.exec(`UPDATE articles SET body = 'The narwhal tusk is a long zoo tooth narwhalchanged', rev = 2 WHERE id = 2`);
        await db.exec(`UPDATE articles SET body = 'axolotlsilent' WHERE id = 3`);
        await db.exec(`DELETE FROM articles WHERE id = 4`);
        await db.exec(`INSERT INTO articles (id, title, body, published, pages, allowed_groups, rev) VALUES (6, 'Okapi stripes', 'The okapi hides in the zoo', '2024-07-07', '3', 'eng', 1)`);
        const job2 = await syncToEnd(k, indexId, ds);
        assert.equal(job2.Status, 'INCOMPLETE');
        assert.deepEqual(metrics(job2), { scanned: '5', added: '1', modified: '1', deleted: '1', failed: '1' });
        assert.deepEqual(actions((await report(server, job2.ExecutionId!)).items), ['ADDED 6', 'DELETED 4', 'FAILED 5', 'MODIFIED 2']);
        assert.deepEqual(await tables.search(indexId, 'narwhalchanged'), ['2']);
        assert.deepEqual(await tables.search(indexId, 'axolotlsilent'), []);
        assert.deepEqual(await ids(k, indexId, { GreaterThan: { Key: 'published', Value: { DateValue: new Date('2024-01-31T00:00:00Z') } } }), { ids: ['2', '6'], total: 2 });

        const job3 = await syncToEnd(k, indexId, ds);
        assert.deepEqual(metrics(job3), { scanned: '5', added: '0', modified: '0', deleted: '0', failed: '1' });
      });

      test("a wrong password fails the sync with the database's code, and the password appears nowhere", async () => {
        const password = `wrong-${Math.random().toString(36).slice(2, 10)}`;
        // PostgreSQL here trusts loopback logins: a server that refuses (and quotes the password back) stands in for it.
        const refusing = engine === 'postgres' ? await refusingPostgres() : undefined;
        try {
          const arn = await secretArn('wrong', { username: engine === 'postgres' ? 'kendrite' : db.username, password });
          const target = refusing ? { ...db, port: refusing.port } : db;
          const ds = await activeDataSource(k, { IndexId: indexId, Name: 'wrong-password', Type: 'DATABASE', Configuration: databaseConfiguration(target, arn) });
          const job = await syncToEnd(k, indexId, ds);
          assert.equal(job.Status, 'FAILED');
          assert.equal(job.ErrorCode, 'InvalidRequest');
          assert.equal(job.DataSourceErrorCode, engine === 'postgres' ? '28P01' : 'ER_ACCESS_DENIED_ERROR');
          assert.match(job.ErrorMessage!, engine === 'postgres' ? /password authentication failed/ : /Access denied/);
          assert.match(job.ErrorMessage!, /SecretArn/);
          if (refusing) assert.match(job.ErrorMessage!, /it sent "\*\*\*"/);
          assert.ok(!JSON.stringify(job).includes(password), 'the job');
          assert.ok(!JSON.stringify(await report(server, job.ExecutionId!)).includes(password), 'the report');
          assert.ok(!JSON.stringify(await k.send(new DescribeDataSourceCommand({ IndexId: indexId, Id: ds }))).includes(password), 'DescribeDataSource');
          assert.ok(!server.logs.join('').includes(password), 'the server log');
        } finally {
          await refusing?.close();
        }
      });

      test('a missing table fails the sync with the database\'s code', async () => {
        const ds = await activeDataSource(k, { IndexId: indexId, Name: 'missing', Type: 'DATABASE', Configuration: databaseConfiguration(db, login, { table: 'no_such_table' }) });
        const job = await syncToEnd(k, indexId, ds);
        assert.equal(job.Status, 'FAILED');
        assert.equal(job.ErrorCode, 'InvalidRequest');
        assert.equal(job.DataSourceErrorCode, engine === 'postgres' ? '42P01' : 'ER_NO_SUCH_TABLE');
        assert.match(job.ErrorMessage!, /no_such_table/);
      });

      test('a mapping onto a field kendrite sets is refused; one onto a field the index lacks fails the sync', async () => {
        const columns = (field: string) => ({ DocumentIdColumnName: 'id', DocumentDataColumnName: 'body', ChangeDetectingColumns: ['rev'], FieldMappings: [{ DataSourceFieldName: 'title', IndexFieldName: field }] });
        const refused = await rejectsWith(k.send(new CreateDataSourceCommand({ IndexId: indexId, Name: 'refused', Type: 'DATABASE', RoleArn: ROLE, Configuration: databaseConfiguration(db, login, { columns: columns('_data_source_id') }) })), 'ValidationException');
        assert.match(refused.message, /_data_source_id is set by kendrite/);
        const ds = await activeDataSource(k, { IndexId: indexId, Name: 'unknown-field', Type: 'DATABASE', Configuration: databaseConfiguration(db, login, { columns: columns('nosuchfield') }) });
        const job = await syncToEnd(k, indexId, ds);
        assert.equal(job.Status, 'FAILED');
        assert.equal(job.ErrorCode, 'InvalidRequest');
        assert.match(job.ErrorMessage!, /index field nosuchfield, which the index does not have/);
      });

      test('secrets: from the secrets file; a missing secret and one that is not JSON fail without showing a value', async () => {
        await db.exec('CREATE TABLE notes (id INTEGER PRIMARY KEY, body TEXT, rev INTEGER)');
        await db.exec(`INSERT INTO notes VALUES (101, 'first note', 1), (102, 'second note', 1)`);
        const columns = { DocumentIdColumnName: 'id', DocumentDataColumnName: 'body', ChangeDetectingColumns: ['rev'] };
        const fromFile = await activeDataSource(k, { IndexId: indexId, Name: 'from-file', Type: 'DATABASE', Configuration: databaseConfiguration(db, FILE_ARN, { table: 'notes', columns }) });
        const job = await syncToEnd(k, indexId, fromFile);
        assert.equal(job.Status, 'SUCCEEDED', job.ErrorMessage);
        assert.deepEqual(metrics(job), { scanned: '2', added: '2', modified: '0', deleted: '0', failed: '0' });

        const missingArn = 'arn:aws:secretsmanager:us-east-1:123456789012:secret:no-such-secret-XyZ123';
        const missing = await activeDataSource(k, { IndexId: indexId, Name: 'no-secret', Type: 'DATABASE', Configuration: databaseConfiguration(db, missingArn, { table: 'notes', columns }) });
        const j2 = await syncToEnd(k, indexId, missing);
        assert.equal(j2.Status, 'FAILED');
        assert.equal(j2.DataSourceErrorCode, 'ResourceNotFoundException');
        assert.ok(j2.ErrorMessage!.includes(missingArn), j2.ErrorMessage);

        const notJson = await activeDataSource(k, { IndexId: indexId, Name: 'not-json', Type: 'DATABASE', Configuration: databaseConfiguration(db, NOT_JSON_ARN, { table: 'notes', columns }) });
        const j3 = await syncToEnd(k, indexId, notJson);
        assert.equal(j3.Status, 'FAILED');
        assert.equal(j3.DataSourceErrorCode, 'InvalidSecret');
        assert.match(j3.ErrorMessage!, /is not JSON/);
        assert.ok(!JSON.stringify(j3).includes(NOT_JSON_VALUE) && !server.logs.join('').includes(NOT_JSON_VALUE));
      });

      test('DOUBLE_QUOTES quotes identifiers with the driver, keeping their case', async () => {
        const q = (n: string) => (engine === 'postgres' ? `"${n}"` : `\`${n}\``);
        await db.exec(`CREATE TABLE ${q('MixedCase')} (${q('DocId')} INTEGER PRIMARY KEY, ${q('Body')} TEXT, ${q('Rev')} INTEGER)`);
        await db.exec(`INSERT INTO ${q('MixedCase')} VALUES (7, 'mixed case row', 1)`);
        const columns = { DocumentIdColumnName: 'DocId', DocumentDataColumnName: 'Body', ChangeDetectingColumns: ['Rev'] };
        const quoted = await activeDataSource(k, { IndexId: indexId, Name: 'quoted', Type: 'DATABASE', Configuration: databaseConfiguration(db, login, { table: 'MixedCase', columns, quotes: true }) });
        const job = await syncToEnd(k, indexId, quoted);
        assert.equal(job.Status, 'SUCCEEDED', job.ErrorMessage);
        assert.deepEqual(metrics(job), { scanned: '1', added: '1', modified: '0', deleted: '0', failed: '0' });
        if (engine === 'postgres') {
          // NONE: written as configured, PostgreSQL folds the names to lower case, and no such table exists.
          const plain = await activeDataSource(k, { IndexId: indexId, Name: 'unquoted', Type: 'DATABASE', Configuration: databaseConfiguration(db, login, { table: 'MixedCase', columns }) });
          const j2 = await syncToEnd(k, indexId, plain);
          assert.equal(j2.Status, 'FAILED');
          assert.equal(j2.DataSourceErrorCode, '42P01');
        }
      });

      test('a table read over several reads and version lookups (100 rows each): exact metrics across their edges', async () => {
        await db.exec('CREATE TABLE many (id INTEGER PRIMARY KEY, body TEXT, rev INTEGER)');
        await db.exec(`INSERT INTO many VALUES ${Array.from({ length: 250 }, (_, i) => `(${10001 + i}, 'many row ${i + 1}', 1)`).join(', ')}`);
        const columns = { DocumentIdColumnName: 'id', DocumentDataColumnName: 'body', ChangeDetectingColumns: ['rev'] };
        const ds = await activeDataSource(k, { IndexId: indexId, Name: 'many', Type: 'DATABASE', Configuration: databaseConfiguration(db, login, { table: 'many', columns }) });
        const job1 = await syncToEnd(k, indexId, ds);
        assert.equal(job1.Status, 'SUCCEEDED', JSON.stringify((await report(server, job1.ExecutionId!)).items.filter((i) => i.Action === 'FAILED').slice(0, 3)));
        assert.deepEqual(metrics(job1), { scanned: '250', added: '250', modified: '0', deleted: '0', failed: '0' });
        assert.equal((await tables.documents(ds)).length, 250);

        // Ids apart from the other tables' (a document belongs to one data source of the index). Changes on
        // each side of the 100th and 200th rows, the first and the last.
        await db.exec(`UPDATE many SET rev = 2, body = ${engine === 'postgres' ? "body || ' changed'" : "CONCAT(body, ' changed')"} WHERE id IN (10001, 10100, 10101, 10200, 10201)`);
        await db.exec('DELETE FROM many WHERE id IN (10099, 10102, 10250)');
        await db.exec(`INSERT INTO many VALUES (10251, 'many row 251', 1), (10252, 'many row 252', 1)`);
        const job2 = await syncToEnd(k, indexId, ds);
        assert.equal(job2.Status, 'SUCCEEDED', job2.ErrorMessage);
        assert.deepEqual(metrics(job2), { scanned: '249', added: '2', modified: '5', deleted: '3', failed: '0' });
        assert.deepEqual(actions((await report(server, job2.ExecutionId!)).items), ['ADDED 10251', 'ADDED 10252', 'DELETED 10099', 'DELETED 10102', 'DELETED 10250', 'MODIFIED 10001', 'MODIFIED 10100', 'MODIFIED 10101', 'MODIFIED 10200', 'MODIFIED 10201']);
        assert.equal((await tables.documents(ds)).length, 249);
        const job3 = await syncToEnd(k, indexId, ds);
        assert.deepEqual(metrics(job3), { scanned: '249', added: '0', modified: '0', deleted: '0', failed: '0' });
      });

      test('a stop in the middle of reading the table ends ABORTED; what committed stays', async () => {
        await db.exec('CREATE TABLE big (id INTEGER PRIMARY KEY, body TEXT, rev INTEGER)');
        const values = Array.from({ length: 200 }, (_, i) => `(${i + 1}, 'row ${i + 1}', 1)`).join(', ');
        await db.exec(`INSERT INTO big VALUES ${values}`);
        // Each row takes 50 ms to read: 10 s for the table, far longer than a stop needs.
        if (engine === 'postgres') {
          await db.exec(`CREATE FUNCTION slow(t text) RETURNS text LANGUAGE sql VOLATILE AS $$ SELECT pg_sleep(0.05); SELECT t $$`);
          await db.exec('CREATE VIEW slow_big AS SELECT id, slow(body) AS body, rev FROM big');
        } else {
          await db.exec('CREATE VIEW slow_big AS SELECT id, IF(SLEEP(0.05) = 0, body, body) AS body, rev FROM big');
        }
        const columns = { DocumentIdColumnName: 'id', DocumentDataColumnName: 'body', ChangeDetectingColumns: ['rev'] };
        const ds = await activeDataSource(k, { IndexId: indexId, Name: 'slow', Type: 'DATABASE', Configuration: databaseConfiguration(db, login, { table: 'slow_big', columns, aurora: true }) });
        const { ExecutionId } = await k.send(new StartDataSourceSyncJobCommand({ IndexId: indexId, Id: ds }));
        await jobReaching(k, indexId, ds, ExecutionId!, ['SYNCING']);
        await new Promise((r) => setTimeout(r, 500));
        await k.send(new StopDataSourceSyncJobCommand({ IndexId: indexId, Id: ds }));
        const job = await jobReaching(k, indexId, ds, ExecutionId!, TERMINAL);
        assert.equal(job.Status, 'ABORTED');
        const m = metrics(job);
        assert.ok(Number(m.scanned) < 200, `scanned ${m.scanned}`);
        assert.equal(m.added, m.scanned);
        assert.equal((await tables.documents(ds)).length, Number(m.added));
        assert.deepEqual((await report(server, ExecutionId!)).timeline, ['SYNCING', 'STOPPING', 'ABORTED']);
      });
    });
  }
}
