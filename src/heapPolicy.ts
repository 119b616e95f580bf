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
 * Each isolate's semi-space at most, MB (its young generation is three: 48 MB). Node 20 and 22 (V8
 * 11–12) give a 64-bit process with more than 2 GB this much by default; Node 24 (V8 13) sizes it from
 * the machine's memory instead, 64 MB on this 23 GB machine — 192 MB of young generation a thread, and
 * a sync's documents, which survive their first collections, make it grow that far: folderSync's peak
 * RSS on Node 24 was 359 MB against 246 on Node 20. V8 sizes an isolate's young generation when it
 * makes it, so this bound reaches the main thread only from node's command line (`npm start` passes
 * `--max-semi-space-size` with this value, test/heap-policy.test.ts checks it); every thread the server
 * starts after applyHeapPolicy() has it from the flag set here.
 */
export const SEMI_SPACE_MB = 16;

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
 * 3. Worker threads' young generation the same on every Node version (SEMI_SPACE_MB), where a thread
 *    sets none of its own (the writer's and the folder walk's are smaller).
 */
export function applyHeapPolicy(): void {
  v8.setFlagsFromString('--no-allocation-site-pretenuring');
  v8.setFlagsFromString(`--heap-growing-percent=${OLD_GENERATION_GROWTH_PERCENT}`);
  v8.setFlagsFromString(`--max-semi-space-size=${SEMI_SPACE_MB}`);
}
