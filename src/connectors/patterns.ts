// D-7: inclusion and exclusion patterns of S3 and folder sources, with the rules of the AWS CLI's
// --include/--exclude (Python's fnmatch, case-sensitive): `*` any run of characters, `/` included;
// `?` one character; `[...]` a class (`[!...]` negated, a leading `]` literal). The pattern must match
// the whole key or relative path. An exclusion match wins over an inclusion.

/** Compiles one glob into an anchored regular expression, as fnmatch.translate does. */
export function globToRegExp(glob: string): RegExp {
  let re = '';
  let i = 0;
  const n = glob.length;
  while (i < n) {
    const c = glob[i++]!;
    if (c === '*') {
      while (glob[i] === '*') i++;
      re += '[\\s\\S]*';
    } else if (c === '?') {
      re += '[\\s\\S]';
    } else if (c === '[') {
      let j = i;
      if (glob[j] === '!') j++;
      if (glob[j] === ']') j++;
      while (j < n && glob[j] !== ']') j++;
      if (j >= n) {
        re += '\\[';
        continue;
      }
      let body = glob.slice(i, j);
      i = j + 1;
      let negate = false;
      if (body.startsWith('!')) {
        negate = true;
        body = body.slice(1);
      }
      // Inside a JS class only \ ] ^ need escaping (a '-' keeps its range meaning, as in fnmatch).
      const cls = [...body].map((ch) => (ch === '\\' || ch === ']' || ch === '^' ? `\\${ch}` : ch)).join('');
      re += negate ? `[^${cls}]` : `[${cls}]`;
    } else {
      re += c.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');
    }
  }
  return new RegExp(`^${re}$`, 'u');
}

export interface FilterRules {
  inclusionPrefixes?: string[];
  inclusionPatterns?: string[];
  exclusionPatterns?: string[];
}

/** Decides whether a key (or relative path) is part of the source. */
export class KeyFilter {
  private readonly prefixes: string[];
  private readonly include: RegExp[];
  private readonly exclude: RegExp[];

  constructor(rules: FilterRules) {
    this.prefixes = (rules.inclusionPrefixes ?? []).filter((p) => p.length > 0);
    this.include = (rules.inclusionPatterns ?? []).map(globToRegExp);
    this.exclude = (rules.exclusionPatterns ?? []).map(globToRegExp);
  }

  includes(key: string): boolean {
    if (this.prefixes.length && !this.prefixes.some((p) => key.startsWith(p))) return false;
    if (this.exclude.some((r) => r.test(key))) return false;
    return this.include.length === 0 || this.include.some((r) => r.test(key));
  }
}

/**
 * The prefixes to list so that every key is listed once, in key order: nested prefixes dropped
 * ("a/" covers "a/b/"), the rest sorted. No prefix means the whole bucket ('').
 */
export function listingPrefixes(prefixes: string[] | undefined): string[] {
  const sorted = [...new Set((prefixes ?? []).filter((p) => p.length > 0))].sort(compareKeys);
  if (!sorted.length) return [''];
  const out: string[] = [];
  for (const p of sorted) if (!out.some((q) => p.startsWith(q))) out.push(p);
  return out;
}

/** S3's key order: by UTF-8 bytes (JS compares UTF-16 units, which differs above U+FFFF). */
export function compareKeys(a: string, b: string): number {
  return Buffer.compare(Buffer.from(a, 'utf8'), Buffer.from(b, 'utf8'));
}
