/**
 * Strings a request may carry only where they are content. U+0000 and unpaired surrogates cannot
 * be stored as they are (store/storableText.ts): content (a document's title and attribute values,
 * query text, filter values) is stored with them replaced, but an identifier (document id, client
 * token, tag, any id or name) must come back exactly as sent, so a request with one there is refused.
 */
import { KendraError } from './errors.js';
import { isStorable } from '../store/storableText.js';

/** Members holding content: `Value` only where it is an attribute value (an object), not a tag's value (a string). */
const CONTENT = new Set(['Title', 'QueryText']);

/** Throws ValidationException naming every member (AWS's path: lowerCamelCase, 1-based list positions) that holds such a string. */
export function refuseUnstorableIdentifiers(input: unknown): void {
  const paths: string[] = [];
  walk(input, undefined, paths);
  if (!paths.length) return;
  const n = paths.length;
  throw new KendraError(
    'ValidationException',
    `${n} validation error${n === 1 ? '' : 's'} detected: ` +
      paths.map((p) => `Value at '${p}' failed to satisfy constraint: Member must not contain U+0000 or unpaired surrogate characters`).join('; '),
  );
}

/** Where a value sits: its member name or 1-based list position, under its parent's. Rendered only for an error (this runs on every request). */
interface Path {
  up: Path | undefined;
  key: string | number;
}

function walk(v: unknown, at: Path | undefined, out: string[]): void {
  if (typeof v === 'string') {
    if (!isStorable(v)) out.push(render(at));
  } else if (Array.isArray(v)) {
    for (let i = 0; i < v.length; i++) walk(v[i], { up: at, key: i + 1 }, out);
  } else if (v !== null && typeof v === 'object' && Object.getPrototypeOf(v) === Object.prototype) {
    for (const k of Object.keys(v)) {
      const x = (v as Record<string, unknown>)[k];
      if (CONTENT.has(k) || (k === 'Value' && typeof x === 'object')) continue;
      if (typeof x !== 'string') walk(x, { up: at, key: k }, out);
      else if (!isStorable(x)) out.push(render({ up: at, key: k }));
    }
  }
}

function render(at: Path | undefined): string {
  let path = '';
  for (let p = at; p; p = p.up) {
    const part = typeof p.key === 'number' ? String(p.key) : lowerCamel(p.key);
    path = path ? `${part}.${path}` : part;
  }
  return path;
}

/** As the generated validators name members (scripts/codegen.ts memberPath): `S3Path` → `s3Path`, `URL` → `url`. */
function lowerCamel(k: string): string {
  let run = /^[A-Z]*/.exec(k)![0].length;
  if (run > 1 && run < k.length) run--;
  return k.slice(0, run).toLowerCase() + k.slice(run);
}
