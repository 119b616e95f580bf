/** Reading the S3 object a resource is made from (FAQ files, thesaurus files), with an error message that says which and why. */
export type FetchS3 = (bucket: string, key: string) => Promise<Buffer>;

export async function readS3File(fetchS3: FetchS3, bucket: string, key: string): Promise<{ bytes: Buffer } | { error: string }> {
  try {
    return { bytes: await fetchS3(bucket, key) };
  } catch (e) {
    const err = e as { name?: string; message?: string };
    return { error: `Could not read s3://${bucket}/${key}: ${err.name ?? 'Error'}${err.message && err.message !== err.name ? ` (${err.message})` : ''}.` };
  }
}

/** Runs a background step after the transition delay, so that clients see the CREATING/UPDATING state first; its failures are its own to record. */
export function later(delayMs: number, step: () => Promise<void>, onError: (e: unknown) => void): void {
  setTimeout(() => void step().catch(onError), delayMs).unref?.();
}
