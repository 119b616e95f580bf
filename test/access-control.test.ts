import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import {
  BatchGetDocumentStatusCommand,
  BatchPutDocumentCommand,
  QueryCommand,
  RetrieveCommand,
  type Document,
  type KendraClient,
  type UserContext,
} from '@aws-sdk/client-kendra';
import { accessLevels, callerKeys, mayView, type AccessLists, type Principal } from '../src/domain/access.js';
import { putIndexed, visibleIds } from './support/acl.js';
import { activeCustomDataSource, activeIndex, rejectsWith } from './support/kendra.js';
import { backends, describeOrSkip, TestServer, TestStore } from './support/server.js';

const allow = (Type: 'USER' | 'GROUP', Name: string, DataSourceId?: string): Principal => ({ Type, Name, Access: 'ALLOW', ...(DataSourceId ? { DataSourceId } : {}) });
const deny = (Type: 'USER' | 'GROUP', Name: string): Principal => ({ Type, Name, Access: 'DENY' });

/** The developer guide's cases: who may see a document, by its access lists. */
interface Spec extends AccessLists {
  id: string;
  dept: string;
  /** The custom data source the document belongs to (data source groups count only there). */
  inSource?: boolean;
}
const DOCS: Spec[] = [
  { id: 'public', dept: 'all' },
  { id: 'alice-only', dept: 'eng', AccessControlList: [allow('USER', 'alice')] },
  { id: 'hr', dept: 'hr', AccessControlList: [allow('GROUP', 'hr')] },
  { id: 'hr-not-bob', dept: 'hr', AccessControlList: [allow('GROUP', 'hr'), deny('USER', 'bob')] },
  { id: 'deny-only', dept: 'all', AccessControlList: [deny('GROUP', 'contractors')] },
  { id: 'hier', dept: 'eng', HierarchicalAccessControlList: [{ PrincipalList: [allow('GROUP', 'eng')] }, { PrincipalList: [allow('USER', 'carol'), allow('GROUP', 'leads')] }] },
  { id: 'hier-deny', dept: 'eng', HierarchicalAccessControlList: [{ PrincipalList: [allow('GROUP', 'eng')] }, { PrincipalList: [deny('GROUP', 'interns'), allow('GROUP', 'eng')] }] },
  { id: 'flat-and-hier', dept: 'eng', AccessControlList: [allow('USER', 'gina')], HierarchicalAccessControlList: [{ PrincipalList: [allow('GROUP', 'eng')] }] },
  { id: 'sales-ds', dept: 'sales', inSource: true, AccessControlList: [allow('GROUP', 'sales')] },
];

const FILLER = Array.from({ length: 1999 }, (_, i) => `filler-${i}`);

