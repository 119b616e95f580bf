import { ConfigurationError } from '../connectors/contract.js';
import { parseSource } from '../connectors/registry.js';
import type { DataSourceRow } from '../store/dataSources.js';
import type { Store } from '../store/store.js';
import { isUniqueViolation } from '../store/syncJobs.js';
import { dataSourceArn, type Scope } from './arn.js';
import type { Clock } from './clock.js';
import { parseSchedule, ScheduleError } from './cron.js';
import { conflict, DomainError, invalid, notFound } from './errors.js';
import { idempotent } from './idempotency.js';
import type { Indices } from './indices.js';
import type { Lifecycle } from './lifecycle.js';
import type { PageTokens } from './pageToken.js';
import { distinctTags } from './tags.js';

/**
 * D-4: an update sent while the previous one is still UPDATING is applied after it, in order. FAILED:
 * data sources that earlier versions failed for having no connector can be updated back to ACTIVE.
 */
const UPDATABLE = ['ACTIVE', 'UPDATING', 'FAILED'];

/** D-2: the Configuration member each type needs. */
const CONFIGURATION_MEMBER: Record<string, string> = {
  S3: 'S3Configuration',
  SHAREPOINT: 'SharePointConfiguration',
  DATABASE: 'DatabaseConfiguration',
  SALESFORCE: 'SalesforceConfiguration',
  ONEDRIVE: 'OneDriveConfiguration',
  SERVICENOW: 'ServiceNowConfiguration',
  CONFLUENCE: 'ConfluenceConfiguration',
  GOOGLEDRIVE: 'GoogleDriveConfiguration',
  WEBCRAWLER: 'WebCrawlerConfiguration',
  WORKDOCS: 'WorkDocsConfiguration',
  FSX: 'FsxConfiguration',
  SLACK: 'SlackConfiguration',
  BOX: 'BoxConfiguration',
  QUIP: 'QuipConfiguration',
  JIRA: 'JiraConfiguration',
  GITHUB: 'GitHubConfiguration',
  ALFRESCO: 'AlfrescoConfiguration',
  TEMPLATE: 'TemplateConfiguration',
};

export interface DataSourceFields {
  Name?: string;
  Configuration?: Record<string, unknown>;
  VpcConfiguration?: unknown;
  CustomDocumentEnrichmentConfiguration?: unknown;
  Description?: string;
  Schedule?: string;
  RoleArn?: string;
  LanguageCode?: string;
}

export interface NewDataSource extends DataSourceFields {
  Name: string;
  Type: string;
  ClientToken?: string;
  Tags?: { Key: string; Value: string }[];
}

export class DataSources {
  constructor(
    private readonly store: Store,
    private readonly clock: Clock,
    private readonly indices: Indices,
    private readonly lifecycle: Lifecycle,
    private readonly tokens: PageTokens,
  ) {}

  async create(scope: Scope, indexId: string, input: NewDataSource): Promise<string> {
    await this.indices.getActive(scope, indexId);
    checkTypeAndConfiguration(input.Type, input);
    checkSchedule(input.Schedule);
    distinctTags(input.Tags ?? []);
    const now = this.clock();
    const { id } = await idempotent(this.store.clientTokens, scope, 'CreateDataSource', { ...input, IndexId: indexId } as NewDataSource, now, async (id) => {
      // I-3 is checked only for a new request: a retry with the first call's ClientToken must get its id back.
      if (await this.store.dataSources.findByName(indexId, input.Name)) throw nameTaken(input.Name, indexId);
      try {
        await this.store.dataSources.insert({
          id, index_id: indexId, account_id: scope.accountId, region: scope.region, name: input.Name, type: input.Type,
          configuration: json(input.Configuration), vpc_configuration: json(input.VpcConfiguration),
          enrichment_configuration: json(input.CustomDocumentEnrichmentConfiguration),
          description: input.Description ?? null, schedule: input.Schedule ?? null, role_arn: input.RoleArn ?? null,
          language_code: input.LanguageCode ?? null, status: 'CREATING', error_message: null,
          created_at: now, updated_at: now, transition_at: now + this.lifecycle.delayMs, next_run_at: null,
        });
      } catch (e) {
        if (isUniqueViolation(e)) throw nameTaken(input.Name, indexId);
        throw e;
      }
      await this.store.tags.put(dataSourceArn(scope, indexId, id), input.Tags ?? []);
      this.lifecycle.wake();
    });
    return id;
  }

  /** The data source, in an index of this scope (S-LIST-1), or ResourceNotFoundException. */
  async get(scope: Scope, indexId: string, id: string): Promise<DataSourceRow> {
    await this.indices.get(scope, indexId);
    const row = await this.store.dataSources.get(indexId, id);
    if (!row) throw notFound(`Data source ${id} does not exist in index ${indexId}.`);
    return row;
  }

