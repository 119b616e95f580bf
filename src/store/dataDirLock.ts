import { closeSync, openSync, readFileSync, unlinkSync, writeSync } from 'node:fs';
import path from 'node:path';

export class DataDirInUseError extends Error {}

/**
 * One kendrite process per SQLite data directory: a second one would reap the first one's jobs as
 * abandoned (S-JOB-7) and fight over the file. A lock file names the owner's pid; a lock left by a
 * process that no longer runs (a crash) is taken over. Use PostgreSQL to run several processes.
 */
export function lockDataDir(dataDir: string): () => void {
  const file = path.join(dataDir, 'kendrite.lock');
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      const fd = openSync(file, 'wx');
      writeSync(fd, String(process.pid));
      closeSync(fd);
      return () => {
        try {
          unlinkSync(file);
        } catch {
          // Already gone: nothing to release.
        }
      };
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e;
      const owner = Number(readFileSync(file, 'utf8'));
      if (Number.isInteger(owner) && owner > 0 && owner !== process.pid && isAlive(owner))
        throw new DataDirInUseError(`The data directory ${dataDir} is in use by kendrite process ${owner}. One process per SQLite data directory; use PostgreSQL (--database-url) to run several.`);
      unlinkSync(file);
    }
  }
  throw new DataDirInUseError(`Could not lock the data directory ${dataDir}.`);
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}