/** (who asks) → what they see: the worked examples, as a table. */
const TABLE: { who: string; uc?: (ds: string) => UserContext; sees: string[] }[] = [
  { who: 'no user context', sees: ['public'] },
  { who: 'alice, no groups', uc: () => ({ UserId: 'alice' }), sees: ['alice-only', 'public'] },
  { who: 'bob in hr: denied by name beats allowed by group', uc: () => ({ UserId: 'bob', Groups: ['hr'] }), sees: ['hr', 'public'] },
  { who: 'dave in hr', uc: () => ({ UserId: 'dave', Groups: ['hr'] }), sees: ['hr', 'hr-not-bob', 'public'] },
  { who: 'a contractor: a deny-only list allows nobody', uc: () => ({ UserId: 'zed', Groups: ['contractors'] }), sees: ['public'] },
  { who: 'carol in eng: allowed at both levels', uc: () => ({ UserId: 'carol', Groups: ['eng'] }), sees: ['hier', 'hier-deny', 'public'] },
  { who: 'erin in eng: not allowed at the second level of hier', uc: () => ({ UserId: 'erin', Groups: ['eng'] }), sees: ['hier-deny', 'public'] },
  { who: 'frank in eng and interns: denied at a level', uc: () => ({ UserId: 'frank', Groups: ['eng', 'interns'] }), sees: ['public'] },
  { who: 'gina in eng and leads', uc: () => ({ UserId: 'gina', Groups: ['eng', 'leads'] }), sees: ['flat-and-hier', 'hier', 'hier-deny', 'public'] },
  { who: 'groups only, no user id', uc: () => ({ Groups: ['hr'] }), sees: ['hr', 'hr-not-bob', 'public'] },
  { who: 'sales as a group everywhere', uc: () => ({ UserId: 'sam', Groups: ['sales'] }), sees: ['public', 'sales-ds'] },
  { who: 'sales as a group of the document\'s data source', uc: (ds) => ({ UserId: 'sam', DataSourceGroups: [{ GroupId: 'sales', DataSourceId: ds }] }), sees: ['public', 'sales-ds'] },
  { who: 'sales as a group of another data source', uc: () => ({ UserId: 'sam', DataSourceGroups: [{ GroupId: 'sales', DataSourceId: 'other-source' }] }), sees: ['public'] },
  { who: 'a group named like a user is not that user', uc: () => ({ Groups: ['alice'] }), sees: ['public'] },
  // Past 128 keys the engines test membership differently (SQLite: a Set lookup instead of an IN list).
  { who: 'dave in hr among 2,000 groups', uc: () => ({ UserId: 'dave', Groups: [...FILLER, 'hr'] }), sees: ['hr', 'hr-not-bob', 'public'] },
  { who: 'bob in hr among 2,000 groups', uc: () => ({ UserId: 'bob', Groups: ['hr', ...FILLER] }), sees: ['hr', 'public'] },
  { who: '2,000 groups, none of them allowed', uc: () => ({ UserId: 'zed', Groups: FILLER }), sees: ['public'] },
];

const asDocument = (d: Spec, ds: string): Document => ({
  Id: d.id, Title: `Handbook ${d.id}`, ContentType: 'PLAIN_TEXT',
  Blob: Buffer.from(`The handbook chapter ${d.id} about policy.`),
  Attributes: [{ Key: 'dept', Value: { StringValue: d.dept } }, ...(d.inSource ? [{ Key: '_data_source_id', Value: { StringValue: ds } }] : [])],
  AccessControlList: d.AccessControlList, HierarchicalAccessControlList: d.HierarchicalAccessControlList,
});

/** What the pure rules say the caller sees. */
function expected(docs: Spec[], uc: UserContext | undefined, ds: string): string[] {
  const keys = new Set(uc ? callerKeys({ userId: uc.UserId, groups: uc.Groups ?? [], dataSourceGroups: (uc.DataSourceGroups ?? []) as never }) : []);
  return docs.filter((d) => mayView(accessLevels(d), d.inSource ? ds : null, keys)).map((d) => d.id).sort();
}

