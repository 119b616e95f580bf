import v8 from 'node:v8';

/**
 * V8's allocation-site pretenuring, turned off for the server. During a full sync, the objects a
 * connector lists (each document's id, version and fetch closure) wait seconds for their fetch and
 * extraction, so V8 marks the code sites that allocate them "long-lived" and from then on allocates
 * them straight in the old generation. A later no-change resync allocates the same objects a hundred
 * thousand times a second and drops them at once: garbage that piles up in the old generation until
 * a full collection, which V8 lets grow to about four times the live heap. Measured on a folder of
 * 100,000 files: the process's RSS rose from ~170 MB to ~250 MB during resyncs with pretenuring, and
 * stayed at ~173 MB (resyncs ~15 % faster) without. Nothing kendrite keeps is long-lived enough
 * for pretenuring to pay off.
 */
export function applyHeapPolicy(): void {
  v8.setFlagsFromString('--no-allocation-site-pretenuring');
}