  async list(scope: Scope, indexId: string, maxResults: number, nextToken?: string) {
    await this.indices.get(scope, indexId);
    const binding = `ListDataSources\n${indexId}`;
    const after = nextToken ? (this.tokens.read(binding, nextToken) as [number, string]) : undefined;
    const rows = await this.store.dataSources.list(indexId, after, maxResults + 1);
    const items = rows.slice(0, maxResults);
    const last = items[items.length - 1];
    return { items, nextToken: rows.length > maxResults && last ? this.tokens.issue(binding, [last.created_at, last.id]) : undefined };
  }

  /** D-4: UPDATING, then ACTIVE; a running sync keeps the configuration it started with. */
  async update(scope: Scope, indexId: string, id: string, changes: DataSourceFields): Promise<void> {
    const row = await this.get(scope, indexId, id);
    if (!UPDATABLE.includes(row.status)) throw conflict(`Data source ${id} is ${row.status}; it can be updated when ACTIVE, UPDATING or FAILED.`);
    const merged: DataSourceFields = {
      Configuration: changes.Configuration ?? parse(row.configuration),
      RoleArn: changes.RoleArn ?? row.role_arn ?? undefined,
      Schedule: changes.Schedule ?? row.schedule ?? undefined,
    };
    checkTypeAndConfiguration(row.type, merged);
    checkSchedule(changes.Schedule);
    if (changes.Name && changes.Name !== row.name && (await this.store.dataSources.findByName(indexId, changes.Name)))
      throw nameTaken(changes.Name, indexId);
    const now = this.clock();
    try {
      // Only the members the request names are written, so an update right behind another one keeps its changes.
      const updated = await this.store.dataSources.update(
        id,
        {
          ...(changes.Name != null && { name: changes.Name }),
          ...(changes.Configuration != null && { configuration: json(changes.Configuration) }),
          ...(changes.VpcConfiguration != null && { vpc_configuration: json(changes.VpcConfiguration) }),
          ...(changes.CustomDocumentEnrichmentConfiguration != null && { enrichment_configuration: json(changes.CustomDocumentEnrichmentConfiguration) }),
          ...(changes.Description != null && { description: changes.Description }),
          ...(changes.Schedule != null && { schedule: changes.Schedule }),
          ...(changes.RoleArn != null && { role_arn: changes.RoleArn }),
          ...(changes.LanguageCode != null && { language_code: changes.LanguageCode }),
          status: 'UPDATING',
          error_message: null,
          updated_at: now,
          transition_at: now + this.lifecycle.delayMs,
        },
        UPDATABLE,
      );
      if (!updated) throw conflict(`Data source ${id} changed status during the update; try again.`);
    } catch (e) {
      if (isUniqueViolation(e)) throw nameTaken(changes.Name ?? row.name, indexId);
      throw e;
    }
    this.lifecycle.wake();
  }

  /** D-5: DELETING now; the life cycle worker stops its sync and removes documents and history. */
  async delete(scope: Scope, indexId: string, id: string): Promise<void> {
    const row = await this.get(scope, indexId, id);
    if (row.status === 'DELETING') return;
    const now = this.clock();
    await this.store.dataSources.update(id, { status: 'DELETING', updated_at: now, transition_at: now + this.lifecycle.delayMs, next_run_at: null });
    this.lifecycle.wake();
  }
}

function checkTypeAndConfiguration(type: string, input: DataSourceFields): void {
  const configured = Object.keys(input.Configuration ?? {}).filter((k) => (input.Configuration as Record<string, unknown>)[k] != null);
  if (type === 'CUSTOM') {
    const extra = [input.Configuration && 'Configuration', input.RoleArn && 'RoleArn', input.Schedule && 'Schedule'].filter(Boolean);
    if (extra.length) throw invalid(`A CUSTOM data source takes no ${extra.join(', ')}.`);
    return;
  }
  const member = CONFIGURATION_MEMBER[type];
  if (!member || configured.length !== 1 || configured[0] !== member)
    throw invalid(`A ${type} data source needs Configuration with exactly ${member ?? 'its'} member${configured.length ? `; got ${configured.join(', ')}` : ''}.`);
  if (!input.RoleArn) throw invalid(`A ${type} data source needs a RoleArn.`);
  try {
    parseSource(type, input.Configuration);
  } catch (e) {
    if (e instanceof ConfigurationError) throw invalid(e.message);
    throw e;
  }
}

function checkSchedule(schedule: string | undefined): void {
  if (!schedule) return;
  try {
    parseSchedule(schedule);
  } catch (e) {
    if (e instanceof ScheduleError) throw invalid(e.message);
    throw e;
  }
}

function nameTaken(name: string, indexId: string): DomainError {
  return new DomainError('AlreadyExists', `A data source named '${name}' already exists in index ${indexId}.`);
}

const json = (v: unknown) => (v === undefined || v === null ? null : JSON.stringify(v));
const parse = (s: string | null) => (s === null ? undefined : (JSON.parse(s) as Record<string, unknown>));
