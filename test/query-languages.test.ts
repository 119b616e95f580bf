import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, test } from 'node:test';
import BetterSqlite3 from 'better-sqlite3';
import pg from 'pg';
import {
  BatchPutDocumentCommand,
  CreateDataSourceCommand,
  DescribeDataSourceCommand,
  QueryCommand,
  RetrieveCommand,
  UpdateDataSourceCommand,
  type AttributeFilter,
  type Document,
  type KendraClient,
  type QueryCommandOutput,
} from '@aws-sdk/client-kendra';
import { POSTGRES_MIGRATIONS } from '../src/store/migrations/postgres.js';
import { SQLITE_MIGRATIONS } from '../src/store/migrations/sqlite.js';
import { activeIndex } from './support/kendra.js';
import { storeQuery } from './support/searchCorpus.js';
import { backends, describeOrSkip, TestServer, TestStore, waitFor } from './support/server.js';
import { activeDataSource, folderTemplate, metrics, putInJob, syncToEnd } from './support/sync.js';

const lang = (code: string): AttributeFilter => ({ EqualsTo: { Key: '_language_code', Value: { StringValue: code } } });
const ids = (r: { ResultItems?: { DocumentId?: string }[] }) => r.ResultItems!.map((i) => i.DocumentId!).sort();
const attr = (r: QueryCommandOutput, id: string, key: string) => r.ResultItems!.find((i) => i.DocumentId === id)!.DocumentAttributes!.find((a) => a.Key === key)?.Value;
const text = (t: string) => new TextEncoder().encode(t);

async function activeUpdated(k: KendraClient, indexId: string, id: string): Promise<void> {
  await waitFor(`data source ${id} ACTIVE`, async () => ((await k.send(new DescribeDataSourceCommand({ IndexId: indexId, Id: id }))).Status === 'ACTIVE' ? true : undefined));
}


