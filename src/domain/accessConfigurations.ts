/**
 * Access control configurations: access lists kept once and pointed at by documents
 * (AccessControlConfigurationId). An update applies to every such document at once, without
 * re-indexing any; a configuration still in use cannot be deleted (its documents would lose their
 * lists), as a ConflictException naming how many use it.
 */
import type { Store } from '../store/store.js';
import type { AccessConfigurationRow } from '../store/accessConfigurations.js';
import { accessLevels, accessProblem, accessRows, type AccessLists } from './access.js';
import type { Scope } from './arn.js';
import type { Clock } from './clock.js';
import { conflict, invalid, notFound } from './errors.js';
import { idempotent } from './idempotency.js';
import type { Indices } from './indices.js';
import type { PageTokens } from './pageToken.js';

export interface AccessConfigurationInput extends AccessLists {
  IndexId: string;
  Name: string;
  Description?: string;
  ClientToken?: string;
}

export class AccessConfigurations {
  constructor(
    private readonly store: Store,
    private readonly clock: Clock,
    private readonly indices: Indices,
    private readonly tokens: PageTokens,
  ) {}

  async create(scope: Scope, input: AccessConfigurationInput): Promise<string> {
    await this.indices.getActive(scope, input.IndexId);
    checked(input);
    const now = this.clock();
    const { id } = await idempotent(this.store.clientTokens, scope, 'CreateAccessControlConfiguration', input, now, (id) =>
      this.store.accessConfigurations.insert({
        id, index_id: input.IndexId, name: input.Name, description: input.Description ?? null,
        acl: JSON.stringify(lists(input)), created_at: now, updated_at: now,
      }),
    );
    return id;
  }

  async describe(scope: Scope, indexId: string, id: string) {
    const row = await this.get(scope, indexId, id);
    const acl = JSON.parse(row.acl) as AccessLists;
    return { Name: row.name, ...(row.description !== null ? { Description: row.description } : {}), ...acl };
  }

  async update(scope: Scope, input: Partial<AccessConfigurationInput> & { IndexId: string; Id: string }): Promise<void> {
    const row = await this.get(scope, input.IndexId, input.Id);
    checked(input);
    const changesAcl = input.AccessControlList !== undefined || input.HierarchicalAccessControlList !== undefined;
    const acl: AccessLists = { ...(JSON.parse(row.acl) as AccessLists), ...lists(input) };
    const levels = accessLevels(acl);
    await this.store.accessConfigurations.update(
      row.id,
      { ...(input.Name !== undefined ? { name: input.Name } : {}), ...(input.Description !== undefined ? { description: input.Description } : {}), ...(changesAcl ? { acl: JSON.stringify(acl) } : {}), updated_at: this.clock() },
      (dataSourceId) => accessRows(levels, dataSourceId),
    );
  }

  async delete(scope: Scope, indexId: string, id: string): Promise<void> {
    const row = await this.get(scope, indexId, id);
    const using = await this.store.accessConfigurations.documentsUsing(row.id);
    if (using) throw conflict(`Access control configuration ${id} is used by ${using} document${using === 1 ? '' : 's'}; put them without it (or delete them) first.`);
    await this.store.accessConfigurations.delete(row.id);
  }

  async list(scope: Scope, indexId: string, maxResults: number, nextToken?: string): Promise<{ ids: string[]; nextToken?: string }> {
    await this.indices.get(scope, indexId);
    const binding = `ListAccessControlConfigurations\n${indexId}`;
    const after = nextToken ? (this.tokens.read(binding, nextToken) as [number, string]) : undefined;
    const rows = await this.store.accessConfigurations.list(indexId, after, maxResults + 1);
    const page = rows.slice(0, maxResults);
    const last = page[page.length - 1];
    return { ids: page.map((r) => r.id), nextToken: rows.length > maxResults && last ? this.tokens.issue(binding, [Number(last.created_at), last.id]) : undefined };
  }

  private async get(scope: Scope, indexId: string, id: string): Promise<AccessConfigurationRow> {
    await this.indices.get(scope, indexId);
    const row = await this.store.accessConfigurations.get(indexId, id);
    if (!row) throw notFound(`Access control configuration ${id} does not exist in index ${indexId}.`);
    return row;
  }
}

const lists = (a: AccessLists): AccessLists => ({
  ...(a.AccessControlList !== undefined ? { AccessControlList: a.AccessControlList } : {}),
  ...(a.HierarchicalAccessControlList !== undefined ? { HierarchicalAccessControlList: a.HierarchicalAccessControlList } : {}),
});

function checked(a: AccessLists): void {
  const problem = accessProblem(a);
  if (problem) throw invalid(problem);
}
