// PLAIN_TEXT: the text as it is, normalised. Binary content is refused rather than indexed as noise.
import { decodeText } from './text.js';
import type { Context, Output } from './types.js';

export function extractPlain(content: Uint8Array, ctx: Context): Output {
  const sink = ctx.sink();
  sink.lines(decodeText(content, { format: 'plain' }));
  return { text: sink.toString() };
}
