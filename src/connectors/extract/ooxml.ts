// What .docx, .pptx and .xlsx share: an OPC package (a zip) whose parts are found by following
// relationships, not by guessing file names, and whose title is in docProps/core.xml.
import { ExtractError } from './text.js';
import type { Context } from './types.js';
import { XmlStream, XmlSyntaxError, type XmlHandlers } from './xml.js';
import { ZipArchive } from './zip.js';

const MIN_INFLATE_BASE = 1024 * 1024;

const OLE2_MAGIC = [0xd0, 0xcf, 0x11, 0xe0, 0xa1, 0xb1, 0x1a, 0xe1];

function isOle2(content: Uint8Array): boolean {
  return content.length >= 8 && OLE2_MAGIC.every((b, i) => content[i] === b);
}

/**
 * Office files that are OLE2 compound files: legacy .doc/.ppt/.xls, or an encrypted .docx/.pptx/.xlsx
 * (Office wraps those in a compound file with an "EncryptedPackage" stream).
 */
function oleFailure(content: Uint8Array, modern: string): ExtractError {
  const encrypted = Buffer.from(content.buffer, content.byteOffset, content.byteLength).includes(
    Buffer.from('EncryptedPackage', 'utf16le'),
  );
  return new ExtractError(
    encrypted
      ? `password-protected Office document (encrypted ${modern}) not supported`
      : `legacy binary format not supported; convert to ${modern}`,
  );
}

export class OfficePackage {
  private constructor(private readonly zip: ZipArchive) {}

  static open(content: Uint8Array, ctx: Context, modern: string): OfficePackage {
    if (isOle2(content)) throw oleFailure(content, modern);
    const { maxDocumentBytes, maxDecompressionRatio } = ctx.limits;
    // All parts together may inflate to the ratio times the package, never past the ratio times
    // the largest document; the floor spares small files whose few KB of XML compress very well.
    const base = Math.min(maxDocumentBytes, Math.max(content.length, MIN_INFLATE_BASE));
    return new OfficePackage(new ZipArchive(content, maxDecompressionRatio, base * maxDecompressionRatio, ctx.guard));
  }

  has(part: string): boolean {
    return this.zip.has(part);
  }

  /** Streams a part through the XML reader; false if the package has no such part. */
  parse(part: string, handlers: XmlHandlers): boolean {
    const xml = new XmlStream(handlers);
    try {
      if (!this.zip.readText(part, (s) => xml.write(s))) return false;
      xml.close();
    } catch (e) {
      if (e instanceof XmlSyntaxError) throw new Error(`malformed XML in ${part}: ${e.message}`);
      throw e;
    }
    return true;
  }

  /** A part's relationships by id, targets resolved to part names. */
  relationships(part: string): Map<string, { type: string; target: string }> {
    const slash = part.lastIndexOf('/');
    const dir = part.slice(0, slash + 1);
    const rels = new Map<string, { type: string; target: string }>();
    this.parse(`${dir}_rels/${part.slice(slash + 1)}.rels`, {
      open(name, a) {
        if (name !== 'Relationship' || !a.Id || !a.Target || a.TargetMode === 'External') return;
        rels.set(a.Id, { type: a.Type ?? '', target: resolvePart(dir, a.Target) });
      },
    });
    return rels;
  }

  /** The target of the first relationship of `part` whose type ends with `/kind`. */
  related(part: string, kind: string): string | undefined {
    for (const r of this.relationships(part).values()) if (r.type.endsWith(`/${kind}`)) return r.target;
    return undefined;
  }

  /** The main part (word/document.xml, ppt/presentation.xml, xl/workbook.xml, or wherever it is). */
  mainPart(fallback: string, format: string): string {
    const main = this.related('', 'officeDocument') ?? fallback;
    if (!this.has(main)) throw new Error(`not a ${format} package (no ${main})`);
    return main;
  }

  /** dc:title from the core properties, if any. */
  title(): string | undefined {
    const core = this.related('', 'core-properties') ?? 'docProps/core.xml';
    let title = '';
    let depth = 0;
    this.parse(core, {
      open(name) {
        if (name === 'title' || depth > 0) depth++;
      },
      close() {
        if (depth > 0) depth--;
      },
      text(t) {
        if (depth > 0) title += t;
      },
    });
    return title.replace(/\s+/g, ' ').trim() || undefined;
  }
}

/** Resolves a relationship target against the source part's folder ("../x", "/x", "x"). */
function resolvePart(dir: string, target: string): string {
  const path = target.startsWith('/') ? target.slice(1) : dir + target;
  const out: string[] = [];
  for (const seg of path.split('/')) {
    if (seg === '..') out.pop();
    else if (seg !== '.' && seg !== '') out.push(seg);
  }
  return decodeURIComponent(out.join('/'));
}
