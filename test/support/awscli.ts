import { execFile, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';

/** The installed AWS CLI's major version, or undefined when there is no `aws` command. */
function cliMajor(): number | undefined {
  const r = spawnSync('aws', ['--version'], { encoding: 'utf8', env: { ...process.env, AWS_PAGER: '' } });
  if (r.error || r.status !== 0) return undefined;
  const m = /aws-cli\/(\d+)\./.exec(`${r.stdout}${r.stderr}`);
  return m ? Number(m[1]) : undefined;
}

const MAJOR = cliMajor();

/** Why the AWS CLI tests cannot run here, if they cannot. */
export const awsCliSkip = MAJOR === undefined ? 'skipped: aws CLI not found' : undefined;

/**
 * Exit codes differ by major version: v1 exits 255 for every error; v2 exits 254 when the service
 * answered with an error and 252 when the CLI refused the parameters itself
 * (https://docs.aws.amazon.com/cli/latest/userguide/cli-usage-returncodes.html).
 */
export const EXIT = {
  serviceError: MAJOR !== undefined && MAJOR >= 2 ? 254 : 255,
  parameterError: MAJOR !== undefined && MAJOR >= 2 ? 252 : 255,
};

/**
 * A blob member inside JSON input (`file://` or inline): v1 base64-encodes the string it is given;
 * v2 (cli_binary_format base64, its default) expects base64 text. Either way the server receives
 * base64 of `text` exactly once.
 */
export function cliBlob(text: string): string {
  return MAJOR !== undefined && MAJOR >= 2 ? Buffer.from(text, 'utf8').toString('base64') : text;
}

export interface CliResult {
  exitCode: number;
  stdout: string;
  stderr: string;
}

/** A service error as the CLI prints it on stderr. */
export interface CliError {
  code: string;
  operation: string;
  message: string;
}

/** Parses `An error occurred (<Code>) when calling the <Operation> operation: <message>` from stderr. */
export function cliError(r: CliResult): CliError | undefined {
  const m = /^An error occurred \(([^)]+)\) when calling the (\w+) operation: (.*)$/m.exec(r.stderr);
  return m ? { code: m[1]!, operation: m[2]!, message: m[3]! } : undefined;
}

/** Runs `aws --endpoint-url <url> kendra …` as a user would, with no profile or config of this machine. */
export class AwsCli {
  readonly dir: string;
  constructor(
    readonly endpoint: string,
    readonly region = 'us-east-1',
  ) {
    this.dir = mkdtempSync(path.join(tmpdir(), 'kendrite-awscli-'));
  }

  /** Writes a file for `file://` arguments; returns the argument. */
  file(name: string, content: unknown): string {
    const p = path.join(this.dir, name);
    writeFileSync(p, typeof content === 'string' ? content : JSON.stringify(content));
    return `file://${p}`;
  }

  run(args: string[]): Promise<CliResult> {
    const env: Record<string, string> = {};
    // Nothing from the machine's AWS setup (profiles, endpoint overrides) may leak in.
    for (const [k, v] of Object.entries(process.env)) if (v !== undefined && !k.startsWith('AWS_')) env[k] = v;
    Object.assign(env, {
      AWS_ACCESS_KEY_ID: 'AKIDTEST',
      AWS_SECRET_ACCESS_KEY: 'x',
      AWS_DEFAULT_REGION: this.region,
      AWS_MAX_ATTEMPTS: '1',
      AWS_PAGER: '',
      AWS_CONFIG_FILE: path.join(this.dir, 'no-config'),
      AWS_SHARED_CREDENTIALS_FILE: path.join(this.dir, 'no-credentials'),
    });
    const full = ['--endpoint-url', this.endpoint, '--output', 'json', '--cli-read-timeout', '30', '--cli-connect-timeout', '10', 'kendra', ...args];
    return new Promise((resolve, reject) => {
      execFile('aws', full, { env, encoding: 'utf8', maxBuffer: 16 * 1024 * 1024 }, (err, stdout, stderr) => {
        if (err && typeof err.code !== 'number') return reject(err);
        resolve({ exitCode: err ? (err.code as number) : 0, stdout, stderr });
      });
    });
  }

  /** Runs a command that must succeed; its JSON output (`{}` when it prints nothing). */
  async json<T = Record<string, unknown>>(args: string[]): Promise<T> {
    const r = await this.run(args);
    if (r.exitCode !== 0) throw new Error(`aws kendra ${args.join(' ')} exited ${r.exitCode}: ${r.stderr}`);
    return (r.stdout.trim() ? JSON.parse(r.stdout) : {}) as T;
  }

  /** Runs a command that must fail with a service error; the exit code and the error as printed. */
  async fails(args: string[]): Promise<CliError & { exitCode: number }> {
    const r = await this.run(args);
    const e = cliError(r);
    if (!e) throw new Error(`aws kendra ${args.join(' ')} exited ${r.exitCode} without a service error: ${r.stdout}${r.stderr}`);
    return { ...e, exitCode: r.exitCode };
  }

  dispose(): void {
    rmSync(this.dir, { recursive: true, force: true });
  }
}
