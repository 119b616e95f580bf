// JSON: keys and scalar values, since keys name what a value means ("title: Dune" finds more than
// "Dune"). One line per scalar, "key: value" in objects; a key holding an object or array gets a
// line of its own above its contents; objects and arrays inside arrays (records) end paragraphs.
import { decodeText, ExtractError, type TextSink } from './text.js';
import type { Context, Output } from './types.js';

/**
 * Deeper nesting is refused before parsing: 4 MB of `[[[[…` parse into two million arrays and took
 * the process to 622 MB. Real data nests a few dozen levels at most.
 */
export const MAX_JSON_DEPTH = 1000;

function scalar(v: unknown): string | undefined {
  if (typeof v === 'string') return v;
  if (typeof v === 'number' || typeof v === 'boolean') return String(v);
  return undefined; // null
}

/** A container being walked: an array's items, or an object's keys (values are looked up). */
interface Frame {
  container: Record<string, unknown> | unknown[];
  keys: string[] | undefined;
  next: number;
  inArray: boolean;
}

function frameOf(container: object, inArray: boolean): Frame {
  const keys = Array.isArray(container) ? undefined : Object.keys(container);
  return { container: container as Frame['container'], keys, next: 0, inArray };
}

/** Iterative, with frames that copy nothing but an object's keys. */
function walk(root: unknown, sink: TextSink): void {
  if (root === null || typeof root !== 'object') {
    sink.inline(scalar(root) ?? '');
    return;
  }
  const stack: Frame[] = [frameOf(root, false)];
  while (stack.length > 0) {
    const top = stack[stack.length - 1]!;
    const length = top.keys ? top.keys.length : (top.container as unknown[]).length;
    if (top.next >= length) {
      stack.pop();
      if (top.inArray) sink.paragraph();
      continue;
    }
    const i = top.next++;
    const key = top.keys?.[i];
    const value = key === undefined ? (top.container as unknown[])[i] : (top.container as Record<string, unknown>)[key];
    if (value !== null && typeof value === 'object') {
      if (key !== undefined) {
        sink.inline(key);
        sink.lineBreak();
      }
      stack.push(frameOf(value, key === undefined));
      continue;
    }
    const text = scalar(value);
    if (text === undefined) continue;
    if (key !== undefined) sink.inline(`${key}:`);
    sink.space();
    sink.inline(text);
    sink.lineBreak();
  }
}

/** Throws if arrays and objects nest deeper than MAX_JSON_DEPTH; brackets inside strings do not count. */
function checkDepth(source: string): void {
  let depth = 0;
  let inString = false;
  for (let i = 0; i < source.length; i++) {
    const c = source.charCodeAt(i);
    if (inString) {
      if (c === 0x5c) i++; // a backslash escapes the next character
      else if (c === 0x22) inString = false;
    } else if (c === 0x22) inString = true;
    else if (c === 0x5b || c === 0x7b) {
      if (++depth > MAX_JSON_DEPTH) throw new ExtractError(`JSON nested deeper than ${MAX_JSON_DEPTH} levels`);
    } else if (c === 0x5d || c === 0x7d) depth--;
  }
}

export function extractJson(content: Uint8Array, ctx: Context): Output {
  const source = decodeText(content, { format: 'JSON' });
  checkDepth(source);
  let value: unknown;
  try {
    value = JSON.parse(source);
  } catch (e) {
    throw new ExtractError(`invalid JSON: ${(e as Error).message}`);
  }
  const sink = ctx.sink();
  walk(value, sink);
  return { text: sink.toString() };
}