for (const backend of backends()) {
  describeOrSkip(`Document languages: _language_code and the language searched [${backend.name}]`, { skip: backend.skip }, () => {
    let store: TestStore;
    let server: TestServer;
    let k: KendraClient;
    let dir: string;
    before(async () => {
      store = await TestStore.create(backend.name);
      dir = mkdtempSync(path.join(tmpdir(), 'kendrite-languages-'));
      server = await TestServer.start(store, { config: { folders: { allowedRoots: [dir] } } });
      k = server.client();
    });
    after(async () => {
      await server?.stop();
      await store?.destroy();
      rmSync(dir, { recursive: true, force: true });
    });

    test("a document's language: its own attribute, else its data source's LanguageCode, else en; filterable and facetable", async () => {
      const indexId = await activeIndex(k, 'languages');
      const { Id: ja } = await k.send(new CreateDataSourceCommand({ IndexId: indexId, Name: 'ja-source', Type: 'CUSTOM', LanguageCode: 'ja' }));
      await activeUpdated(k, indexId, ja!);
      await putInJob(k, indexId, ja!, [
        { Id: 'ja-1', Title: 'kendrite ガイド', Blob: text('kendrite の 使い方'), ContentType: 'PLAIN_TEXT' },
        { Id: 'fr-1', Title: 'kendrite guide', Blob: text('kendrite en français'), ContentType: 'PLAIN_TEXT', Attributes: [{ Key: '_language_code', Value: { StringValue: 'fr' } }] },
      ]);
      const put = await k.send(new BatchPutDocumentCommand({ IndexId: indexId, Documents: [{ Id: 'en-1', Title: 'kendrite guide', Blob: text('kendrite in English'), ContentType: 'PLAIN_TEXT' }] }));
      assert.deepEqual(put.FailedDocuments, []);
      await waitFor('en-1 indexed', async () => ((await k.send(new QueryCommand({ IndexId: indexId, QueryText: 'kendrite', AttributeFilter: lang('en') }))).TotalNumberOfResults === 1 ? true : undefined));

      const jaHits = await k.send(new QueryCommand({ IndexId: indexId, QueryText: 'kendrite', AttributeFilter: lang('ja') }));
      assert.deepEqual(ids(jaHits), ['ja-1']);
      assert.equal(jaHits.TotalNumberOfResults, 1);
      assert.deepEqual(attr(jaHits, 'ja-1', '_language_code'), { StringValue: 'ja' });
      const frHits = await k.send(new QueryCommand({ IndexId: indexId, QueryText: 'kendrite', AttributeFilter: lang('fr') }));
      assert.deepEqual(ids(frHits), ['fr-1']);
      assert.deepEqual(attr(frHits, 'fr-1', '_language_code'), { StringValue: 'fr' });
      const enHits = await k.send(new QueryCommand({ IndexId: indexId, QueryText: 'kendrite', AttributeFilter: lang('en') }));
      assert.deepEqual(ids(enHits), ['en-1']);
      assert.deepEqual(attr(enHits, 'en-1', '_language_code'), { StringValue: 'en' });
      // Asked for by name, it comes back alone.
      const only = await k.send(new QueryCommand({ IndexId: indexId, QueryText: 'kendrite', AttributeFilter: lang('ja'), RequestedDocumentAttributes: ['_language_code'] }));
      assert.deepEqual(only.ResultItems![0]!.DocumentAttributes, [{ Key: '_language_code', Value: { StringValue: 'ja' } }]);

      // Facetable: within the one language searched, and with an OR of languages inside it.
      const facets = await k.send(new QueryCommand({ IndexId: indexId, AttributeFilter: lang('ja'), Facets: [{ DocumentAttributeKey: '_language_code' }] }));
      assert.deepEqual(facets.FacetResults![0]!.DocumentAttributeValueCountPairs, [{ DocumentAttributeValue: { StringValue: 'ja' }, Count: 1 }]);

      // UpdateDataSource's LanguageCode applies to the documents sent after it.
      await k.send(new UpdateDataSourceCommand({ IndexId: indexId, Id: ja!, LanguageCode: 'de' }));
      await activeUpdated(k, indexId, ja!);
      await putInJob(k, indexId, ja!, [{ Id: 'ja-1', Title: 'kendrite ガイド', Blob: text('kendrite の 使い方'), ContentType: 'PLAIN_TEXT' }]);
      assert.deepEqual(ids(await k.send(new QueryCommand({ IndexId: indexId, QueryText: 'kendrite', AttributeFilter: lang('ja') }))), []);
      assert.deepEqual(ids(await k.send(new QueryCommand({ IndexId: indexId, QueryText: 'kendrite', AttributeFilter: lang('de') }))), ['ja-1']);
    });

    test('without an _language_code filter Query and Retrieve search English documents only; with one, that language only', async () => {
      const indexId = await activeIndex(k, 'default-language');
      const put = await k.send(new BatchPutDocumentCommand({
        IndexId: indexId,
        Documents: [
          { Id: 'en-a', Title: 'kendrite one', Blob: text('kendrite alpha'), ContentType: 'PLAIN_TEXT', Attributes: [{ Key: 'team', Value: { StringValue: 'red' } }] },
          { Id: 'en-b', Title: 'kendrite two', Blob: text('kendrite beta'), ContentType: 'PLAIN_TEXT', Attributes: [{ Key: 'team', Value: { StringValue: 'blue' } }] },
          { Id: 'ja-a', Title: 'kendrite 三', Blob: text('kendrite gamma'), ContentType: 'PLAIN_TEXT', Attributes: [{ Key: '_language_code', Value: { StringValue: 'ja' } }, { Key: 'team', Value: { StringValue: 'red' } }] },
          { Id: 'de-a', Title: 'kendrite vier', Blob: text('kendrite delta'), ContentType: 'PLAIN_TEXT', Attributes: [{ Key: '_language_code', Value: { StringValue: 'de' } }, { Key: 'team', Value: { StringValue: 'red' } }] },
        ],
      }));
      assert.deepEqual(put.FailedDocuments, []);
      const query = (filter?: AttributeFilter, QueryText: string | undefined = 'kendrite') =>
        k.send(new QueryCommand({ IndexId: indexId, QueryText, AttributeFilter: filter, Facets: [{ DocumentAttributeKey: 'team' }, { DocumentAttributeKey: '_language_code' }] }));
      await waitFor('all four indexed', async () => ((await query(lang('de'))).TotalNumberOfResults === 1 && (await query(lang('ja'))).TotalNumberOfResults === 1 && (await query()).TotalNumberOfResults === 2 ? true : undefined));
      const pairs = (r: QueryCommandOutput, key: string) => r.FacetResults!.find((f) => f.DocumentAttributeKey === key)!.DocumentAttributeValueCountPairs!.map((p) => [p.DocumentAttributeValue!.StringValue, p.Count]);

      const plain = await query();
      assert.deepEqual(ids(plain), ['en-a', 'en-b']);
      assert.equal(plain.TotalNumberOfResults, 2);
      assert.deepEqual(pairs(plain, 'team'), [['blue', 1], ['red', 1]]);
      assert.deepEqual(pairs(plain, '_language_code'), [['en', 2]]);
      // Browsing without query text, and a filter that does not name the language: still English only.
      const browse = await query(undefined, undefined);
      assert.deepEqual([ids(browse), browse.TotalNumberOfResults], [['en-a', 'en-b'], 2]);
      const red = await query({ EqualsTo: { Key: 'team', Value: { StringValue: 'red' } } });
      assert.deepEqual([ids(red), red.TotalNumberOfResults], [['en-a'], 1]);
      const notJa = await query({ NotFilter: lang('ja') });
      assert.deepEqual([ids(notJa), notJa.TotalNumberOfResults], [['en-a', 'en-b'], 2]);

      const ja = await query(lang('ja'));
      assert.deepEqual([ids(ja), ja.TotalNumberOfResults], [['ja-a'], 1]);
      assert.deepEqual(pairs(ja, 'team'), [['red', 1]]);
      assert.deepEqual(pairs(ja, '_language_code'), [['ja', 1]]);
      // Inside AndAllFilters, at any depth of them, the language is chosen as well.
      const redDe = await query({ AndAllFilters: [{ EqualsTo: { Key: 'team', Value: { StringValue: 'red' } } }, { AndAllFilters: [lang('de')] }] });
      assert.deepEqual([ids(redDe), redDe.TotalNumberOfResults], [['de-a'], 1]);
      assert.deepEqual(pairs(redDe, 'team'), [['red', 1]]);

      const retrieve = (filter?: AttributeFilter) => k.send(new RetrieveCommand({ IndexId: indexId, QueryText: 'kendrite', AttributeFilter: filter }));
      assert.deepEqual(ids(await retrieve()), ['en-a', 'en-b']);
      assert.deepEqual(ids(await retrieve(lang('ja'))), ['ja-a']);
      assert.deepEqual(ids(await retrieve({ AndAllFilters: [lang('de')] })), ['de-a']);
    });

    test('a _language_code that is not a language code is refused up front, naming the attribute', async () => {
      const indexId = await activeIndex(k, 'bad-language');
      const r = await k.send(new BatchPutDocumentCommand({
        IndexId: indexId,
        Documents: [{ Id: 'x', Blob: text('x'), ContentType: 'PLAIN_TEXT', Attributes: [{ Key: '_language_code', Value: { StringValue: 'ja jp!' } }] }],
      }));
      assert.equal(r.FailedDocuments!.length, 1);
      assert.equal(r.FailedDocuments![0]!.ErrorCode, 'InvalidRequest');
      assert.match(r.FailedDocuments![0]!.ErrorMessage!, /_language_code must be a language code/);
    });

    test("a folder's documents take the data source's LanguageCode or their metadata file's; a changed LanguageCode re-indexes them", async () => {
      const folder = mkdtempSync(path.join(dir, 'folder-'));
      const de = path.join(folder, 'de.txt');
      const fr = path.join(folder, 'fr.txt');
      writeFileSync(de, 'Kendrite Anleitung');
      writeFileSync(fr, 'Kendrite mode emploi');
      writeFileSync(`${fr}.metadata.json`, JSON.stringify({ Attributes: { _language_code: 'fr' } }));
      const bad = path.join(folder, 'bad.txt');
      writeFileSync(bad, 'Kendrite');
      writeFileSync(`${bad}.metadata.json`, JSON.stringify({ Attributes: { _language_code: 'not a code' } }));
      const indexId = await activeIndex(k, 'folder-languages');
      const ds = await activeDataSource(k, { IndexId: indexId, Name: 'folder', Type: 'TEMPLATE', LanguageCode: 'de', Configuration: folderTemplate(folder) });
      const job = await syncToEnd(k, indexId, ds);
      assert.equal(job.Status, 'INCOMPLETE');
      assert.deepEqual(metrics(job), { added: '2', modified: '0', deleted: '0', failed: '1', scanned: '3' });
      const q = (code: string) => k.send(new QueryCommand({ IndexId: indexId, QueryText: 'kendrite', AttributeFilter: lang(code) }));
      assert.deepEqual(ids(await q('de')), [de]);
      assert.deepEqual(ids(await q('fr')), [fr]);
      assert.deepEqual(ids(await q('en')), []);

      await k.send(new UpdateDataSourceCommand({ IndexId: indexId, Id: ds, LanguageCode: 'es' }));
      await activeUpdated(k, indexId, ds);
      const again = await syncToEnd(k, indexId, ds);
      assert.deepEqual(metrics(again), { added: '0', modified: '1', deleted: '0', failed: '1', scanned: '3' });
      assert.deepEqual(ids(await q('es')), [de]);
      assert.deepEqual(ids(await q('de')), []);
      assert.deepEqual(ids(await q('fr')), [fr]);
    });

    test('long texts, stored packed on SQLite (the analysed German form too), are found by a word at their end and excerpted from it', async () => {
      const indexId = await activeIndex(k, 'packed-languages');
      const { Id: ds } = await k.send(new CreateDataSourceCommand({ IndexId: indexId, Name: 'custom', Type: 'CUSTOM' }));
      await activeUpdated(k, indexId, ds!);
      const de = `${'Die Häuser am Hafen stehen seit hundert Jahren. '.repeat(40)}Zuletzt kam der Zeppelin.`;
      const en = `${'The houses by the harbour have stood for a hundred years. '.repeat(40)}Last came the zeppelin.`;
      await putInJob(k, indexId, ds!, [
        { Id: 'de-long', Title: 'Hafen', Blob: text(de), ContentType: 'PLAIN_TEXT', Attributes: [{ Key: '_language_code', Value: { StringValue: 'de' } }] },
        { Id: 'en-long', Title: 'Harbour', Blob: text(en), ContentType: 'PLAIN_TEXT' },
      ]);
      for (const [code, id, body] of [['de', 'de-long', de], ['en', 'en-long', en]] as const) {
        const r = await k.send(new QueryCommand({ IndexId: indexId, QueryText: 'zeppelin', AttributeFilter: lang(code) }));
        assert.deepEqual(ids(r), [id]);
        const excerpt = r.ResultItems![0]!.DocumentExcerpt!.Text!;
        assert.ok(body.endsWith(excerpt) && /zeppelin/i.test(excerpt), excerpt);
      }
      if (store.backend === 'sqlite') {
        const forms = await storeQuery<{ id: string; body: string; search: string }>(store, "SELECT document_id AS id, typeof(body) AS body, typeof(search_body) AS search FROM documents WHERE document_id IN ('de-long', 'en-long') ORDER BY document_id");
        assert.deepEqual(forms, [{ id: 'de-long', body: 'blob', search: 'blob' }, { id: 'en-long', body: 'blob', search: 'null' }]);
      }
    });
  });
}

