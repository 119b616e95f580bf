// The folder connector's walk, on a worker thread of its own: directory reads and lstat of every entry
// (the part of a folder sync that grows with the folder) run beside the main thread, which meanwhile
// compares versions and writes the index. The walk posts what it found in batches; the main thread turns
// them into documents (src/connectors/filesystem.ts). A bounded number of batches is in flight: the walk
// waits (Atomics.wait) while the main thread is behind, so memory stays flat whatever the folder's size.
// A worker serves one walk after another (starting one costs tens of milliseconds).
import fs, { type Dir, type Dirent, type Stats } from 'node:fs';
import { parentPort, workerData } from 'node:worker_threads';
import { METADATA_SUFFIX } from './metadata.js';
import { KeyFilter, type FilterRules } from './patterns.js';

/** What the walk found at one path (a file to sync, or why it cannot be). */
export const EntryKind = {
  /** A regular file with no side file next to it. */
  File: 0,
  /** A regular file whose directory may hold its side file: the main thread looks. */
  FileMaybeSide: 1,
  SymbolicLink: 2,
  NotAFile: 3,
  /** lstat failed: `messages` says why. */
  StatFailed: 4,
  /** The directory could not be read: `rel` is the directory, `messages` says why. */
  DirectoryFailed: 5,
  /** A regular file with more than one link (refused unless the operator allows hard links). */
  HardLink: 6,
} as const;
export type EntryKind = (typeof EntryKind)[keyof typeof EntryKind];

/** One batch, column by column (cheap to copy between threads). Sizes and times as lstat gave them. */
export interface WalkBatch {
  rel: string[];
  kind: Uint8Array;
  size: Float64Array;
  mtimeMs: Float64Array;
  ino: Float64Array;
  dev: Float64Array;
  /** For failed entries: [position in the batch, message, error code]. */
  messages: [number, string, string | undefined][];
}

export type WalkMessage = { walk: number } & ({ batch: WalkBatch } | { done: true });

export interface WalkInput {
  /** Names this walk in the messages that answer it. */
  walk: number;
  /** The folder, resolved (no links on the way), as checked by the connector. */
  realRoot: string;
  rules: FilterRules;
  allowHardLinks: boolean;
  /** Two Int32s: [IN_FLIGHT] batches posted and not yet taken by the main thread; [CANCELLED] 1 once the walk must end. */
  control: SharedArrayBuffer;
}

export const IN_FLIGHT = 0;
export const CANCELLED = 1;

/** Batches the walk may post ahead of the main thread, and entries per batch. */
export const MAX_IN_FLIGHT = 4;
export const BATCH_ENTRIES = 512;
/** A directory with more entries than this is read as a stream instead of whole (memory stays bounded). */
const WHOLE_DIRECTORY = 10_000;

/**
 * Depth-first, one directory at a time: its files first, then its subdirectories (only their names
 * wait on the stack). A directory of up to WHOLE_DIRECTORY entries is read whole and sorted (a stable
 * order, and its side files known by name); a larger one is taken in the order the file system gives.
 */
