import { hostname } from 'node:os';
import path from 'node:path';
import BetterSqlite3 from 'better-sqlite3';

export class DataDirInUseError extends Error {}

/** The lock database beside kendrite.db (a PID file of older versions, `kendrite.lock`, plays no part). */
export const LOCK_FILE = 'kendrite-lock.db';

/**
 * One kendrite process per SQLite data directory: a second one would reap the first one's jobs as
 * abandoned (S-JOB-7) and fight over the file. Use PostgreSQL to run several processes.
 *
 * The lock is the OS's: an open write transaction on a small SQLite database holds its fcntl lock for
 * the life of the connection, and the kernel drops it when the process ends however it ends
 * (kill -9 included). No PID is compared, so PID reuse and PID namespaces (two containers, both PID 1,
 * on one volume) cannot fool it. The holder's PID and host are recorded only to name it in the refusal.
 */
export function lockDataDir(dataDir: string): () => void {
  const db = new BetterSqlite3(path.join(dataDir, LOCK_FILE), { timeout: 0 });
  try {
    hold(db, dataDir);
    db.exec('CREATE TABLE IF NOT EXISTS holder (pid INTEGER NOT NULL, host TEXT NOT NULL, since TEXT NOT NULL)');
    db.exec('DELETE FROM holder');
    db.prepare('INSERT INTO holder (pid, host, since) VALUES (?, ?, ?)').run(process.pid, hostname(), new Date().toISOString());
    db.exec('COMMIT');
    // Taken again at once to be held from now on; a process that got in between wins and this one is refused.
    hold(db, dataDir);
  } catch (e) {
    db.close();
    throw e;
  }
  return () => db.close(); // closing rolls the held transaction back and releases the lock
}

function hold(db: BetterSqlite3.Database, dataDir: string): void {
  try {
    db.exec('BEGIN IMMEDIATE');
  } catch (e) {
    if ((e as { code?: string }).code !== 'SQLITE_BUSY') throw e;
    throw new DataDirInUseError(
      `The data directory ${dataDir} is in use by ${holderOf(db)}. ` +
        'One process per SQLite data directory; use PostgreSQL (--database-url) to run several.',
    );
  }
}

/** Who holds the lock, as it recorded itself (readable while it holds the write lock). */
function holderOf(db: BetterSqlite3.Database): string {
  try {
    const row = db.prepare('SELECT pid, host, since FROM holder').get() as { pid: number; host: string; since: string } | undefined;
    if (row) return `kendrite process ${row.pid} on host ${row.host} (since ${row.since})`;
  } catch {
    // Not recorded yet (the holder is starting): said plainly below.
  }
  return 'another kendrite process';
}