interface LanguageDoc {
  id: string;
  lang: string;
  title: string;
  body: string;
}

/** Documents in four languages (and English ones holding Japanese), for the judged queries below. */
const MULTILINGUAL: LanguageDoc[] = [
  { id: 'ja1', lang: 'ja', title: '会議室の予約方法', body: '東京本社の会議室は社内ポータルから予約できます。予約は二週間前から可能です。' },
  { id: 'ja2', lang: 'ja', title: 'パスワードのリセット', body: 'パスワードを忘れた場合は、ヘルプデスクに連絡してください。新しいパスワードはメールで届きます。' },
  { id: 'ja3', lang: 'ja', title: '大阪支社の案内', body: '大阪支社は駅から徒歩五分です。会議室は三つあります。' },
  { id: 'zh1', lang: 'zh', title: '北京办公室', body: '我们在北京有一个新的办公室。员工可以在周一到周五使用会议室。' },
  { id: 'zh2', lang: 'zh', title: '密码重置', body: '如果您忘记了密码，请联系技术支持。新密码将通过电子邮件发送。' },
  { id: 'de1', lang: 'de', title: 'Passwort zurücksetzen', body: 'Wenn Sie Ihr Passwort vergessen haben, können Sie es im Benutzerkonto zurücksetzen. Die Passwörter müssen zwölf Zeichen haben.' },
  { id: 'de2', lang: 'de', title: 'Häuser und Wohnungen', body: 'Die Firma vermietet Häuser in der Stadt. Jedes Haus hat einen Garten.' },
  { id: 'de3', lang: 'de', title: 'Straßenbahn', body: 'Die Straßenbahn fährt alle zehn Minuten zum Hauptbahnhof.' },
  { id: 'fr1', lang: 'fr', title: 'Réinitialiser le mot de passe', body: 'Pour réinitialiser votre mot de passe, ouvrez les paramètres du compte.' },
  { id: 'fr2', lang: 'fr', title: "L'hôpital de la ville", body: "L'hôpital est ouvert tous les jours. Les élèves visitent l'hôpital le samedi." },
  { id: 'th1', lang: 'th', title: 'ภาษาไทย', body: 'ภาษาไทยง่ายมาก' },
  { id: 'en1', lang: 'en', title: 'Tokyo office', body: 'Our Tokyo office: 東京本社の住所 is near the station. Meeting rooms are booked online.' },
  { id: 'en2', lang: 'en', title: 'Houses', body: 'The company rents houses in town.' },
];

