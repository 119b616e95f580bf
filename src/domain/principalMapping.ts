/**
 * Mapping users to their groups (PutPrincipalMapping and friends), and the expansion of a caller's
 * groups at query time: every group that holds the user or one of the caller's groups, directly or
 * through sub-groups, transitively (cycles end where they start).
 *
 * An action is applied when it arrives (DescribePrincipalMapping shows it SUCCEEDED, DELETED or
 * FAILED at once; Kendra's PROCESSING is never observed). OrderingId (default: the time received,
 * in ms) orders the actions on one group: an action with a lower OrderingId than the group's last is
 * recorded as FAILED and changes nothing.
 */
import type { Store } from '../store/store.js';
import type { GroupKey, Member } from '../store/principalMappings.js';
import type { Caller } from './access.js';
import type { Scope } from './arn.js';
import type { Clock } from './clock.js';
import { invalid, notFound } from './errors.js';
import type { Indices } from './indices.js';
import type { PageTokens } from './pageToken.js';
import type { GroupExpander } from './userContext.js';

export interface GroupMembersInput {
  MemberGroups?: { GroupId: string; DataSourceId?: string }[];
  MemberUsers?: { UserId: string }[];
  S3PathforGroupMembers?: { Bucket: string; Key: string };
}

export interface PutPrincipalMappingInput {
  IndexId: string;
  DataSourceId?: string;
  GroupId: string;
  GroupMembers: GroupMembersInput;
  OrderingId?: number;
}

export type ReadS3 = (bucket: string, key: string) => Promise<Buffer>;

/** A member file in S3 holds at most this many bytes (a million members, about). */
const MAX_MEMBER_FILE_BYTES = 64 * 1024 * 1024;

export class PrincipalMappings implements GroupExpander {
  constructor(
    private readonly store: Store,
    private readonly clock: Clock,
    private readonly indices: Indices,
    private readonly tokens: PageTokens,
    private readonly readS3: ReadS3,
  ) {}

  async put(scope: Scope, input: PutPrincipalMappingInput): Promise<void> {
    const key = await this.groupKey(scope, input.IndexId, input.DataSourceId, input.GroupId);
    const received = this.clock();
    const orderingId = input.OrderingId ?? received;
    const g = input.GroupMembers;
    if (!g.MemberGroups && !g.MemberUsers && !g.S3PathforGroupMembers) throw invalid('GroupMembers needs MemberUsers, MemberGroups or S3PathforGroupMembers.');
    let members = membersOf(g);
    if (g.S3PathforGroupMembers) {
      const { Bucket, Key } = g.S3PathforGroupMembers;
      try {
        const bytes = await this.readS3(Bucket, Key);
        if (bytes.byteLength > MAX_MEMBER_FILE_BYTES) throw new Error(`it is ${bytes.byteLength} bytes; the limit is ${MAX_MEMBER_FILE_BYTES}`);
        members = [...members, ...membersOf(parseMemberFile(bytes))];
      } catch (e) {
        // Kendra takes the action and fails it later; the history says why.
        await this.store.principalMappings.failed(key, orderingId, `cannot read the members from s3://${Bucket}/${Key}: ${(e as Error).message}`, received, this.clock());
        return;
      }
    }
    await this.store.principalMappings.apply(key, orderingId, members, received, this.clock());
  }

  async delete(scope: Scope, input: { IndexId: string; DataSourceId?: string; GroupId: string; OrderingId?: number }): Promise<void> {
    const key = await this.groupKey(scope, input.IndexId, input.DataSourceId, input.GroupId);
    const received = this.clock();
    await this.store.principalMappings.apply(key, input.OrderingId ?? received, null, received, this.clock());
  }

  async describe(scope: Scope, input: { IndexId: string; DataSourceId?: string; GroupId: string }) {
    const key = await this.groupKey(scope, input.IndexId, input.DataSourceId, input.GroupId);
    const rows = await this.store.principalMappings.history(key);
    if (!rows.length) throw notFound(`Group ${input.GroupId} has no principal mapping in index ${input.IndexId}${input.DataSourceId ? ` for data source ${input.DataSourceId}` : ''}.`);
    return rows.map((r) => ({
      Status: r.status, OrderingId: Number(r.ordering_id), ReceivedAt: new Date(Number(r.received_at)), LastUpdatedAt: new Date(Number(r.updated_at)),
      ...(r.failure_reason ? { FailureReason: r.failure_reason } : {}),
    }));
  }

