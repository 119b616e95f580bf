/**
 * An earlier release of kendrite, built from this repository's git history into a directory of its own,
 * so that a scenario can run it side by side with this checkout on the same machine in the same run
 * (`startKendrite({ repoRoot: <the directory> })`).
 *
 * Its node_modules is this checkout's, linked, when the two lockfiles pin the same runtime packages
 * (the build and dev tools do not matter to a running server); otherwise the build stops and says which
 * packages differ, rather than measuring the release on dependencies it never shipped with.
 */
import { execFileSync } from 'node:child_process';
import { readFileSync, symlinkSync } from 'node:fs';
import path from 'node:path';

interface Lockfile {
  packages: Record<string, { version?: string; dev?: boolean }>;
}

/** Builds `commit` into `dir` (empty): git archive, node_modules linked, tsc. */
export function buildRelease(repoRoot: string, commit: string, dir: string): void {
  try {
    execFileSync('git', ['-C', repoRoot, 'cat-file', '-e', `${commit}^{commit}`], { stdio: 'ignore' });
  } catch {
    throw new Error(`release ${commit} is not in ${repoRoot}'s git history (a shallow clone? git fetch --unshallow)`);
  }
  const archive = execFileSync('git', ['-C', repoRoot, 'archive', commit], { maxBuffer: 1 << 30 });
  execFileSync('tar', ['-x', '-C', dir], { input: archive });
  const differ = runtimeDifferences(readLockfile(path.join(repoRoot, 'package-lock.json')), readLockfile(path.join(dir, 'package-lock.json')));
  if (differ.length) throw new Error(`release ${commit} pins other runtime packages than this checkout (${differ.slice(0, 10).join(', ')}): install its own node_modules in ${dir}`);
  symlinkSync(path.join(repoRoot, 'node_modules'), path.join(dir, 'node_modules'));
  execFileSync(process.execPath, [path.join(repoRoot, 'node_modules/typescript/bin/tsc'), '-p', dir], { stdio: ['ignore', 'inherit', 'inherit'] });
}

function readLockfile(file: string): Lockfile {
  return JSON.parse(readFileSync(file, 'utf8')) as Lockfile;
}

/** The runtime packages (not dev) whose version differs, or which only one lockfile has. */
function runtimeDifferences(mine: Lockfile, theirs: Lockfile): string[] {
  const runtime = (l: Lockfile) => new Map(Object.entries(l.packages).filter(([name, p]) => name !== '' && !p.dev).map(([name, p]) => [name, p.version]));
  const [a, b] = [runtime(mine), runtime(theirs)];
  return [...new Set([...a.keys(), ...b.keys()])].filter((name) => a.get(name) !== b.get(name)).map((name) => `${name.replace(/^node_modules\//, '')} ${a.get(name) ?? '-'} / ${b.get(name) ?? '-'}`);
}