interface JudgedInLanguage {
  name: string;
  lang: string;
  text: string;
  total: number;
  /** Results in order, as groups whose inner order is free (see test/query.test.ts). */
  ranking: string[][];
}

const JUDGED_LANGUAGES: JudgedInLanguage[] = [
  { name: 'Japanese: a word inside a sentence without spaces', lang: 'ja', text: '東京', total: 1, ranking: [['ja1']] },
  { name: 'Japanese: a katakana word in the title and the body', lang: 'ja', text: 'パスワード', total: 1, ranking: [['ja2']] },
  { name: 'Japanese: a compound the dictionary cuts in two; the title match ranks first', lang: 'ja', text: '会議室', total: 2, ranking: [['ja1'], ['ja3']] },
  { name: 'Japanese: an unspaced question, its particles left out', lang: 'ja', text: '会議室の予約', total: 2, ranking: [['ja1'], ['ja3']] },
  { name: 'Japanese: a quoted compound is a phrase', lang: 'ja', text: '"大阪支社"', total: 1, ranking: [['ja3']] },
  { name: 'Chinese: a word inside a sentence', lang: 'zh', text: '北京', total: 1, ranking: [['zh1']] },
  { name: 'Chinese: a word in the title and the body', lang: 'zh', text: '密码', total: 1, ranking: [['zh2']] },
  { name: 'Chinese: words of an unspaced query are alternatives', lang: 'zh', text: '忘记密码', total: 1, ranking: [['zh2']] },
  { name: 'German: a dative plural finds the singular and the plural (Snowball German)', lang: 'de', text: 'Passwörtern', total: 1, ranking: [['de1']] },
  { name: 'German: a dative plural with umlaut finds Haus and Häuser', lang: 'de', text: 'Häusern', total: 1, ranking: [['de2']] },
  { name: 'German: ss finds ß', lang: 'de', text: 'Strassenbahn', total: 1, ranking: [['de3']] },
  { name: 'German: a compound is found whole', lang: 'de', text: 'Benutzerkonto', total: 1, ranking: [['de1']] },
  { name: 'French: accents folded, hopital finds hôpital', lang: 'fr', text: 'hopital', total: 1, ranking: [['fr2']] },
  { name: 'French: a participle finds the verb (Snowball French)', lang: 'fr', text: 'réinitialisé', total: 1, ranking: [['fr1']] },
  { name: 'French: a plural without accents finds the accented plural', lang: 'fr', text: 'eleves', total: 1, ranking: [['fr2']] },
  { name: 'French: stop words alone find nothing', lang: 'fr', text: 'le de la', total: 0, ranking: [] },
  { name: 'Thai: a word inside a run without spaces', lang: 'th', text: 'ไทย', total: 1, ranking: [['th1']] },
  { name: 'English: Japanese inside an English document is cut into words too', lang: 'en', text: '東京', total: 1, ranking: [['en1']] },
  { name: 'English: the English stemmer, in English documents only', lang: 'en', text: 'house', total: 1, ranking: [['en2']] },
];

