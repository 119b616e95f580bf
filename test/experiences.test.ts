import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import {
  AssociateEntitiesToExperienceCommand,
  AssociatePersonasToEntitiesCommand,
  CreateExperienceCommand,
  DeleteExperienceCommand,
  DescribeExperienceCommand,
  DisassociateEntitiesFromExperienceCommand,
  DisassociatePersonasFromEntitiesCommand,
  ListEntityPersonasCommand,
  ListExperienceEntitiesCommand,
  ListExperiencesCommand,
  UpdateExperienceCommand,
  type KendraClient,
} from '@aws-sdk/client-kendra';
import { activeCustomDataSource, activeIndex, rejectsWith } from './support/kendra.js';
import { boto3Skip, runBoto3 } from './support/boto3Script.js';
import { backends, describeOrSkip, TestServer, TestStore, waitFor } from './support/server.js';

const USER = '11111111-1111-1111-1111-111111111111';
const GROUP = '22222222-2222-2222-2222-222222222222';
const OTHER = '33333333-3333-3333-3333-333333333333';
const UNKNOWN = '00000000-0000-0000-0000-000000000000';

for (const backend of backends()) {
  describeOrSkip(`experiences [${backend.name}]`, { skip: backend.skip }, () => {
    let store: TestStore;
    let server: TestServer;
    let k: KendraClient;
    let indexId: string;
    const describe = (Id: string) => k.send(new DescribeExperienceCommand({ Id, IndexId: indexId }));
    const active = (Id: string) => waitFor(`experience ${Id} ACTIVE`, async () => ((await describe(Id)).Status === 'ACTIVE' ? true : undefined));

    before(async () => {
      store = await TestStore.create(backend.name);
      server = await TestServer.start(store);
      k = server.client();
      indexId = await activeIndex(k, 'experiences');
    });
    after(async () => {
      await server?.stop();
      await store?.destroy();
    });

    test('an experience is CREATING, then ACTIVE; its endpoint is its console page; updates keep what they do not name', async () => {
      const dsId = await activeCustomDataSource(k, indexId, 'handbook');
      const { Id } = await k.send(new CreateExperienceCommand({
        IndexId: indexId, Name: 'help-desk', Description: 'For the help desk',
        Configuration: { ContentSourceConfiguration: { DataSourceIds: [dsId] }, UserIdentityConfiguration: { IdentityAttributeName: 'email' } },
      }));
      const first = await describe(Id!);
      assert.equal(first.Status, 'CREATING');
      await active(Id!);
      const d = await describe(Id!);
      assert.equal(d.Id, Id);
      assert.equal(d.IndexId, indexId);
      assert.equal(d.Name, 'help-desk');
      assert.equal(d.Description, 'For the help desk');
      assert.deepEqual(d.Endpoints, [{ EndpointType: 'HOME', Endpoint: `${server.url}/console/experiences/${Id}` }]);
      assert.deepEqual(d.Configuration, { ContentSourceConfiguration: { DataSourceIds: [dsId] }, UserIdentityConfiguration: { IdentityAttributeName: 'email' } });
      assert.ok(d.CreatedAt instanceof Date && d.UpdatedAt instanceof Date);

      await k.send(new UpdateExperienceCommand({ Id, IndexId: indexId, Name: 'renamed', Configuration: { ContentSourceConfiguration: { DirectPutContent: true } } }));
      const u = await describe(Id!);
      assert.equal(u.Name, 'renamed');
      assert.equal(u.Description, 'For the help desk');
      assert.deepEqual(u.Configuration, { ContentSourceConfiguration: { DirectPutContent: true }, UserIdentityConfiguration: { IdentityAttributeName: 'email' } });

      const list = await k.send(new ListExperiencesCommand({ IndexId: indexId }));
      const mine = list.SummaryItems!.filter((s) => s.Id === Id);
      assert.equal(mine.length, 1);
      assert.equal(mine[0]!.Name, 'renamed');
      assert.equal(mine[0]!.Status, 'ACTIVE');
      assert.deepEqual(mine[0]!.Endpoints, d.Endpoints);

      await k.send(new DeleteExperienceCommand({ Id, IndexId: indexId }));
      assert.equal((await describe(Id!)).Status, 'DELETING');
      await rejectsWith(k.send(new DeleteExperienceCommand({ Id, IndexId: indexId })), 'ConflictException');
      await rejectsWith(k.send(new UpdateExperienceCommand({ Id, IndexId: indexId, Name: 'late' })), 'ConflictException');
      await waitFor('experience gone', async () => {
        try {
          await describe(Id!);
          return undefined;
        } catch (e) {
          return (e as Error).name === 'ResourceNotFoundException' ? true : undefined;
        }
      });
      assert.equal((await k.send(new ListExperiencesCommand({ IndexId: indexId }))).SummaryItems!.filter((s) => s.Id === Id).length, 0);
    });

    test('entities and personas: failures are listed per entity, the rest applied', async () => {
      const { Id } = await k.send(new CreateExperienceCommand({ IndexId: indexId, Name: 'people' }));
      // Entities cannot be given while the experience is being created.
      await rejectsWith(k.send(new AssociateEntitiesToExperienceCommand({ Id, IndexId: indexId, EntityList: [{ EntityId: USER, EntityType: 'USER' }] })), 'ConflictException');
      await active(Id!);
      const a = await k.send(new AssociateEntitiesToExperienceCommand({
        Id, IndexId: indexId, EntityList: [{ EntityId: USER, EntityType: 'USER' }, { EntityId: GROUP, EntityType: 'GROUP' }, { EntityId: USER, EntityType: 'USER' }],
      }));
      assert.deepEqual(a.FailedEntityList!.map((f) => f.EntityId), [USER]);
      const entities = await k.send(new ListExperienceEntitiesCommand({ Id, IndexId: indexId }));
      assert.deepEqual(entities.SummaryItems, [
        { EntityId: USER, EntityType: 'USER', DisplayData: { UserName: USER } },
        { EntityId: GROUP, EntityType: 'GROUP', DisplayData: { GroupName: GROUP } },
      ].sort((x, y) => x.EntityId.localeCompare(y.EntityId)));
      assert.equal(entities.NextToken, undefined);

      const p = await k.send(new AssociatePersonasToEntitiesCommand({ Id, IndexId: indexId, Personas: [{ EntityId: USER, Persona: 'OWNER' }, { EntityId: GROUP, Persona: 'VIEWER' }, { EntityId: OTHER, Persona: 'VIEWER' }] }));
      assert.deepEqual(p.FailedEntityList!.map((f) => f.EntityId), [OTHER]);
      const personas = await k.send(new ListEntityPersonasCommand({ Id, IndexId: indexId, MaxResults: 1 }));
      assert.deepEqual(personas.SummaryItems!.map((s) => [s.EntityId, s.Persona]), [[USER, 'OWNER']]);
      const next = await k.send(new ListEntityPersonasCommand({ Id, IndexId: indexId, MaxResults: 1, NextToken: personas.NextToken }));
      assert.deepEqual(next.SummaryItems!.map((s) => [s.EntityId, s.Persona]), [[GROUP, 'VIEWER']]);
      assert.equal(next.NextToken, undefined);
      // A persona changed in place.
      await k.send(new AssociatePersonasToEntitiesCommand({ Id, IndexId: indexId, Personas: [{ EntityId: GROUP, Persona: 'OWNER' }] }));
      assert.deepEqual((await k.send(new ListEntityPersonasCommand({ Id, IndexId: indexId }))).SummaryItems!.map((s) => [s.EntityId, s.Persona]), [[USER, 'OWNER'], [GROUP, 'OWNER']]);

      const dp = await k.send(new DisassociatePersonasFromEntitiesCommand({ Id, IndexId: indexId, EntityIds: [GROUP, OTHER] }));
      assert.deepEqual(dp.FailedEntityList!.map((f) => f.EntityId), [OTHER]);
      assert.deepEqual((await k.send(new ListEntityPersonasCommand({ Id, IndexId: indexId }))).SummaryItems!.map((s) => s.EntityId), [USER]);

      const de = await k.send(new DisassociateEntitiesFromExperienceCommand({ Id, IndexId: indexId, EntityList: [{ EntityId: USER, EntityType: 'USER' }, { EntityId: GROUP, EntityType: 'USER' }] }));
      assert.deepEqual(de.FailedEntityList!.map((f) => f.EntityId), [GROUP]);
      assert.deepEqual((await k.send(new ListExperienceEntitiesCommand({ Id, IndexId: indexId }))).SummaryItems!.map((s) => s.EntityId), [GROUP]);
      assert.deepEqual((await k.send(new ListEntityPersonasCommand({ Id, IndexId: indexId }))).SummaryItems, []);
      const ok = await k.send(new DisassociateEntitiesFromExperienceCommand({ Id, IndexId: indexId, EntityList: [{ EntityId: GROUP, EntityType: 'GROUP' }] }));
      assert.equal(ok.FailedEntityList, undefined);
    });

    test('errors by code: unknown index, experience, data source and FAQ; bad input; limits from the model', async () => {
      await rejectsWith(k.send(new CreateExperienceCommand({ IndexId: UNKNOWN, Name: 'x' })), 'ResourceNotFoundException');
      await rejectsWith(k.send(new CreateExperienceCommand({ IndexId: indexId, Name: 'x', Configuration: { ContentSourceConfiguration: { DataSourceIds: [UNKNOWN] } } })), 'ResourceNotFoundException');
      await rejectsWith(k.send(new CreateExperienceCommand({ IndexId: indexId, Name: 'x', Configuration: { ContentSourceConfiguration: { FaqIds: [UNKNOWN] } } })), 'ResourceNotFoundException');
      await rejectsWith(k.send(new CreateExperienceCommand({ IndexId: indexId, Name: 'has space' })), 'ValidationException');
      await rejectsWith(describe(UNKNOWN), 'ResourceNotFoundException');
      await rejectsWith(k.send(new ListExperiencesCommand({ IndexId: indexId, MaxResults: 101 })), 'ValidationException');
      await rejectsWith(k.send(new ListExperiencesCommand({ IndexId: indexId, NextToken: 'forged' })), 'ValidationException');
      const { Id } = await k.send(new CreateExperienceCommand({ IndexId: indexId, Name: 'limits' }));
      await active(Id!);
      const many = Array.from({ length: 21 }, (_, i) => ({ EntityId: `00000000-0000-0000-0000-${String(i).padStart(12, '0')}`, EntityType: 'USER' as const }));
      await rejectsWith(k.send(new AssociateEntitiesToExperienceCommand({ Id, IndexId: indexId, EntityList: many })), 'ValidationException');
      await rejectsWith(k.send(new AssociateEntitiesToExperienceCommand({ Id, IndexId: indexId, EntityList: [{ EntityId: 'someone', EntityType: 'USER' }] })), 'ValidationException');
      await rejectsWith(k.send(new AssociatePersonasToEntitiesCommand({ Id, IndexId: indexId, Personas: [{ EntityId: USER, Persona: 'ADMIN' as never }] })), 'ValidationException');
      await rejectsWith(k.send(new ListExperienceEntitiesCommand({ Id: UNKNOWN, IndexId: indexId })), 'ResourceNotFoundException');
      // A ClientToken makes one experience of two calls; the same token with another input is a conflict.
      const a = await k.send(new CreateExperienceCommand({ IndexId: indexId, Name: 'once', ClientToken: 'tok-1' }));
      const b = await k.send(new CreateExperienceCommand({ IndexId: indexId, Name: 'once', ClientToken: 'tok-1' }));
      assert.equal(a.Id, b.Id);
      await rejectsWith(k.send(new CreateExperienceCommand({ IndexId: indexId, Name: 'twice', ClientToken: 'tok-1' })), 'ConflictException');
    });

    describeOrSkip('over boto3', { skip: boto3Skip }, () => {
      test('the same operations as boto3 sees them', async () => {
        const out: Record<string, unknown> = await runBoto3('boto3_experiences.py', [server.url, indexId]);
        assert.deepEqual(out, {
          created: 'CREATING',
          describe: {
            Id: '<id>', IndexId: indexId, Name: 'boto-app', Description: 'from boto3', Status: 'ACTIVE', CreatedAt: '<datetime>', UpdatedAt: '<datetime>',
            Endpoints: [{ EndpointType: 'HOME', Endpoint: (out.describe as { Endpoints: { Endpoint: string }[] }).Endpoints[0]!.Endpoint }],
          },
          associate: {},
          associate_again: { FailedEntityList: [{ EntityId: USER, ErrorMessage: (out.associate_again as { FailedEntityList: { ErrorMessage: string }[] }).FailedEntityList[0]!.ErrorMessage }] },
          personas: {},
          list_personas: { SummaryItems: [{ EntityId: USER, Persona: 'OWNER', CreatedAt: '<datetime>', UpdatedAt: '<datetime>' }] },
          list_entities: { SummaryItems: [{ EntityId: USER, EntityType: 'USER', DisplayData: { UserName: USER } }, { EntityId: GROUP, EntityType: 'GROUP', DisplayData: { GroupName: GROUP } }] },
          bad_entity_id: 'ValidationException',
          unknown: 'ResourceNotFoundException',
          deleting: 'DELETING',
        });
        assert.match((out.describe as { Endpoints: { Endpoint: string }[] }).Endpoints[0]!.Endpoint, new RegExp(`^${server.url}/console/experiences/[0-9a-f-]{36}$`));
        assert.match((out.associate_again as { FailedEntityList: { ErrorMessage: string }[] }).FailedEntityList[0]!.ErrorMessage, /already associated/);
      });
    });
  });
}
