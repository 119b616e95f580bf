// HTML: the text a reader sees. htmlparser2 is a forgiving streaming tokenizer (real pages are
// rarely well formed) that decodes entities; what is visible, and where lines break, is decided here.
import { Parser } from 'htmlparser2';
import { decodeText, ExtractError } from './text.js';
import type { Context, Output } from './types.js';

/** Elements whose content is never shown as text. The title (in `head`) is taken separately. */
const HIDDEN = new Set(['script', 'style', 'template', 'noscript', 'head', 'title', 'svg', 'iframe', 'object', 'canvas']);

/** Blocks that read as paragraphs. */
const PARAGRAPH = new Set([
  'p', 'h1', 'h2', 'h3', 'h4', 'h5', 'h6', 'blockquote', 'pre', 'table', 'ul', 'ol', 'dl', 'menu', 'section',
  'article', 'header', 'footer', 'nav', 'aside', 'main', 'figure', 'form', 'fieldset', 'address', 'details', 'hr',
]);

/** Blocks that only start a new line. */
const LINE = new Set([
  'div', 'li', 'tr', 'dt', 'dd', 'br', 'figcaption', 'summary', 'caption', 'legend', 'option', 'center', 'tbody',
  'thead', 'tfoot',
]);

/** Cells are separated like words. */
const CELL = new Set(['td', 'th']);

/**
 * Elements open at once (nesting depth) a document may reach. Real pages stay in the tens; a file of
 * 100,000 nested <div>s is an attack on the extractor's memory, refused as soon as it gets too deep.
 */
export const MAX_HTML_DEPTH = 2000;

function isHidden(name: string, attributes: Record<string, string>): boolean {
  return HIDDEN.has(name) || 'hidden' in attributes || /display\s*:\s*none/i.test(attributes.style ?? '');
}

/**
 * Visible text of an HTML string. The title is the <title> element's text, or for Markdown (which
 * has none) the first level-one heading's.
 */
export function htmlToText(html: string, ctx: Context, titleFrom: 'title' | 'h1'): Output {
  const sink = ctx.sink();
  // One entry per open element: did it start a hidden region? Closing tags (implied ones too) pop it.
  const hidden: boolean[] = [];
  let hiddenDepth = 0;
  let svgDepth = 0; // an SVG's <title> is a tooltip, not the page's
  let preDepth = 0;
  let title: string | undefined;
  let titleDepth = 0; // > 0 inside the element that gives the title
  let titleText = '';
  // The title element of a page sits in the hidden <head>; a Markdown heading must be visible.
  const titleVisible = (): boolean => titleFrom === 'title' || hiddenDepth === 0;

  const parser = new Parser(
    {
      onopentag(name, attributes) {
        const hide = isHidden(name, attributes);
        if (hidden.push(hide) > MAX_HTML_DEPTH) throw new ExtractError(`HTML nested deeper than ${MAX_HTML_DEPTH} levels`);
        if (hide) hiddenDepth++;
        if (name === 'svg') svgDepth++;
        if (titleDepth > 0) titleDepth++;
        else if (title === undefined && name === titleFrom && svgDepth === 0 && titleVisible()) titleDepth = 1;
        if (hiddenDepth > 0) return;
        if (PARAGRAPH.has(name)) sink.paragraph();
        else if (LINE.has(name)) sink.lineBreak();
        else if (CELL.has(name)) sink.space();
        if (name === 'pre') preDepth++;
      },
      ontext(text) {
        if (titleDepth > 0 && titleVisible()) titleText += text;
        if (hiddenDepth > 0) return;
        if (preDepth > 0) sink.lines(text);
        else sink.inline(text);
      },
      onclosetag(name) {
        if (titleDepth > 0 && --titleDepth === 0) title = titleText.replace(/\s+/g, ' ').trim();
        if (name === 'svg') svgDepth--;
        if (hidden.pop()) {
          hiddenDepth--;
          return;
        }
        if (hiddenDepth > 0) return;
        if (name === 'pre') preDepth--;
        if (PARAGRAPH.has(name)) sink.paragraph();
        else if (LINE.has(name)) sink.lineBreak();
        else if (CELL.has(name)) sink.space();
      },
    },
    { decodeEntities: true, lowerCaseTags: true },
  );
  parser.write(html);
  parser.end();
  return { text: sink.toString(), title: title || undefined };
}

/**
 * The charset a page declares in its first bytes (<meta charset> or http-equiv Content-Type). A
 * page whose meta tag can be read as ASCII is not UTF-16, whatever it says (browsers agree).
 */
function declaredCharset(bytes: Uint8Array): string | undefined {
  const head = Buffer.from(bytes.buffer, bytes.byteOffset, Math.min(bytes.length, 2048)).toString('latin1');
  const charset = /<meta[^>]+charset\s*=\s*["']?\s*([A-Za-z0-9._:-]+)/i.exec(head)?.[1];
  return charset && !/^utf-?16/i.test(charset) ? charset : undefined;
}

export function extractHtml(content: Uint8Array, ctx: Context): Output {
  const html = decodeText(content, { declared: declaredCharset(content), format: 'HTML' });
  return htmlToText(html, ctx, 'title');
}