for (const backend of backends()) {
  describeOrSkip(`Judged queries in Japanese, Chinese, German, French and Thai [${backend.name}]`, { skip: backend.skip }, () => {
    let store: TestStore;
    let server: TestServer;
    let k: KendraClient;
    let indexId: string;
    before(async () => {
      store = await TestStore.create(backend.name);
      server = await TestServer.start(store);
      k = server.client();
      indexId = await activeIndex(k, 'multilingual');
      // Chinese through a data source's LanguageCode, the others through the document's own attribute.
      const { Id: zh } = await k.send(new CreateDataSourceCommand({ IndexId: indexId, Name: 'zh', Type: 'CUSTOM', LanguageCode: 'zh' }));
      await activeUpdated(k, indexId, zh!);
      await putInJob(k, indexId, zh!, MULTILINGUAL.filter((d) => d.lang === 'zh').map((d) => ({ Id: d.id, Title: d.title, Blob: text(d.body), ContentType: 'PLAIN_TEXT' })));
      const others = MULTILINGUAL.filter((d) => d.lang !== 'zh');
      for (let i = 0; i < others.length; i += 10) {
        const r = await k.send(new BatchPutDocumentCommand({
          IndexId: indexId,
          Documents: others.slice(i, i + 10).map((d) => ({ Id: d.id, Title: d.title, Blob: text(d.body), ContentType: 'PLAIN_TEXT', Attributes: [{ Key: '_language_code', Value: { StringValue: d.lang } }] })),
        }));
        assert.deepEqual(r.FailedDocuments, []);
      }
      const count = async (code: string) => (await k.send(new QueryCommand({ IndexId: indexId, AttributeFilter: lang(code) }))).TotalNumberOfResults;
      await waitFor('every document indexed', async () => {
        for (const code of ['ja', 'zh', 'de', 'fr', 'th', 'en']) if ((await count(code)) !== MULTILINGUAL.filter((d) => d.lang === code).length) return undefined;
        return true;
      });
    });
    after(async () => {
      await server?.stop();
      await store?.destroy();
    });

    for (const [n, j] of JUDGED_LANGUAGES.entries()) {
      test(`judged ${n + 1}: ${j.name}`, async () => {
        const r = await k.send(new QueryCommand({ IndexId: indexId, QueryText: j.text, AttributeFilter: lang(j.lang), PageSize: 100 }));
        assert.equal(r.TotalNumberOfResults, j.total);
        const got = r.ResultItems!.map((i) => i.DocumentId!);
        assert.equal(got.length, j.ranking.flat().length);
        let at = 0;
        for (const group of j.ranking) {
          assert.deepEqual(got.slice(at, at + group.length).sort(), [...group].sort(), `results ${at + 1}..${at + group.length} of ${JSON.stringify(got)}`);
          at += group.length;
        }
      });
    }

    test('a query in one language never finds documents of another, even sharing its script', async () => {
      // 会议室 (Chinese) and 会議室 (Japanese) share 室; 東京 is in a Japanese and an English document.
      assert.deepEqual(ids(await k.send(new QueryCommand({ IndexId: indexId, QueryText: '東京', AttributeFilter: lang('zh') }))), []);
      assert.deepEqual(ids(await k.send(new QueryCommand({ IndexId: indexId, QueryText: 'Häuser', AttributeFilter: lang('en') }))), []);
      assert.deepEqual(ids(await k.send(new QueryCommand({ IndexId: indexId, QueryText: '東京' }))), ['en1']);
    });

    test('highlights point at the original characters: a Japanese word, a folded French word, a stemmed German word', async () => {
      const slices = (t: { Text?: string; Highlights?: { BeginOffset?: number; EndOffset?: number }[] }) => t.Highlights!.map((h) => t.Text!.slice(h.BeginOffset, h.EndOffset));
      const ja = (await k.send(new QueryCommand({ IndexId: indexId, QueryText: '予約', AttributeFilter: lang('ja') }))).ResultItems![0]!;
      // The excerpt is a window of the body, six words (here: dictionary words) before the first match.
      assert.equal(ja.DocumentExcerpt!.Text, '室は社内ポータルから予約できます。予約は二週間前から可能です。');
      assert.deepEqual(slices(ja.DocumentExcerpt!), ['予約', '予約']);
      assert.deepEqual(slices(ja.DocumentTitle!), ['予約']);
      const fr = (await k.send(new QueryCommand({ IndexId: indexId, QueryText: 'hopital', AttributeFilter: lang('fr') }))).ResultItems![0]!;
      assert.deepEqual(slices(fr.DocumentTitle!), ['hôpital']);
      assert.deepEqual(slices(fr.DocumentExcerpt!), ['hôpital', 'hôpital']);
      const de = (await k.send(new QueryCommand({ IndexId: indexId, QueryText: 'Haus', AttributeFilter: lang('de') }))).ResultItems![0]!;
      assert.deepEqual(slices(de.DocumentTitle!), ['Häuser']);
      assert.deepEqual(slices(de.DocumentExcerpt!), ['Häuser', 'Haus']);
      const en = (await k.send(new QueryCommand({ IndexId: indexId, QueryText: '東京' }))).ResultItems![0]!;
      assert.deepEqual(slices(en.DocumentExcerpt!), ['東京']);
    });

    test('Retrieve finds the passages of a language by a word inside them', async () => {
      const ja = await k.send(new RetrieveCommand({ IndexId: indexId, QueryText: '徒歩', AttributeFilter: lang('ja') }));
      assert.deepEqual(ja.ResultItems!.map((i) => [i.DocumentId, i.Content]), [['ja3', MULTILINGUAL[2]!.body]]);
      const fr = await k.send(new RetrieveCommand({ IndexId: indexId, QueryText: 'parametres', AttributeFilter: lang('fr') }));
      assert.deepEqual(fr.ResultItems!.map((i) => i.DocumentId), ['fr1']);
      const zh = await k.send(new RetrieveCommand({ IndexId: indexId, QueryText: '电子邮件', AttributeFilter: lang('zh') }));
      assert.deepEqual(zh.ResultItems!.map((i) => i.DocumentId), ['zh2']);
    });
  });
}

