import { readFileSync } from 'node:fs';

/** kendrite's version, from its package.json (dist/src/version.js → the package's root, in the repository and in an installed package alike). */
export const VERSION = (JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string }).version;
