/** Deterministic pseudo-random text for the indexing benches, so every run indexes the same corpus. */

/** A seeded generator of numbers in [0, 1). */
export function rng(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const SYLLABLES = ['ka', 'lo', 'mi', 'ne', 'ru', 'sa', 'ti', 'vo', 'ze', 'pa', 'qu', 'di', 'fo', 'ga', 'hu', 'je', 'wi', 'xo', 'by', 'co'];

/** About `bytes` bytes of words made of syllables, with a full stop now and then. */
export function words(r: () => number, bytes: number): string {
  const out: string[] = [];
  let n = 0;
  while (n < bytes) {
    let w = '';
    const len = 1 + Math.floor(r() * 4);
    for (let i = 0; i < len; i++) w += SYLLABLES[Math.floor(r() * SYLLABLES.length)];
    out.push(w);
    n += w.length + 1;
    if (r() < 0.08) out[out.length - 1] += '.';
  }
  return out.join(' ');
}