  async olderThan(scope: Scope, input: { IndexId: string; DataSourceId?: string; OrderingId: number; MaxResults?: number; NextToken?: string }) {
    await this.indices.get(scope, input.IndexId);
    const binding = `ListGroupsOlderThanOrderingId\n${input.IndexId}\n${input.DataSourceId ?? ''}\n${input.OrderingId}`;
    const after = input.NextToken ? String(this.tokens.read(binding, input.NextToken)[0]) : undefined;
    const max = input.MaxResults ?? 10;
    const rows = await this.store.principalMappings.olderThan(input.IndexId, input.DataSourceId ?? '', input.OrderingId, after, max + 1);
    const page = rows.slice(0, max);
    return {
      GroupsSummaries: page.map((r) => ({ GroupId: r.group_id, OrderingId: r.ordering_id })),
      NextToken: rows.length > max ? this.tokens.issue(binding, [page[page.length - 1]!.group_id]) : undefined,
    };
  }

  version(indexId: string): Promise<number> {
    return this.store.principalMappings.version(indexId);
  }

  /** The caller with every mapped group holding its user or its groups, transitively. */
  async expand(indexId: string, caller: Caller): Promise<Caller> {
    const given = [...caller.groups.map((groupId) => ({ groupId, dataSourceId: '' })), ...caller.dataSourceGroups.map((g) => ({ groupId: g.GroupId, dataSourceId: g.DataSourceId }))];
    const found = await this.store.principalMappings.groupsOf(indexId, caller.userId, given);
    if (!found.length) return caller;
    const groups = new Set(caller.groups);
    const dataSourceGroups = new Map(caller.dataSourceGroups.map((g) => [`${g.DataSourceId}:${g.GroupId}`, g]));
    for (const f of found) {
      if (f.dataSourceId) dataSourceGroups.set(`${f.dataSourceId}:${f.groupId}`, { GroupId: f.groupId, DataSourceId: f.dataSourceId });
      else groups.add(f.groupId);
    }
    return { userId: caller.userId, groups: [...groups], dataSourceGroups: [...dataSourceGroups.values()] };
  }

  private async groupKey(scope: Scope, indexId: string, dataSourceId: string | undefined, groupId: string): Promise<GroupKey> {
    await this.indices.get(scope, indexId);
    if (dataSourceId && !(await this.store.dataSources.get(indexId, dataSourceId))) throw notFound(`Data source ${dataSourceId} does not exist in index ${indexId}.`);
    return { indexId, dataSourceId: dataSourceId ?? '', groupId };
  }
}

function membersOf(g: GroupMembersInput): Member[] {
  return [
    ...(g.MemberUsers ?? []).map((u): Member => ({ type: 'U', id: u.UserId, dataSourceId: '' })),
    ...(g.MemberGroups ?? []).map((m): Member => ({ type: 'G', id: m.GroupId, dataSourceId: m.DataSourceId ?? '' })),
  ];
}

/** The S3 member file: `{"MemberUsers": [{"UserId": …}], "MemberGroups": [{"GroupId": …, "DataSourceId": …}]}`. */
function parseMemberFile(bytes: Buffer): GroupMembersInput {
  const doc = JSON.parse(bytes.toString('utf8')) as Record<string, unknown>;
  if (!doc || typeof doc !== 'object' || Array.isArray(doc)) throw new Error('it must hold a JSON object with MemberUsers and/or MemberGroups');
  const users = doc.MemberUsers ?? [];
  const groups = doc.MemberGroups ?? [];
  if (!Array.isArray(users) || !users.every((u) => u && typeof u.UserId === 'string' && u.UserId)) throw new Error('MemberUsers must be a list of {"UserId": "…"}');
  if (!Array.isArray(groups) || !groups.every((g) => g && typeof g.GroupId === 'string' && g.GroupId && (g.DataSourceId === undefined || typeof g.DataSourceId === 'string')))
    throw new Error('MemberGroups must be a list of {"GroupId": "…", "DataSourceId": "…"}');
  return { MemberUsers: users as GroupMembersInput['MemberUsers'], MemberGroups: groups as GroupMembersInput['MemberGroups'] };
}
