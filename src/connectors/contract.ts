// The connector contract (DESIGN.md): a connector walks its source lazily and yields what it found,
// one item at a time. One bad document is data (a failure), never an exception; only a failure of the
// whole source (bucket missing, folder not allowed) throws, as a SourceError.
import type { AccessLevels } from '../domain/access.js';
import type { Attribute } from '../domain/documents.js';

/** A document's bytes and what the source says about them. */
export interface RawDocument {
  content: Uint8Array;
  /** The title from the source's metadata; absent means the extracted title, else `defaultTitle`. */
  title?: string;
  defaultTitle?: string;
  /** A Kendra ContentType or MIME type, if the source declares one. */
  contentType?: string;
  /** File name or key, for detecting the type by extension. */
  fileName?: string;
  attributes: Attribute[];
  /** Who may see it (the metadata file's access lists); absent: public. */
  access?: AccessLevels;
  accessConfigurationId?: string;
}

export type Found =
  | {
      kind: 'document';
      id: string;
      /** Changes whenever the document (or its metadata) may have changed: ETag, size+mtime… */
      version: string;
      /** Reads the document; throwing (or rejecting) fails this document only, with the error's message. */
      fetch(signal: AbortSignal): Promise<RawDocument>;
    }
  | {
      kind: 'failure';
      /** The document that failed. Absent: part of the source could not be listed (see `location`). */
      id?: string;
      /** What could not be read, when it is not a document (a directory, a listing page). */
      location?: string;
      reason: string;
      sourceCode?: string;
    };

export interface SyncContext {
  /** Aborted when the job is stopped or the server shuts down. */
  signal: AbortSignal;
  /** Largest document to read, in bytes; larger ones fail without being read. */
  maxDocumentBytes: number;
  /** The index's fields and their types (DocumentMetadataConfigurations, and the reserved ones), for connectors that map source fields onto them. */
  indexFields?: ReadonlyMap<string, IndexFieldType>;
}

export type IndexFieldType = 'STRING_VALUE' | 'STRING_LIST_VALUE' | 'LONG_VALUE' | 'DATE_VALUE';

export interface Connector {
  /** Must end soon after `ctx.signal` aborts: pass it to every call that may take long. */
  enumerate(ctx: SyncContext): AsyncIterable<Found>;
  /**
   * How many documents (and per-document failures) `enumerate` is expected to yield, found by a
   * listing that runs beside it and ahead of the fetches: the total of the sync's progress. Optional;
   * an estimate (the source may change meanwhile); its failure only leaves the total unknown.
   */
  count?(ctx: SyncContext): Promise<number>;
  /**
   * True when the connector writes state of its own to the index's store while it lists (the web
   * crawler's queue and page states). On SQLite such a write waits, blocking this thread, behind the
   * writer thread's transaction; so the pipeline writes this connector's batches in turns with its
   * listing, never beside it.
   */
  readonly writesWhileListing?: boolean;
}

/**
 * The whole source cannot be synced. `kind` says whose fault it is (S-JOB-3): `source` (configuration
 * or the source itself → InvalidRequest) or `internal` (kendrite → InternalError).
 */
export class SourceError extends Error {
  constructor(
    message: string,
    readonly sourceCode?: string,
    readonly kind: 'source' | 'internal' = 'source',
  ) {
    super(message);
  }
}

/** The configuration cannot work (detected before or at sync time); CreateDataSource reports it as ValidationException. */
export class ConfigurationError extends Error {}
