import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { rng } from './corpusText.js';

/**
 * Text files of 1–4 KB, 1,000 per directory, of made-up words starting "xq" (no word of the query
 * bench's corpus has an x or a q): a sync's work that changes no query's matches.
 */
export function writeUnmatchedFiles(root: string, n: number): void {
  const r = rng(14);
  for (let i = 0; i < n; i++) {
    const dir = path.join(root, `d${Math.floor(i / 1000)}`);
    if (i % 1000 === 0) mkdirSync(dir, { recursive: true });
    const words = Array.from({ length: 150 + Math.floor(r() * 450) }, () => `xq${Math.floor(r() * 20_000).toString(36)}`);
    writeFileSync(path.join(dir, `f${i}.txt`), `${words.join(' ')}.\n`);
  }
}
