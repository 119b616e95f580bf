// D-7: inclusion and exclusion patterns of S3 and folder sources, with the rules of the AWS CLI's
// --include/--exclude (Python's fnmatch, case-sensitive): `*` any run of characters, `/` included;
// `?` one character; `[...]` a class (`[!...]` negated, a leading `]` literal). The pattern must match
// the whole key or relative path. An exclusion match wins over an inclusion.

// Matching never backtracks: the pattern is cut at its stars into segments of single-character
// atoms; the first segment must match at the start, the last at the end, and each one between at its
// leftmost place after the previous (leftmost is always right when only stars separate them). A key
// costs at most its length times the pattern's; a regular expression took exponential time on
// patterns like `*a*a*a*a*a*a*a*a*a*a*b` (70 s on one key, the server frozen).

/** A class `[...]`: code points and inclusive ranges [lo, hi, lo, hi, …]. */
interface CharClass {
  negate: boolean;
  chars: number[];
  ranges: number[];
}
/** One character of a segment: a code point, ANY (`?`), or a class. */
type Atom = number | CharClass;
const ANY = -1;

/** A compiled glob; `new Glob(p)` throws on a class no glob can mean (a range out of order). */
export class Glob {
  /** The pattern cut at its stars (runs of stars count as one). */
  private readonly segments: Atom[][];
  private readonly starred: boolean;

  constructor(readonly pattern: string) {
    const glob = Array.from(pattern);
    const segments: Atom[][] = [[]];
    let i = 0;
    const n = glob.length;
    while (i < n) {
      const c = glob[i++]!;
      if (c === '*') {
        while (glob[i] === '*') i++;
        segments.push([]);
        continue;
      }
      const segment = segments[segments.length - 1]!;
      if (c === '?') segment.push(ANY);
      else if (c === '[') {
        // As fnmatch.translate: an optional '!', then a ']' first is literal; no closing ']' leaves '[' literal.
        let j = i;
        if (glob[j] === '!') j++;
        if (glob[j] === ']') j++;
        while (j < n && glob[j] !== ']') j++;
        if (j >= n) {
          segment.push(0x5b);
          continue;
        }
        const negate = glob[i] === '!';
        segment.push(charClass(glob.slice(negate ? i + 1 : i, j), negate, pattern));
        i = j + 1;
      } else segment.push(c.codePointAt(0)!);
    }
    this.segments = segments;
    this.starred = segments.length > 1;
  }

  matches(key: string): boolean {
    const k = codePoints(key);
    const segs = this.segments;
    const first = segs[0]!;
    if (!this.starred) return k.length === first.length && matchesAt(first, k, 0);
    const last = segs[segs.length - 1]!;
    const end = k.length - last.length;
    if (end < first.length || !matchesAt(first, k, 0) || !matchesAt(last, k, end)) return false;
    let from = first.length;
    for (let s = 1; s < segs.length - 1; s++) {
      const seg = segs[s]!;
      let at = from;
      while (at + seg.length <= end && !matchesAt(seg, k, at)) at++;
      if (at + seg.length > end) return false;
      from = at + seg.length;
    }
    return true;
  }
}

/** A class body as a JavaScript class reads it: `a-c` a range, a '-' first or last (or after a range) itself. */
function charClass(body: string[], negate: boolean, pattern: string): CharClass {
  const cls: CharClass = { negate, chars: [], ranges: [] };
  for (let i = 0; i < body.length; i++) {
    const lo = body[i]!.codePointAt(0)!;
    if (body[i + 1] === '-' && i + 2 < body.length) {
      const hi = body[i + 2]!.codePointAt(0)!;
      if (hi < lo) throw new Error(`range out of order in the class of '${pattern}'`);
      cls.ranges.push(lo, hi);
      i += 2;
    } else cls.chars.push(lo);
  }
  return cls;
}

function matchesAt(segment: Atom[], key: number[], at: number): boolean {
  for (let i = 0; i < segment.length; i++) {
    const atom = segment[i]!;
    const c = key[at + i]!;
    if (typeof atom === 'number') {
      if (atom !== c && atom !== ANY) return false;
    } else if (inClass(atom, c) === atom.negate) return false;
  }
  return true;
}

function inClass(cls: CharClass, c: number): boolean {
  if (cls.chars.includes(c)) return true;
  for (let r = 0; r < cls.ranges.length; r += 2) if (c >= cls.ranges[r]! && c <= cls.ranges[r + 1]!) return true;
  return false;
}

/** The key's code points (`?` is one character, not one UTF-16 unit); a lone surrogate counts as one. */
function codePoints(s: string): number[] {
  const out: number[] = [];
  for (let i = 0; i < s.length; i++) {
    const c = s.codePointAt(i)!;
    out.push(c);
    if (c > 0xffff) i++;
  }
  return out;
}

export interface FilterRules {
  inclusionPrefixes?: string[];
  inclusionPatterns?: string[];
  exclusionPatterns?: string[];
}

/** Decides whether a key (or relative path) is part of the source. */
export class KeyFilter {
  private readonly prefixes: string[];
  private readonly include: Glob[];
  private readonly exclude: Glob[];

  constructor(rules: FilterRules) {
    this.prefixes = (rules.inclusionPrefixes ?? []).filter((p) => p.length > 0);
    this.include = (rules.inclusionPatterns ?? []).map((p) => new Glob(p));
    this.exclude = (rules.exclusionPatterns ?? []).map((p) => new Glob(p));
  }

  includes(key: string): boolean {
    if (this.prefixes.length && !this.prefixes.some((p) => key.startsWith(p))) return false;
    if (this.exclude.some((g) => g.matches(key))) return false;
    return this.include.length === 0 || this.include.some((g) => g.matches(key));
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