function walk(input: WalkInput, post: (m: WalkMessage) => void): void {
  const filter = new KeyFilter(input.rules);
  const base = input.realRoot === '/' ? '' : input.realRoot;
  const control = new Int32Array(input.control);
  const cancelled = () => Atomics.load(control, CANCELLED) !== 0;
  let batch = newBatch();
  let n = 0;
  const flush = () => {
    if (n === 0) return;
    for (let busy = Atomics.load(control, IN_FLIGHT); busy >= MAX_IN_FLIGHT && !cancelled(); busy = Atomics.load(control, IN_FLIGHT)) Atomics.wait(control, IN_FLIGHT, busy, 1000);
    if (cancelled()) {
      n = 0;
      return;
    }
    Atomics.add(control, IN_FLIGHT, 1);
    post({ walk: input.walk, batch: trimmed(batch, n) });
    batch = newBatch();
    n = 0;
  };
  const add = (rel: string, kind: EntryKind, st?: Stats, message?: string, code?: string) => {
    batch.rel[n] = rel;
    batch.kind[n] = kind;
    if (st) {
      batch.size[n] = st.size;
      batch.mtimeMs[n] = st.mtimeMs;
      batch.ino[n] = st.ino;
      batch.dev[n] = st.dev;
    }
    if (message !== undefined) batch.messages.push([n, message, code]);
    if (++n === BATCH_ENTRIES) flush();
  };

  const pending: string[] = [''];
  while (pending.length && !cancelled()) {
    const rel = pending.pop()!;
    const subdirs: string[] = [];
    let dir: Dir;
    try {
      dir = fs.opendirSync(rel ? `${base}/${rel}` : input.realRoot, { bufferSize: 1024 });
    } catch (e) {
      add(rel, EntryKind.DirectoryFailed, undefined, (e as Error).message, (e as NodeJS.ErrnoException).code);
      continue;
    }
    try {
      const first: Dirent[] = [];
      let entry: Dirent | null = null;
      while (first.length < WHOLE_DIRECTORY && (entry = dir.readSync())) first.push(entry);
      const whole = entry === null;
      const names = whole ? new Set(first.map((e) => e.name)) : undefined;
      if (whole) first.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
      let i = 0;
      for (;;) {
        const e = i < first.length ? first[i++] : whole ? null : dir.readSync();
        if (!e || cancelled()) break;
        const relPath = rel ? `${rel}/${e.name}` : e.name;
        if (e.isDirectory()) subdirs.push(relPath);
        else if (!e.name.endsWith(METADATA_SUFFIX) && filter.includes(relPath)) {
          let st: Stats | undefined;
          try {
            st = fs.lstatSync(`${base}/${relPath}`, { throwIfNoEntry: false });
          } catch (err) {
            add(relPath, EntryKind.StatFailed, undefined, (err as Error).message, (err as NodeJS.ErrnoException).code);
            continue;
          }
          if (!st) continue; // gone since the directory was read
          if (st.isSymbolicLink()) add(relPath, EntryKind.SymbolicLink);
          else if (st.isDirectory()) subdirs.push(relPath); // a file system that reports no entry types
          else if (!st.isFile()) add(relPath, EntryKind.NotAFile);
          else if (st.nlink > 1 && !input.allowHardLinks) add(relPath, EntryKind.HardLink, st);
          else add(relPath, !names || names.has(e.name + METADATA_SUFFIX) ? EntryKind.FileMaybeSide : EntryKind.File, st);
        }
      }
    } finally {
      dir.closeSync();
    }
    for (let j = subdirs.length - 1; j >= 0; j--) pending.push(subdirs[j]!);
  }
  flush();
  post({ walk: input.walk, done: true });
}

function newBatch(): WalkBatch {
  return {
    rel: [],
    kind: new Uint8Array(BATCH_ENTRIES),
    size: new Float64Array(BATCH_ENTRIES),
    mtimeMs: new Float64Array(BATCH_ENTRIES),
    ino: new Float64Array(BATCH_ENTRIES),
    dev: new Float64Array(BATCH_ENTRIES),
    messages: [],
  };
}

function trimmed(b: WalkBatch, n: number): WalkBatch {
  if (n === BATCH_ENTRIES) return b;
  return { rel: b.rel, kind: b.kind.slice(0, n), size: b.size.slice(0, n), mtimeMs: b.mtimeMs.slice(0, n), ino: b.ino.slice(0, n), dev: b.dev.slice(0, n), messages: b.messages };
}

if (parentPort && (workerData as { folderWalker?: boolean } | undefined)?.folderWalker) {
  const port = parentPort;
  const buffers = (m: WalkMessage) => ('batch' in m ? [m.batch.kind.buffer, m.batch.size.buffer, m.batch.mtimeMs.buffer, m.batch.ino.buffer, m.batch.dev.buffer] : []);
  port.on('message', (input: WalkInput) => walk(input, (m) => port.postMessage(m, buffers(m) as ArrayBuffer[])));
}
