import { execFile, spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';

// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type Boto3Report = any;

/**
 * Runs one of the boto3 scripts of test/support (they live next to the sources; the compiled tests
 * run from dist/test) with these arguments, and parses the JSON report it prints.
 */
export function runBoto3(script: string, args: string[]): Promise<Boto3Report> {
  const file = fileURLToPath(new URL(`../../../test/support/${script}`, import.meta.url));
  return new Promise((resolve, reject) => {
    execFile('python3', [file, ...args], { encoding: 'utf8', maxBuffer: 16 * 1024 * 1024 }, (err, stdout, stderr) => {
      if (err) return reject(new Error(`boto3 script ${script} ${args.slice(1).join(' ')} failed: ${stderr || err.message}`));
      resolve(JSON.parse(stdout));
    });
  });
}

/** Why the boto3 tests are skipped on this machine (python3 cannot import boto3), or undefined. */
export const boto3Skip = spawnSync('python3', ['-c', 'import boto3'], { stdio: 'ignore' }).status === 0 ? undefined : 'skipped: boto3 not found';
