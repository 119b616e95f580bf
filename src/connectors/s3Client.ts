import { GetObjectCommand, S3Client } from '@aws-sdk/client-s3';
import type { Config } from '../config/config.js';

/** An S3 client for kendrite's configured endpoint (no IAM role can be assumed here: see README). */
export function s3Client(c: Config['s3']): S3Client {
  return new S3Client({
    endpoint: c.endpoint,
    region: c.region ?? process.env.AWS_REGION ?? 'us-east-1',
    forcePathStyle: c.forcePathStyle,
    credentials: c.accessKeyId && c.secretAccessKey ? { accessKeyId: c.accessKeyId, secretAccessKey: c.secretAccessKey } : undefined,
  });
}

/** Reads one object whole (BatchPutDocument S3Path content). */
export function s3Fetcher(c: Config['s3']) {
  let client: S3Client | undefined;
  return async (bucket: string, key: string, signal?: AbortSignal): Promise<Buffer> => {
    client ??= s3Client(c);
    const r = await client.send(new GetObjectCommand({ Bucket: bucket, Key: key }), { abortSignal: signal });
    return Buffer.from(await r.Body!.transformToByteArray());
  };
}
