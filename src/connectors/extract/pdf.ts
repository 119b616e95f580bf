// PDF: the text of every page through PDF.js (as packaged by unpdf, which needs no canvas or DOM).
// Runs in the extraction worker, where a PDF that makes PDF.js loop or eat memory can be stopped.
import { getDocumentProxy } from 'unpdf';
import { checkPdfInflation } from './pdfInflation.js';
import { ExtractError } from './text.js';
import type { Context, Output } from './types.js';

type PdfDocument = Awaited<ReturnType<typeof getDocumentProxy>>;

/** A vertical step this many text heights or more between lines is read as a paragraph break. */
const PARAGRAPH_GAP = 1.6;

export async function extractPdf(content: Uint8Array, ctx: Context): Promise<Output> {
  checkPdfInflation(content, ctx.limits.maxDecompressionRatio, ctx.guard);
  let doc: PdfDocument | undefined;
  try {
    // PDF.js wants a plain Uint8Array (not a Buffer) and may take it over: give it a copy.
    const data = new Uint8Array(content.byteLength);
    data.set(content);
    doc = await getDocumentProxy(data, { verbosity: 0, isEvalSupported: false, stopAtErrors: false });
    const sink = ctx.sink();
    for (let n = 1; n <= doc.numPages; n++) {
      ctx.guard.check();
      const page = await doc.getPage(n);
      const text = await page.getTextContent();
      sink.paragraph();
      let lineEnded = false;
      let lastY = 0;
      let lastHeight = 0;
      for (const item of text.items) {
        if (!('str' in item)) continue; // marked-content boundaries carry no text
        const y = item.transform[5] as number;
        const height = item.height || lastHeight;
        if (item.str.trim() !== '') {
          if (lineEnded) {
            if (height > 0 && Math.abs(lastY - y) >= PARAGRAPH_GAP * height) sink.paragraph();
            else sink.lineBreak();
            lineEnded = false;
          }
          lastY = y;
          lastHeight = height;
        }
        sink.inline(item.str);
        if (item.hasEOL) lineEnded = true;
      }
      page.cleanup();
    }
    return { text: sink.toString(), title: await title(doc) };
  } catch (e) {
    if ((e as { name?: string }).name === 'PasswordException') {
      throw new ExtractError('encrypted PDF: a password is required to open it');
    }
    throw e;
  } finally {
    await doc?.destroy().catch(() => undefined);
  }
}

async function title(doc: PdfDocument): Promise<string | undefined> {
  try {
    const meta = await doc.getMetadata();
    const info = meta.info as { Title?: unknown };
    const t = typeof info.Title === 'string' ? info.Title : meta.metadata?.get('dc:title');
    const clean = typeof t === 'string' ? t.replace(/\s+/g, ' ').trim() : '';
    return clean || undefined;
  } catch {
    return undefined; // a broken information dictionary costs the title, not the text
  }
}
