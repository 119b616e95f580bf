// XML and XSLT, and the streaming XML reader the Office formats share. saxes is a strict
// (well-formedness checking) streaming parser that never fetches or expands DTD entities, so
// external entities and "billion laughs" cannot do anything.
import { SaxesParser } from 'saxes';
import { decodeText, ExtractError } from './text.js';
import type { Context, Output } from './types.js';

export class XmlSyntaxError extends Error {
  override name = 'XmlSyntaxError';
}

export interface XmlHandlers {
  /** Names are local names: `w:t` arrives as `t`. */
  open?(name: string, attributes: Record<string, string>): void;
  close?(name: string): void;
  text?(text: string): void;
}

function localName(name: string): string {
  return name.slice(name.indexOf(':') + 1);
}

/** Feeds XML text in pieces; handlers run as the parser goes, so they can stop it by throwing. */
export class XmlStream {
  private readonly parser = new SaxesParser({ position: true });
  private sawDoctype = false;

  constructor(h: XmlHandlers) {
    const p = this.parser;
    if (h.open) {
      const open = h.open;
      p.on('opentag', (tag) => open(localName(tag.name), tag.attributes as Record<string, string>));
    }
    if (h.close) {
      const close = h.close;
      p.on('closetag', (tag) => close(localName(tag.name)));
    }
    if (h.text) {
      p.on('text', h.text);
      p.on('cdata', h.text);
    }
    p.on('doctype', () => {
      this.sawDoctype = true;
    });
    p.on('error', (err) => {
      // An entity the DOCTYPE may define: kept as written, since DTDs are deliberately not read.
      if (this.sawDoctype && err.message.endsWith('undefined entity.')) return;
      throw new XmlSyntaxError(err.message);
    });
  }

  write(s: string): void {
    this.parser.write(s);
  }

  close(): void {
    this.parser.close();
  }
}

/**
 * The encoding an XML declaration names, read from the first bytes as ASCII; UTF-16 without a BOM
 * is recognised by how "<?" is spelt (XML 1.0, appendix F).
 */
function declaredEncoding(bytes: Uint8Array): string | undefined {
  if (bytes[0] === 0x3c && bytes[1] === 0 && bytes[2] === 0x3f && bytes[3] === 0) return 'utf-16le';
  if (bytes[0] === 0 && bytes[1] === 0x3c && bytes[2] === 0 && bytes[3] === 0x3f) return 'utf-16be';
  const head = Buffer.from(bytes.buffer, bytes.byteOffset, Math.min(bytes.length, 256)).toString('latin1');
  const encoding = /^(?:\xef\xbb\xbf)?<\?xml[^>]*?encoding\s*=\s*["']([A-Za-z0-9._:-]+)["']/.exec(head)?.[1];
  return encoding && !/^utf-?16/i.test(encoding) ? encoding : undefined; // readable as ASCII: not UTF-16
}

/**
 * Text content of an XML (or XSLT) document; markup, comments, processing instructions and attribute
 * values are dropped. XML says nothing about layout, so elements are separated by a space, and an
 * element holding other elements ends its line: a list of records becomes one line per record.
 */
export function extractXml(content: Uint8Array, ctx: Context): Output {
  const source = decodeText(content, { declared: declaredEncoding(content), strictUtf8: true, format: 'XML' });
  const sink = ctx.sink();
  const hasChildElement: boolean[] = [];
  const xml = new XmlStream({
    open() {
      if (hasChildElement.length > 0) hasChildElement[hasChildElement.length - 1] = true;
      hasChildElement.push(false);
    },
    close() {
      if (hasChildElement.pop()) sink.lineBreak();
      else sink.space();
    },
    text: (t) => sink.inline(t),
  });
  try {
    xml.write(source);
    xml.close();
  } catch (e) {
    if (e instanceof XmlSyntaxError) throw new ExtractError(`malformed XML: ${e.message}`);
    throw e;
  }
  return { text: sink.toString() };
}
