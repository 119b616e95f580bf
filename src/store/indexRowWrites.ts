/**
 * A count of this process's writes that change what a Query reads on an index's row: the row itself
 * (status, settings) and the tables whose triggers bump its features_version (migrations/featureTables.ts).
 * domain/indices.ts serves a held row (`recent`) only if no such write ended since its read began: this
 * process's own changes are seen by its next Query at once; another process's within RECENT_MS.
 * Process-wide: a write to any store counts (a test's second app costs its neighbour a read, no more).
 */
let writes = 0;

/** Writes ended so far. */
export function indexRowWrites(): number {
  return writes;
}

/** `write`, counted once it has ended (committed, or failed: counted either way). */
export async function indexRowWrite<T>(write: Promise<T>): Promise<T> {
  try {
    return await write;
  } finally {
    writes++;
  }
}
