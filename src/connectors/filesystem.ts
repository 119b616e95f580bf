// The local folder connector (TEMPLATE with "type": "FILESYSTEM", kendrite's own template). It walks
// the configured folder recursively, one directory at a time, and never leaves it: the folder must lie
// inside one of the operator's allowed roots, symbolic links are refused (reported as failed
// documents, never followed), and a file is read only if it is still the very file the walk saw.
import fs, { constants } from 'node:fs';
import { lstat, realpath } from 'node:fs/promises';
import { promisify } from 'node:util';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import type { Connector, Found, RawDocument, SyncContext } from './contract.js';
import { SourceError } from './contract.js';
import { MAX_METADATA_BYTES, METADATA_SUFFIX, MetadataError, parseMetadata, type DocumentMetadata } from './metadata.js';
import { EntryKind, type WalkBatch } from './folderWalk.js';
import { WalkThread } from './folderWalkThread.js';
import { countFolder } from './folderCount.js';
import type { FilterRules } from './patterns.js';

export interface FolderSource extends FilterRules {
  /** Absolute path of the folder, as configured. */
  path: string;
}

const OPEN_FLAGS = constants.O_RDONLY | (constants.O_NOFOLLOW ?? 0);
const HARD_LINK = (id: string) =>
  `${id} has more than one hard link; kendrite does not index such files (another link could be a file outside the folder). Set folders.allowHardLinks in kendrite's config to allow them, or exclude it with an exclusion pattern.`;

/** What the walk saw of a file: enough to version it and to check, when reading it, that it is still that file. */
interface SeenFile {
  size: number;
  mtimeMs: number;
  ino: number;
  dev: number;
}

export class FolderConnector implements Connector {
  private readonly rules: FilterRules;
  /** The folder as configured (document ids and source URIs use it) … */
  private readonly root: string;
  /** … and where it really is, once links in the configured path are resolved. */
  private realRoot = '';
  /** The two as prefixes of `/relative/path` (the root directory is the empty prefix). */
  private readonly base: string;
  private realBase = '';

  constructor(
    source: FolderSource,
    private readonly allowedRoots: string[],
    /** Path checks cannot see where a hard link's other names are: files with several links are refused unless allowed. */
    private readonly allowHardLinks = false,
  ) {
    this.rules = { inclusionPatterns: source.inclusionPatterns, exclusionPatterns: source.exclusionPatterns };
    this.root = path.resolve(source.path);
    this.base = this.root === '/' ? '' : this.root;
  }


  /**
   * The folder must be inside an allowed root both as written and once resolved (a link in the path
   * must not lead out). The written path is checked first, so a refused path reveals nothing about the disk.
   */
  private async checkRoot(): Promise<string> {
    const refuse = () =>
      new SourceError(
        `The folder ${this.root} is outside the folders kendrite may read. Add it (or a parent) to folders.allowedRoots in kendrite's config${this.allowedRoots.length ? `; allowed now: ${this.allowedRoots.join(', ')}` : '; none is allowed now'}.`,
      );
    const allowed = this.allowedRoots.map((r) => path.resolve(r));
    if (!allowed.some((r) => isInside(this.root, r))) throw refuse();
    let real: string;
    try {
      real = await realpath(this.root);
    } catch (e) {
      const code = (e as NodeJS.ErrnoException).code;
      throw new SourceError(
        code === 'ENOENT' ? `The folder ${this.root} does not exist.` : `kendrite cannot open the folder ${this.root}: ${(e as Error).message}`,
        code,
      );
    }
    const realAllowed = await Promise.all(allowed.map((r) => realpath(r).catch(() => r)));
    if (!realAllowed.some((r) => isInside(real, r))) throw refuse();
    const st = await lstat(real);
    if (!st.isDirectory()) throw new SourceError(`${this.root} is not a folder.`, 'ENOTDIR');
    return real;
  }

  /**
   * The walk (src/connectors/folderWalk.ts) runs on a worker thread of its own: depth-first, one
   * directory at a time, files before subdirectories, each directory in name order. Here its batches
   * become documents, while the worker reads on; stopping the sync stops the worker.
   */
  async *enumerate(ctx: SyncContext): AsyncGenerator<Found> {
    this.realRoot = await this.checkRoot();
    this.realBase = this.realRoot === '/' ? '' : this.realRoot;
    const walk = new WalkThread({ realRoot: this.realRoot, rules: this.rules, allowHardLinks: this.allowHardLinks }, ctx.signal);
    try {
      for (;;) {
        const batch = await walk.next();
        if (!batch) return;
        for (let i = 0; i < batch.rel.length; i++) {
          const found = this.entry(batch, i, ctx);
          if (found) yield found instanceof Promise ? await found : found;
          if (ctx.signal.aborted) return;
        }
      }
    } finally {
      walk.stop();
    }
  }

  /** The walk's entries, counted from directory listings alone (connectors/folderCount.ts). */
  async count(ctx: SyncContext): Promise<number> {
    return countFolder(await this.checkRoot(), this.rules, ctx.signal);
  }

