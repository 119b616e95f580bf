// MD: rendered to HTML by marked (CommonMark + GFM), whose visible text is then taken like a page's,
// so emphasis, links, code fences, tables and inline HTML all lose their markup the same way.
import { Marked } from 'marked';
import { htmlToText } from './html.js';
import { decodeText } from './text.js';
import type { Context, Output } from './types.js';

const marked = new Marked({ gfm: true, async: false });

/** YAML front matter (Jekyll, Hugo, …) is metadata, not text; its title is a fallback title. */
const FRONT_MATTER = /^---[ \t]*\r?\n([\s\S]*?)\r?\n(?:---|\.\.\.)[ \t]*(?:\r?\n|$)/;

export function extractMarkdown(content: Uint8Array, ctx: Context): Output {
  let source = decodeText(content, { format: 'Markdown' });
  let frontTitle: string | undefined;
  const front = FRONT_MATTER.exec(source);
  if (front) {
    frontTitle = /^title:[ \t]*["']?(.*?)["']?[ \t]*$/m.exec(front[1]!)?.[1]?.trim() || undefined;
    source = source.slice(front[0].length);
  }
  const out = htmlToText(marked.parse(source, { async: false }), ctx, 'h1');
  return { text: out.text, title: out.title ?? frontTitle };
}
