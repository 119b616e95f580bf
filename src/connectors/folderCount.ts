// How many entries the folder walk (folderWalk.ts) will yield, counted by reading directories only
// (no lstat, no file opened): the total of a sync's progress, known long before the walk, which stays
// a few batches ahead of the fetches, reaches the end. An estimate: the walk's lstat may still find
// an entry gone, or of a type the directory did not tell.
import { opendir } from 'node:fs/promises';
import { METADATA_SUFFIX } from './metadata.js';
import { KeyFilter, type FilterRules } from './patterns.js';

export async function countFolder(realRoot: string, rules: FilterRules, signal: AbortSignal): Promise<number> {
  const filter = new KeyFilter(rules);
  const base = realRoot === '/' ? '' : realRoot;
  const pending = [''];
  let count = 0;
  while (pending.length) {
    if (signal.aborted) throw signal.reason ?? new Error('aborted');
    const rel = pending.pop()!;
    let dir;
    try {
      dir = await opendir(rel ? `${base}/${rel}` : realRoot, { bufferSize: 1024 });
    } catch {
      continue; // the walk reports it (as one failure with no document)
    }
    for await (const e of dir) {
      const relPath = rel ? `${rel}/${e.name}` : e.name;
      if (e.isDirectory()) pending.push(relPath);
      else if (!e.name.endsWith(METADATA_SUFFIX) && filter.includes(relPath)) count++;
    }
  }
  return count;
}