  /** One entry of the walk: a document, or a failure. */
  private entry(b: WalkBatch, i: number, ctx: SyncContext): Found | Promise<Found> | undefined {
    const rel = b.rel[i]!;
    const id = `${this.base}/${rel}`;
    const kind = b.kind[i] as EntryKind;
    const message = () => b.messages.find(([at]) => at === i) ?? [i, 'unknown error', undefined];
    switch (kind) {
      case EntryKind.DirectoryFailed: {
        const [, why, code] = message();
        return { kind: 'failure', location: `${this.base}/${rel ? `${rel}/` : ''}`, reason: `cannot read the folder: ${why}`, sourceCode: code };
      }
      case EntryKind.StatFailed: {
        const [, why, code] = message();
        return { kind: 'failure', id, reason: `cannot stat ${id}: ${why}`, sourceCode: code };
      }
      case EntryKind.SymbolicLink:
        return { kind: 'failure', id, reason: `${id} is a symbolic link; kendrite does not follow links (one could lead out of the folder). Exclude it with an exclusion pattern to silence this.` };
      case EntryKind.NotAFile:
        return { kind: 'failure', id, reason: `${id} is not a regular file` };
      case EntryKind.HardLink:
        return { kind: 'failure', id, reason: HARD_LINK(id) };
    }
    const st: SeenFile = { size: b.size[i]!, mtimeMs: b.mtimeMs[i]!, ino: b.ino[i]!, dev: b.dev[i]! };
    return kind === EntryKind.FileMaybeSide ? this.document(id, rel, st, ctx) : this.plainDocument(id, rel, st, { attributes: [] }, '', ctx);
  }

  /** A file with a side file to read (or, in a huge directory, perhaps one). */
  private async document(id: string, rel: string, st: SeenFile, ctx: SyncContext): Promise<Found> {
    const side = `${this.realBase}/${rel}${METADATA_SUFFIX}`;
    try {
      const sideSt = fs.lstatSync(side, { throwIfNoEntry: false });
      if (!sideSt) return this.plainDocument(id, rel, st, { attributes: [] }, '', ctx);
      if (!sideSt.isFile()) throw new MetadataError(`metadata file ${id}${METADATA_SUFFIX} is not a regular file (links are not followed)`);
      if (sideSt.nlink > 1 && !this.allowHardLinks) throw new MetadataError(`metadata file ${HARD_LINK(id + METADATA_SUFFIX)}`);
      const meta = parseMetadata(await readFileAt(side, sideSt, MAX_METADATA_BYTES, this.allowHardLinks), id + METADATA_SUFFIX);
      return this.plainDocument(id, rel, st, meta, `;${sideSt.size}:${sideSt.mtimeMs}`, ctx);
    } catch (e) {
      return { kind: 'failure', id, reason: e instanceof MetadataError ? e.message : `cannot read metadata file ${id}${METADATA_SUFFIX}: ${(e as Error).message}` };
    }
  }

  private plainDocument(id: string, rel: string, st: SeenFile, meta: DocumentMetadata, metaVersion: string, ctx: SyncContext): Found {
    const docId = meta.documentId ?? id;
    if (st.size > ctx.maxDocumentBytes) return { kind: 'failure', id: docId, reason: `${id} is ${st.size} bytes, over the limit of ${ctx.maxDocumentBytes} bytes` };
    const real = `${this.realBase}/${rel}`;
    return {
      kind: 'document',
      id: docId,
      version: `${st.size}:${st.mtimeMs}${metaVersion}`,
      fetch: async (): Promise<RawDocument> => ({
        content: await readFileAt(real, st, ctx.maxDocumentBytes, this.allowHardLinks),
        title: meta.title,
        defaultTitle: path.basename(id),
        contentType: meta.contentType,
        fileName: id,
        access: meta.access,
        accessConfigurationId: meta.accessConfigurationId,
        attributes: meta.attributes.some((a) => a.Key === '_source_uri') ? meta.attributes : [...meta.attributes, { Key: '_source_uri', Value: { StringValue: pathToFileURL(id).href } }],
      }),
    };
  }
}

/**
 * Reads a file only if it is still the file the walk saw: opened without following a link, and the
 * same inode. A directory on the way swapped for a link after the walk therefore cannot lead elsewhere.
 * (The callback API: a FileHandle costs more than the read of a small file.) Only the calls that may
 * wait on the disk leave this thread — the open (the path's lookup) and the reads; the fstat and the
 * close of the open descriptor touch nothing but its inode in memory, and run here: each call sent to
 * libuv's threads cost ~20 µs of CPU (the request, its thread's wake-up, the callback and its promise),
 * ~40 % of a small file's fetch on the main thread.
 */
async function readFileAt(file: string, seen: Pick<SeenFile, 'ino' | 'dev'>, max: number, allowHardLinks: boolean): Promise<Uint8Array> {
  const fd = await openFd(file, OPEN_FLAGS).catch((e: NodeJS.ErrnoException) => {
    throw e.code === 'ELOOP' ? new Error(`${file} became a symbolic link; links are not followed`) : e;
  });
  try {
    const st = fs.fstatSync(fd);
    if (st.ino !== seen.ino || st.dev !== seen.dev) throw new Error(`${file} was replaced during the sync; it is read again at the next sync`);
    if (!st.isFile()) throw new Error(`${file} is not a regular file`);
    if (st.nlink > 1 && !allowHardLinks) throw new Error(HARD_LINK(file));
    if (st.size > max) throw new Error(`${file} is ${st.size} bytes, over the limit of ${max} bytes`);
    const buf = Buffer.allocUnsafe(st.size);
    let at = 0;
    while (at < buf.length) {
      const bytesRead = await readFd(fd, buf, at, buf.length - at, at);
      if (bytesRead === 0) break;
      at += bytesRead;
    }
    return buf.subarray(0, at);
  } finally {
    try {
      fs.closeSync(fd);
    } catch {
      // nothing to do: the descriptor is gone either way
    }
  }
}

const openFd = promisify(fs.open);
const readFd = (fd: number, buf: Buffer, offset: number, length: number, position: number) =>
  new Promise<number>((resolve, reject) => fs.read(fd, buf, offset, length, position, (e, n) => (e ? reject(e) : resolve(n))));

function isInside(p: string, root: string): boolean {
  const r = path.relative(root, p);
  return r === '' || (r !== '..' && !r.startsWith(`..${path.sep}`) && !path.isAbsolute(r));
}