/** A small deterministic PRNG (mulberry32), so a failing case can be replayed from its seed. */
function prng(seed: number): () => number {
  return () => {
    seed = (seed + 0x6d2b79f5) | 0;
    let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

for (const backend of backends()) {
  describeOrSkip(`access control: document ACLs enforced in Query and Retrieve [${backend.name}]`, { skip: backend.skip }, () => {
    let store: TestStore;
    let server: TestServer;
    let k: KendraClient;
    let indexId: string;
    let ds: string;

    before(async () => {
      store = await TestStore.create(backend.name);
      server = await TestServer.start(store);
      k = server.client();
      indexId = await activeIndex(k, 'acl');
      ds = await activeCustomDataSource(k, indexId);
      await putIndexed(k, indexId, DOCS.map((d) => asDocument(d, ds)));
    });
    after(async () => {
      await server?.stop();
      await store?.destroy();
    });

    for (const row of TABLE) {
      test(`worked example: ${row.who}`, async () => {
        const uc = row.uc?.(ds);
        assert.deepEqual(expected(DOCS, uc, ds), row.sees, 'the pure rules agree with the table');
        const browse = await visibleIds(k, indexId, uc);
        assert.deepEqual(browse.ids, row.sees);
        assert.equal(browse.total, row.sees.length);
        const searched = await visibleIds(k, indexId, uc, 'handbook policy');
        assert.deepEqual(searched.ids, row.sees);
        assert.equal(searched.total, row.sees.length);
        const passages = await k.send(new RetrieveCommand({ IndexId: indexId, QueryText: 'handbook', UserContext: uc, PageSize: 100 }));
        assert.deepEqual(passages.ResultItems!.map((i) => i.DocumentId).sort(), row.sees);
      });
    }

    test('facet counts, totals and pages count only what the caller may see', async () => {
      const uc = { UserId: 'dave', Groups: ['hr'] };
      const r = await k.send(new QueryCommand({ IndexId: indexId, QueryText: 'handbook', UserContext: uc, PageSize: 1, Facets: [{ DocumentAttributeKey: 'dept' }] }));
      assert.equal(r.TotalNumberOfResults, 3);
      const pairs = r.FacetResults![0]!.DocumentAttributeValueCountPairs!.map((p) => [p.DocumentAttributeValue!.StringValue, p.Count]);
      assert.deepEqual(pairs, [['hr', 2], ['all', 1]]);
      const pages = [];
      for (let page = 1; page <= 4; page++) {
        const p = await k.send(new QueryCommand({ IndexId: indexId, QueryText: 'handbook', UserContext: uc, PageSize: 1, PageNumber: page }));
        assert.equal(p.TotalNumberOfResults, 3);
        pages.push(...p.ResultItems!.map((i) => i.DocumentId));
      }
      assert.deepEqual(pages.sort(), ['hr', 'hr-not-bob', 'public']);
      // A facet over every key of the index, for nobody: the public document's value only.
      const anon = await k.send(new QueryCommand({ IndexId: indexId, Facets: [{ DocumentAttributeKey: 'dept' }] }));
      assert.equal(anon.TotalNumberOfResults, 1);
      assert.deepEqual(anon.FacetResults![0]!.DocumentAttributeValueCountPairs!.map((p) => [p.DocumentAttributeValue!.StringValue, p.Count]), [['all', 1]]);
      // A filter on a hidden document's attribute finds nothing, and says so with a zero.
      const hidden = await k.send(new QueryCommand({ IndexId: indexId, AttributeFilter: { EqualsTo: { Key: 'dept', Value: { StringValue: 'sales' } } } }));
      assert.equal(hidden.TotalNumberOfResults, 0);
      assert.equal(hidden.ResultItems!.length, 0);
    });

    test('BatchGetDocumentStatus is an operator view: every document, whatever its access list', async () => {
      const r = await k.send(new BatchGetDocumentStatusCommand({ IndexId: indexId, DocumentInfoList: DOCS.map((d) => ({ DocumentId: d.id })) }));
      assert.deepEqual(r.DocumentStatusList!.map((s) => s.DocumentStatus), DOCS.map(() => 'INDEXED'));
    });

    test('a changed access list applies at once; an unchanged document keeps its list', async () => {
      await putIndexed(k, indexId, [{ ...asDocument(DOCS[1]!, ds), Id: 'moving', AccessControlList: [allow('USER', 'alice')] }]);
      assert.ok((await visibleIds(k, indexId, { UserId: 'alice' })).ids.includes('moving'));
      await putIndexed(k, indexId, [{ ...asDocument(DOCS[1]!, ds), Id: 'moving', AccessControlList: [allow('USER', 'bob')] }]);
      assert.ok(!(await visibleIds(k, indexId, { UserId: 'alice' })).ids.includes('moving'));
      assert.ok((await visibleIds(k, indexId, { UserId: 'bob' })).ids.includes('moving'));
      // The same list again: still bob's only.
      await putIndexed(k, indexId, [{ ...asDocument(DOCS[1]!, ds), Id: 'moving', AccessControlList: [allow('USER', 'bob')] }]);
      assert.ok(!(await visibleIds(k, indexId, { UserId: 'alice' })).ids.includes('moving'));
      // No list: public again.
      await putIndexed(k, indexId, [{ ...asDocument(DOCS[1]!, ds), Id: 'moving', AccessControlList: undefined }]);
      assert.ok((await visibleIds(k, indexId)).ids.includes('moving'));
    });

    test('bad access lists and user contexts are refused with ValidationException', async () => {
      await rejectsWith(k.send(new BatchPutDocumentCommand({
        IndexId: indexId,
        Documents: [{ Id: 'bad-acl', Blob: Buffer.from('x'), ContentType: 'PLAIN_TEXT', AccessControlList: [{ Name: 'x', Type: 'ROLE' as never, Access: 'ALLOW' }] }],
      })), 'ValidationException');
      await rejectsWith(k.send(new QueryCommand({ IndexId: indexId, UserContext: { Token: 't', UserId: 'alice' } })), 'ValidationException');
      // A token with no token configuration on the index cannot be verified: refused, not a public search.
      await rejectsWith(k.send(new QueryCommand({ IndexId: indexId, UserContext: { Token: 'eyJ.e30.x' } })), 'ValidationException');
    });
  });

  describeOrSkip(`access control: random lists and users agree with the rules [${backend.name}]`, { skip: backend.skip }, () => {
    let store: TestStore;
    let server: TestServer;
    let k: KendraClient;
    let indexId: string;
    const seed = Number(process.env.KENDRITE_ACL_SEED ?? 20261204);
    const rand = prng(seed);
    const pick = <T>(xs: T[]): T => xs[Math.floor(rand() * xs.length)]!;
    const USERS = ['u1', 'u2', 'u3', 'u4', 'u5'];
    const GROUPS = ['g1', 'g2', 'g3', 'g4', 'g5', 'g6'];
    const principal = (): Principal => (rand() < 0.4 ? { Type: 'USER', Name: pick(USERS), Access: rand() < 0.25 ? 'DENY' : 'ALLOW' } : { Type: 'GROUP', Name: pick(GROUPS), Access: rand() < 0.25 ? 'DENY' : 'ALLOW' });
    const list = () => Array.from({ length: 1 + Math.floor(rand() * 3) }, principal);
    const docs: Spec[] = Array.from({ length: 60 }, (_, i) => {
      const shape = rand();
      return {
        id: `r${String(i).padStart(2, '0')}`, dept: pick(['a', 'b', 'c']),
        ...(shape < 0.15 ? {} : shape < 0.6 ? { AccessControlList: list() } : { HierarchicalAccessControlList: Array.from({ length: 1 + Math.floor(rand() * 3) }, () => ({ PrincipalList: list() })) }),
      };
    });
    const users: UserContext[] = Array.from({ length: 40 }, () => ({
      ...(rand() < 0.8 ? { UserId: pick(USERS) } : {}),
      ...(rand() < 0.8 ? { Groups: [...new Set(Array.from({ length: 1 + Math.floor(rand() * 3) }, () => pick(GROUPS)))] } : {}),
    }));

    before(async () => {
      store = await TestStore.create(backend.name);
      server = await TestServer.start(store);
      k = server.client();
      indexId = await activeIndex(k, 'acl-random');
      await putIndexed(k, indexId, docs.map((d) => asDocument(d, '')));
    });
    after(async () => {
      await server?.stop();
      await store?.destroy();
    });

    test(`seed ${seed}: Query returns exactly the documents the rules allow, for every user`, async () => {
      let nonTrivial = 0;
      for (const uc of [undefined, ...users]) {
        const want = expected(docs, uc, '');
        if (want.length > 1 && want.length < docs.length) nonTrivial++;
        const got = await visibleIds(k, indexId, uc, 'handbook');
        assert.deepEqual(got.ids, want, `user context ${JSON.stringify(uc)}`);
        assert.equal(got.total, want.length);
      }
      // The random cases must exercise the rules, not only "everything" or "only public".
      assert.ok(nonTrivial >= 20, `only ${nonTrivial} users see a strict, non-empty part`);
    });
  });
}
