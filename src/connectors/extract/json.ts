// JSON: keys and scalar values, since keys name what a value means ("title: Dune" finds more than
// "Dune"). One line per scalar, "key: value" in objects; a key holding an object or array gets a
// line of its own above its contents; objects and arrays inside arrays (records) end paragraphs.
import { decodeText, ExtractError, type TextSink } from './text.js';
import type { Context, Output } from './types.js';

function scalar(v: unknown): string | undefined {
  if (typeof v === 'string') return v;
  if (typeof v === 'number' || typeof v === 'boolean') return String(v);
  return undefined; // null
}

interface Frame {
  entries: Array<[key: string | undefined, value: unknown]>;
  next: number;
  inArray: boolean;
}

function frameOf(container: object, inArray: boolean): Frame {
  const entries: Frame['entries'] = Array.isArray(container)
    ? container.map((v) => [undefined, v])
    : Object.entries(container);
  return { entries, next: 0, inArray };
}

/** Iterative, so nesting as deep as JSON.parse accepts cannot overflow the stack here. */
function walk(root: unknown, sink: TextSink): void {
  if (root === null || typeof root !== 'object') {
    sink.inline(scalar(root) ?? '');
    return;
  }
  const stack: Frame[] = [frameOf(root, false)];
  while (stack.length > 0) {
    const top = stack[stack.length - 1]!;
    if (top.next >= top.entries.length) {
      stack.pop();
      if (top.inArray) sink.paragraph();
      continue;
    }
    const [key, value] = top.entries[top.next++]!;
    const isArray = key === undefined;
    if (value !== null && typeof value === 'object') {
      if (!isArray) {
        sink.inline(key);
        sink.lineBreak();
      }
      stack.push(frameOf(value, isArray));
      continue;
    }
    const text = scalar(value);
    if (text === undefined) continue;
    if (!isArray) sink.inline(`${key}:`);
    sink.space();
    sink.inline(text);
    sink.lineBreak();
  }
}

export function extractJson(content: Uint8Array, ctx: Context): Output {
  const source = decodeText(content, { format: 'JSON' });
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
