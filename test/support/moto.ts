// moto's S3 server (the real S3 API, from the machine's Python), started by the test file that needs it.
import { spawn, type ChildProcess } from 'node:child_process';
import { CreateBucketCommand, DeleteObjectCommand, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { freePort } from './process.js';

/** What a kendrite server needs in its environment to reach this S3. */
export interface S3Env extends Record<string, string> {
  KENDRITE_S3_ENDPOINT: string;
  AWS_ACCESS_KEY_ID: string;
  AWS_SECRET_ACCESS_KEY: string;
  AWS_REGION: string;
}

export class Moto {
  private constructor(
    private readonly proc: ChildProcess,
    readonly endpoint: string,
  ) {}

  /** Starts `python3 -m moto.server` on a free port and waits until it answers. */
  static async start(): Promise<Moto> {
    const port = await freePort();
    const proc = spawn('python3', ['-m', 'moto.server', '-H', '127.0.0.1', '-p', String(port)], { stdio: ['ignore', 'ignore', 'pipe'] });
    let err = '';
    proc.stderr!.on('data', (d: Buffer) => (err += d.toString()));
    const endpoint = `http://127.0.0.1:${port}`;
    const until = Date.now() + 20_000;
    for (;;) {
      if (proc.exitCode !== null) throw new Error(`moto exited with ${proc.exitCode}: ${err}`);
      try {
        const r = await fetch(`${endpoint}/moto-api/`);
        if (r.status < 500) break;
      } catch {
        // not listening yet
      }
      if (Date.now() > until) {
        proc.kill('SIGKILL');
        throw new Error(`moto did not start on ${endpoint}: ${err}`);
      }
      await new Promise((r) => setTimeout(r, 100));
    }
    return new Moto(proc, endpoint);
  }

  get env(): S3Env {
    return { KENDRITE_S3_ENDPOINT: this.endpoint, AWS_ACCESS_KEY_ID: 'test', AWS_SECRET_ACCESS_KEY: 'test', AWS_REGION: 'us-east-1' };
  }

  client(): S3Client {
    return new S3Client({ endpoint: this.endpoint, region: 'us-east-1', forcePathStyle: true, credentials: { accessKeyId: 'test', secretAccessKey: 'test' } });
  }

  async stop(): Promise<void> {
    if (this.proc.exitCode !== null) return;
    const exited = new Promise((r) => this.proc.once('exit', r));
    this.proc.kill('SIGTERM');
    await exited;
  }
}

/** A bucket with helpers to put and delete objects. */
export class Bucket {
  constructor(
    readonly s3: S3Client,
    readonly name: string,
  ) {}

  static async create(s3: S3Client, name: string): Promise<Bucket> {
    await s3.send(new CreateBucketCommand({ Bucket: name }));
    return new Bucket(s3, name);
  }

  async put(key: string, body: string | Uint8Array, contentType?: string): Promise<void> {
    await this.s3.send(new PutObjectCommand({ Bucket: this.name, Key: key, Body: body, ContentType: contentType }));
  }

  async delete(key: string): Promise<void> {
    await this.s3.send(new DeleteObjectCommand({ Bucket: this.name, Key: key }));
  }
}
