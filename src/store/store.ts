import type { Config } from '../config/config.js';
import { openDatabase, type Connection } from './database.js';
import { silentLog, type Log } from '../observe/log.js';
import { ClientTokenStore } from './clientTokens.js';
import { DataSourceStore } from './dataSources.js';
import { DocumentStore } from './documents.js';
import { IndexStore } from './indices.js';
import { migrate } from './migrate.js';
import { SyncJobStore } from './syncJobs.js';
import { TagStore } from './tags.js';
import { RawStatements } from './rawStatements.js';
import { SyncReportStore } from './syncReport.js';
import { SyncDocumentStore } from './syncDocuments.js';
import { WebFrontierStore, WebPageStore } from './webPages.js';
import { PrincipalMappingStore } from './principalMappings.js';
import { AccessConfigurationStore } from './accessConfigurations.js';
import { ExperienceStore } from './experiences.js';
import { FaqStore } from './faqs.js';
import { FeaturedResultsStore } from './featuredResults.js';
import { ThesaurusStore } from './thesauri.js';
import { VocabularyStore } from './vocabulary.js';
import { QueryLogStore } from './queryLog.js';
import { QuerySuggestionStore } from './querySuggestions.js';
import { noPlannerStatistics, PostgresPlannerStatistics, type PlannerStatistics } from './plannerStatistics.js';

/** Every repository over one connection: SQLite by default, PostgreSQL when a URL is configured. */
export class Store {
  readonly indices: IndexStore;
  readonly dataSources: DataSourceStore;
  readonly tags: TagStore;
  readonly clientTokens: ClientTokenStore;
  readonly syncJobs: SyncJobStore;
  readonly reports: SyncReportStore;
  readonly documents: DocumentStore;
  readonly syncDocuments: SyncDocumentStore;
  readonly webPages: WebPageStore;
  readonly webFrontier: WebFrontierStore;
  readonly principalMappings: PrincipalMappingStore;
  readonly accessConfigurations: AccessConfigurationStore;
  readonly experiences: ExperienceStore;
  readonly faqs: FaqStore;
  readonly featuredResults: FeaturedResultsStore;
  readonly thesauri: ThesaurusStore;
  readonly vocabulary: VocabularyStore;
  readonly queryLog: QueryLogStore;
  readonly querySuggestions: QuerySuggestionStore;
  /** Sync jobs through the lease connection: only for renewing leases. */
  readonly leases: Pick<SyncJobStore, 'renewLeases'>;
  /** Told of every committed batch of document writes: on PostgreSQL, analyzes the tables after a bulk change. */
  readonly plannerStatistics: PlannerStatistics;

  private constructor(readonly conn: Connection, log: Log = silentLog) {
    this.indices = new IndexStore(conn.db);
    this.dataSources = new DataSourceStore(conn.db);
    this.tags = new TagStore(conn.db);
    this.clientTokens = new ClientTokenStore(conn.db);
    const raw = conn.sqlite && new RawStatements(conn.sqlite);
    this.syncJobs = new SyncJobStore(conn.db, conn.sqlite, raw);
    this.reports = new SyncReportStore(conn.db, raw);
    this.documents = new DocumentStore(conn.db, conn.dialect, raw);
    this.syncDocuments = new SyncDocumentStore(conn.db, conn.sqlite, raw);
    this.webPages = new WebPageStore(conn.db);
    this.webFrontier = new WebFrontierStore(conn.db);
    this.principalMappings = new PrincipalMappingStore(conn.db, conn.dialect);
    this.accessConfigurations = new AccessConfigurationStore(conn.db);
    this.experiences = new ExperienceStore(conn.db);
    this.faqs = new FaqStore(conn.db, conn.dialect);
    this.featuredResults = new FeaturedResultsStore(conn.db);
    this.thesauri = new ThesaurusStore(conn.db);
    this.vocabulary = new VocabularyStore(conn.db, conn.dialect);
    this.queryLog = new QueryLogStore(conn.db);
    this.querySuggestions = new QuerySuggestionStore(conn.db);
    this.leases = new SyncJobStore(conn.leaseDb, conn.sqlite);
    this.plannerStatistics = conn.dialect === 'postgres' ? new PostgresPlannerStatistics(conn.db, log) : noPlannerStatistics;
  }

  get db() {
    return this.conn.db;
  }

  static async open(config: Pick<Config, 'databaseUrl' | 'dataDir'>, log?: Log): Promise<Store> {
    const conn = openDatabase(config, log);
    await migrate(conn);
    return new Store(conn, log);
  }

  /** Over a connection to a store that open() has migrated already (a second connection of this process). */
  static over(conn: Connection): Store {
    return new Store(conn);
  }

  async close(): Promise<void> {
    await this.plannerStatistics.settled();
    return this.conn.close();
  }
}