/** A data dir as kendrite left it before languages: schema version 1, filled straight with rows. */
async function versionOneStore(store: TestStore, rows: { sql: string; params: unknown[] }[]): Promise<void> {
  const versionOne = (store.backend === 'sqlite' ? SQLITE_MIGRATIONS : POSTGRES_MIGRATIONS)[0]!.filter((s): s is string => typeof s === 'string');
  const statements = [...versionOne,
    'CREATE TABLE kendrite_migrations (version INTEGER PRIMARY KEY, applied_at BIGINT NOT NULL)', 'INSERT INTO kendrite_migrations VALUES (1, 0)'];
  if (store.backend === 'sqlite') {
    const db = new BetterSqlite3(path.join(store.dataDir, 'kendrite.db'));
    db.pragma('journal_mode = WAL');
    db.transaction(() => {
      for (const s of statements) db.exec(s);
      for (const r of rows) db.prepare(r.sql).run(...(r.params as unknown[]));
    })();
    db.close();
    return;
  }
  const client = new pg.Client({ connectionString: store.databaseUrl });
  await client.connect();
  try {
    for (const s of statements) await client.query(s);
    for (const r of rows) {
      let n = 0;
      await client.query(r.sql.replace(/\?/g, () => `$${++n}`), r.params);
    }
  } finally {
    await client.end();
  }
}

