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
  walk(input, '', paths);
  if (!paths.length) return;
  const n = paths.length;
  throw new KendraError(
    'ValidationException',
    `${n} validation error${n === 1 ? '' : 's'} detected: ` +
      paths.map((p) => `Value at '${p}' failed to satisfy constraint: Member must not contain U+0000 or unpaired surrogate characters`).join('; '),
  );
}

function walk(v: unknown, path: string, out: string[]): void {
  if (typeof v === 'string') {
    if (!isStorable(v)) out.push(path);
  } else if (Array.isArray(v)) {
    for (let i = 0; i < v.length; i++) walk(v[i], `${path}.${i + 1}`, out);
  } else if (v !== null && typeof v === 'object' && Object.getPrototypeOf(v) === Object.prototype) {
    for (const [k, x] of Object.entries(v)) {
      if (CONTENT.has(k) || (k === 'Value' && typeof x === 'object')) continue;
      walk(x, path ? `${path}.${lowerCamel(k)}` : lowerCamel(k), out);
    }
  }
}

/** As the generated validators name members (scripts/codegen.ts memberPath): `S3Path` → `s3Path`, `URL` → `url`. */
function lowerCamel(k: string): string {
  let run = /^[A-Z]*/.exec(k)![0].length;
  if (run > 1 && run < k.length) run--;
  return k.slice(0, run).toLowerCase() + k.slice(run);
}
