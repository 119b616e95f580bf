// The local folder connector (TEMPLATE with "type": "FILESYSTEM", kendrite's own template). It walks
// the configured folder recursively, one directory at a time, and never leaves it: the folder must lie
// inside one of the operator's allowed roots, symbolic links are refused (reported as failed
// documents, never followed), and a file is read only if it is still the very file the walk saw.
import fs, { constants, type Dir, type Dirent, type Stats } from 'node:fs';
import { lstat, realpath } from 'node:fs/promises';
import { promisify } from 'node:util';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import type { Connector, Found, RawDocument, SyncContext } from './contract.js';
import { SourceError } from './contract.js';
import { MAX_METADATA_BYTES, METADATA_SUFFIX, MetadataError, parseMetadata, type DocumentMetadata } from './metadata.js';
import { KeyFilter, type FilterRules } from './patterns.js';

export interface FolderSource extends FilterRules {
  /** Absolute path of the folder, as configured. */
  path: string;
}

/** A directory with more entries than this is read as a stream instead of whole (memory stays bounded). */
const WHOLE_DIRECTORY = 10_000;
/** Longest stretch of synchronous directory reading and lstat before the event loop gets a turn. */
const SLICE_MS = 5;

const OPEN_FLAGS = constants.O_RDONLY | (constants.O_NOFOLLOW ?? 0);

export class FolderConnector implements Connector {
  private readonly filter: KeyFilter;
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
  ) {
    this.filter = new KeyFilter({ inclusionPatterns: source.inclusionPatterns, exclusionPatterns: source.exclusionPatterns });
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
   * Depth-first, one directory at a time: its files first, then its subdirectories (only their names
   * wait on the stack). Directory reads and lstat are synchronous — for local disks several times
   * cheaper than the thread pool's round trip — in slices of at most SLICE_MS, between which the
   * event loop runs, so requests are served during a walk of any size.
   */
  async *enumerate(ctx: SyncContext): AsyncGenerator<Found> {
    this.realRoot = await this.checkRoot();
    this.realBase = this.realRoot === '/' ? '' : this.realRoot;
    const pending: string[] = [''];
    let slice = performance.now();
    while (pending.length) {
      const rel = pending.pop()!;
      const subdirs: string[] = [];
      let dir: Dir;
      try {
        dir = fs.opendirSync(rel ? `${this.realBase}/${rel}` : this.realRoot, { bufferSize: 1024 });
      } catch (e) {
        yield { kind: 'failure', location: `${this.base}/${rel ? `${rel}/` : ''}`, reason: `cannot read the folder: ${(e as Error).message}`, sourceCode: (e as NodeJS.ErrnoException).code };
        continue;
      }
      try {
        // A directory of up to WHOLE_DIRECTORY entries is read whole and sorted (a stable order, and its
        // side files known by name); a larger one is taken in the order the file system gives.
        const first: Dirent[] = [];
        let entry: Dirent | null = null;
        while (first.length < WHOLE_DIRECTORY && (entry = dir.readSync())) first.push(entry);
        const whole = entry === null;
        const names = whole ? new Set(first.map((e) => e.name)) : undefined;
        if (whole) first.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
        let i = 0;
        for (;;) {
          const e = i < first.length ? first[i++] : whole ? null : dir.readSync();
          if (!e) break;
          if (performance.now() - slice > SLICE_MS) {
            await new Promise((r) => setImmediate(r));
            if (ctx.signal.aborted) return;
            slice = performance.now();
          }
          const relPath = rel ? `${rel}/${e.name}` : e.name;
          if (e.isDirectory()) subdirs.push(relPath);
          else if (!e.name.endsWith(METADATA_SUFFIX) && this.filter.includes(relPath)) {
            const found = this.entry(relPath, names, subdirs, ctx);
            if (found) yield found instanceof Promise ? await found : found;
          }
        }
      } finally {
        dir.closeSync();
      }
      for (let j = subdirs.length - 1; j >= 0; j--) pending.push(subdirs[j]!);
    }
  }

  /** One non-directory entry: a document, a failure, nothing (it vanished), or a directory after all. */
  private entry(rel: string, names: Set<string> | undefined, subdirs: string[], ctx: SyncContext): Found | Promise<Found> | undefined {
    const id = `${this.base}/${rel}`;
    let st: Stats | undefined;
    try {
      st = fs.lstatSync(`${this.realBase}/${rel}`, { throwIfNoEntry: false });
    } catch (e) {
      return { kind: 'failure', id, reason: `cannot stat ${id}: ${(e as Error).message}`, sourceCode: (e as NodeJS.ErrnoException).code };
    }
    if (!st) return undefined; // gone since the directory was read
    if (st.isSymbolicLink())
      return { kind: 'failure', id, reason: `${id} is a symbolic link; kendrite does not follow links (one could lead out of the folder). Exclude it with an exclusion pattern to silence this.` };
    if (st.isDirectory()) {
      subdirs.push(rel); // a file system that reports no entry types
      return undefined;
    }
    if (!st.isFile()) return { kind: 'failure', id, reason: `${id} is not a regular file` };
    const hasSideFile = !names || names.has(rel.slice(rel.lastIndexOf('/') + 1) + METADATA_SUFFIX);
    return hasSideFile ? this.document(id, rel, st, ctx) : this.plainDocument(id, rel, st, { attributes: [] }, '', ctx);
  }

  /** A file with a side file to read (or, in a huge directory, perhaps one). */
  private async document(id: string, rel: string, st: Stats, ctx: SyncContext): Promise<Found> {
    const side = `${this.realBase}/${rel}${METADATA_SUFFIX}`;
    try {
      const sideSt = fs.lstatSync(side, { throwIfNoEntry: false });
      if (!sideSt) return this.plainDocument(id, rel, st, { attributes: [] }, '', ctx);
      if (!sideSt.isFile()) throw new MetadataError(`metadata file ${id}${METADATA_SUFFIX} is not a regular file (links are not followed)`);
      const meta = parseMetadata(await readFileAt(side, sideSt, MAX_METADATA_BYTES), id + METADATA_SUFFIX);
      return this.plainDocument(id, rel, st, meta, `;${sideSt.size}:${sideSt.mtimeMs}`, ctx);
    } catch (e) {
      return { kind: 'failure', id, reason: e instanceof MetadataError ? e.message : `cannot read metadata file ${id}${METADATA_SUFFIX}: ${(e as Error).message}` };
    }
  }

  private plainDocument(id: string, rel: string, st: Stats, meta: DocumentMetadata, metaVersion: string, ctx: SyncContext): Found {
    const docId = meta.documentId ?? id;
    if (st.size > ctx.maxDocumentBytes) return { kind: 'failure', id: docId, reason: `${id} is ${st.size} bytes, over the limit of ${ctx.maxDocumentBytes} bytes` };
    const real = `${this.realBase}/${rel}`;
    return {
      kind: 'document',
      id: docId,
      version: `${st.size}:${st.mtimeMs}${metaVersion}`,
      fetch: async (): Promise<RawDocument> => ({
        content: await readFileAt(real, st, ctx.maxDocumentBytes),
        title: meta.title,
        defaultTitle: path.basename(id),
        contentType: meta.contentType,
        fileName: id,
        attributes: meta.attributes.some((a) => a.Key === '_source_uri') ? meta.attributes : [...meta.attributes, { Key: '_source_uri', Value: { StringValue: pathToFileURL(id).href } }],
      }),
    };
  }
}

