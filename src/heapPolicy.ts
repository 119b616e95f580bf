import v8 from 'node:v8';

/**
 * How far V8 lets the old generation grow past what the last full collection left alive before it
 * collects again: 50 % (V8's own factor moves between 1.1 and 4 with its measured GC speed, and
 * stays near 4 on a heap that is mostly short-lived documents). A sync's documents (each file's text,
 * its extracted passages, the batch that carries them to the writer) wait long enough to survive the
 * young generation, so they die in the old one: on a folder of 100,000 files the main isolate's old
 * space grew from ~40 MB alive to 145 MB before each full collection, and the server's peak RSS
 * followed it (316.8 MB at 100,000 files against ~280 at 10,000). At 50 % the old space stays under
 * 60 MB and the peak RSS is 241.7 MB at 100,000 files against 230.7 at 10,000, with the same full
 * sync CPU per document (2,318 µs against 2,347) — docs/benchmark-history.md, 2026-12-07.
 */
export const OLD_GENERATION_GROWTH_PERCENT = 50;

/**
 * The server's V8 heap policy, set once at start. V8's flags belong to the process, so these apply to
 * the main isolate and to every worker thread's alike.
 *
 * 1. Allocation-site pretenuring off. During a full sync, the objects a connector lists (each
 *    document's id, version and fetch closure) wait seconds for their fetch and extraction, so V8 marks
 *    the code sites that allocate them "long-lived" and from then on allocates them straight in the old
 *    generation. A later no-change resync allocates the same objects a hundred thousand times a second
 *    and drops them at once: garbage that piles up in the old generation until a full collection.
 *    Measured on a folder of 100,000 files: the process's RSS rose from ~170 MB to ~250 MB during
 *    resyncs with pretenuring, and stayed at ~173 MB (resyncs ~15 % faster) without. Nothing kendrite
 *    keeps is long-lived enough for pretenuring to pay off.
 * 2. The old generation's growth between full collections bounded (OLD_GENERATION_GROWTH_PERCENT):
 *    what still dies there, dies in a heap at most half again its live size.
 */
export function applyHeapPolicy(): void {
  v8.setFlagsFromString('--no-allocation-site-pretenuring');
  v8.setFlagsFromString(`--heap-growing-percent=${OLD_GENERATION_GROWTH_PERCENT}`);
}
