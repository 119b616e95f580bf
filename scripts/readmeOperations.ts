/**
 * Writes README.md's table of the Kendra operations kendrite implements and those it refuses, from
 * the code, between the markers below: `npm run readme-ops`. test/readme.test.ts fails when the
 * README's table is not the one this gives, so the list cannot drift from what the server does.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { IMPLEMENTED_OPERATIONS } from '../src/api/kendraService.js';
import { OPERATION_NAMES } from '../src/protocol/generated/operations.js';

export const BEGIN = '<!-- operations: written by `npm run readme-ops` from the code; do not edit -->';
export const END = '<!-- /operations -->';

export function operationsTable(): string {
  const implemented = new Set<string>(IMPLEMENTED_OPERATIONS);
  const refused = OPERATION_NAMES.filter((op) => !implemented.has(op));
  const list = (ops: readonly string[]) => ops.map((op) => `\`${op}\``).join(', ');
  return [
    '| Kendra operations | |',
    '|---|---|',
    `| implemented (${implemented.size} of ${OPERATION_NAMES.length}) | ${list([...implemented].sort())} |`,
    `| refused with \`NotImplementedException\` (${refused.length}) | ${list(refused)} |`,
  ].join('\n');
}

/** The README with its table between the markers replaced by `table`. */
export function withOperationsTable(readme: string, table = operationsTable()): string {
  const { begin, end } = markers(readme);
  return `${readme.slice(0, begin)}\n${table}\n${readme.slice(end)}`;
}

/** The table between the markers, as the README has it. */
export function readmeOperationsTable(readme: string): string {
  const { begin, end } = markers(readme);
  return readme.slice(begin, end).trim();
}

function markers(readme: string): { begin: number; end: number } {
  const begin = readme.indexOf(BEGIN);
  const end = readme.indexOf(END);
  if (begin < 0 || end < begin) throw new Error(`README.md has no ${BEGIN} … ${END} section`);
  return { begin: begin + BEGIN.length, end };
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const file = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../README.md');
  writeFileSync(file, withOperationsTable(readFileSync(file, 'utf8')));
}