/**
 * Reads a file only if it is still the file the walk saw: opened without following a link, and the
 * same inode. A directory on the way swapped for a link after the walk therefore cannot lead elsewhere.
 * (The callback API: a FileHandle costs more than the read of a small file.)
 */
async function readFileAt(file: string, seen: Stats, max: number): Promise<Uint8Array> {
  const fd = await openFd(file, OPEN_FLAGS).catch((e: NodeJS.ErrnoException) => {
    throw e.code === 'ELOOP' ? new Error(`${file} became a symbolic link; links are not followed`) : e;
  });
  try {
    const st = await fstatFd(fd);
    if (st.ino !== seen.ino || st.dev !== seen.dev) throw new Error(`${file} was replaced during the sync; it is read again at the next sync`);
    if (!st.isFile()) throw new Error(`${file} is not a regular file`);
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
    await closeFd(fd).catch(() => undefined);
  }
}

const openFd = promisify(fs.open);
const fstatFd = promisify(fs.fstat);
const closeFd = promisify(fs.close);
const readFd = (fd: number, buf: Buffer, offset: number, length: number, position: number) =>
  new Promise<number>((resolve, reject) => fs.read(fd, buf, offset, length, position, (e, n) => (e ? reject(e) : resolve(n))));

function isInside(p: string, root: string): boolean {
  const r = path.relative(root, p);
  return r === '' || (r !== '..' && !r.startsWith(`..${path.sep}`) && !path.isAbsolute(r));
}