const INDEX_ID = '11111111-1111-4111-8111-111111111111';
const DE_SOURCE = '22222222-2222-4222-8222-222222222222';

function seedRow(id: string, title: string, body: string, attributes: object[], dataSourceId: string | null = null) {
  return {
    sql: `INSERT INTO documents (index_id, document_id, data_source_id, title, body, content_type, attributes, source_uri, version, content_hash, status,
      failure_reason, text_bytes, applied_seq, seen_by, created_at, updated_at) VALUES (?, ?, ?, ?, ?, 'PLAIN_TEXT', ?, NULL, NULL, 'h', 'INDEXED', NULL, ?, 0, NULL, 0, 0)`,
    params: [INDEX_ID, id, dataSourceId, title, body, JSON.stringify(attributes), Buffer.byteLength(body)],
  };
}

function seedPassage(id: string, title: string, content: string) {
  return {
    sql: `INSERT INTO document_passages (doc_key, ordinal, title, content) SELECT doc_key, 0, ?, ? FROM documents WHERE document_id = ?`,
    params: [title, content, id],
  };
}

for (const backend of backends()) {
  describeOrSkip(`Languages in a data dir from before them: the migration moves it in place [${backend.name}]`, { skip: backend.skip }, () => {
    let store: TestStore;
    let server: TestServer;
    let k: KendraClient;
    before(async () => {
      store = await TestStore.create(backend.name);
      await versionOneStore(store, [
        {
          sql: `INSERT INTO indices (id, account_id, region, name, edition, role_arn, description, status, error_message, settings, created_at, updated_at, transition_at)
            VALUES (?, '000000000000', 'us-east-1', 'old', 'DEVELOPER_EDITION', 'arn:aws:iam::000000000000:role/kendra', NULL, 'ACTIVE', NULL, '{}', 0, 0, NULL)`,
          params: [INDEX_ID],
        },
        {
          sql: `INSERT INTO data_sources (id, index_id, account_id, region, name, type, configuration, vpc_configuration, enrichment_configuration, description, schedule,
            role_arn, language_code, status, error_message, created_at, updated_at, transition_at, next_run_at)
            VALUES (?, ?, '000000000000', 'us-east-1', 'de', 'CUSTOM', NULL, NULL, NULL, NULL, NULL, NULL, 'de', 'ACTIVE', NULL, 0, 0, NULL, NULL)`,
          params: [DE_SOURCE, INDEX_ID],
        },
        seedRow('plain', 'kendrite upgrade', 'kendrite upgrade notes', [{ Key: 'team', Value: { StringValue: 'ops' } }]),
        seedRow('tagged', 'kendrite tagged', 'kendrite tagged notes', [{ Key: '_language_code', Value: { StringValue: 'ja' } }]),
        seedRow('sourced', 'kendrite Anleitung', 'kendrite Anleitung', [{ Key: '_data_source_id', Value: { StringValue: DE_SOURCE } }], DE_SOURCE),
        seedRow('jp-old', '会議室の案内', '東京本社の会議室は社内ポータルから予約できます。', [{ Key: '_language_code', Value: { StringValue: 'ja' } }]),
        seedRow('en-cjk', 'Tokyo office', 'Our Tokyo office: 東京本社の住所.', []),
        seedPassage('jp-old', '会議室の案内', '東京本社の会議室は社内ポータルから予約できます。'),
        seedPassage('en-cjk', 'Tokyo office', 'Our Tokyo office: 東京本社の住所.'),
      ]);
      server = await TestServer.start(store);
      k = server.client();
    });
    after(async () => {
      await server?.stop();
      await store?.destroy();
    });

    test('every stored document gets its language: its attribute, else its data source’s, else en', async () => {
      const q = (filter?: AttributeFilter) => k.send(new QueryCommand({ IndexId: INDEX_ID, QueryText: 'kendrite', AttributeFilter: filter, Facets: [{ DocumentAttributeKey: '_language_code' }] }));
      const ja = await q(lang('ja'));
      assert.deepEqual(ids(ja), ['tagged']);
      assert.deepEqual(attr(ja, 'tagged', '_language_code'), { StringValue: 'ja' });
      assert.deepEqual(ids(await q(lang('de'))), ['sourced']);
      const en = await q(lang('en'));
      assert.deepEqual(ids(en), ['plain']);
      assert.deepEqual(attr(en, 'plain', '_language_code'), { StringValue: 'en' });
      assert.deepEqual(attr(en, 'plain', 'team'), { StringValue: 'ops' });
      assert.deepEqual(en.FacetResults![0]!.DocumentAttributeValueCountPairs, [{ DocumentAttributeValue: { StringValue: 'en' }, Count: 1 }]);
    });

    test('stored Japanese text is re-analysed in place: a word inside it is found, in its language only, and its passages too', async () => {
      const q = (text: string, filter?: AttributeFilter) => k.send(new QueryCommand({ IndexId: INDEX_ID, QueryText: text, AttributeFilter: filter }));
      assert.deepEqual(ids(await q('東京', lang('ja'))), ['jp-old']);
      assert.deepEqual(ids(await q('予約', lang('ja'))), ['jp-old']);
      assert.deepEqual(ids(await q('東京')), ['en-cjk']);
      assert.deepEqual(ids(await q('kendrite', lang('ja'))), ['tagged']);
      const passages = await k.send(new RetrieveCommand({ IndexId: INDEX_ID, QueryText: '会議', AttributeFilter: lang('ja') }));
      assert.deepEqual(passages.ResultItems!.map((i) => i.DocumentId), ['jp-old']);
      assert.deepEqual(ids(await k.send(new RetrieveCommand({ IndexId: INDEX_ID, QueryText: '住所' }))), ['en-cjk']);
    });
  });
}
