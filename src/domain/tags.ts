import { invalid } from './errors.js';

export interface Tag {
  Key: string;
  Value: string;
}

/** Tags as given, refused (as AWS refuses them) when one key comes twice: which value would win is not for us to guess. */
export function distinctTags<T extends readonly Tag[]>(tags: T): T {
  const seen = new Set<string>();
  for (const t of tags) {
    if (seen.has(t.Key)) throw invalid(`Tags has the key '${t.Key}' more than once; each tag key may be given once.`);
    seen.add(t.Key);
  }
  return tags;
}
