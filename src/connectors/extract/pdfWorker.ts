// Runs PDF.js (through unpdf) in a worker thread, so a PDF that makes it loop or eat memory can be
// stopped by terminating the thread instead of taking the process down with it.
import { parentPort } from 'node:worker_threads';
import { getDocumentProxy } from 'unpdf';
import { ExtractError, TextSink } from './text.js';

export interface PdfRequest {
  data: Uint8Array;
  maxTextBytes: number;
}
export type PdfReply = { ok: true; text: string; title?: string } | { ok: false; reason: string };

type PdfDocument = Awaited<ReturnType<typeof getDocumentProxy>>;

/** A vertical step this many text heights or more between lines is read as a paragraph break. */
const PARAGRAPH_GAP = 1.6;

async function extract(req: PdfRequest): Promise<PdfReply> {
  let doc: PdfDocument | undefined;
  try {
    doc = await getDocumentProxy(req.data, { verbosity: 0, isEvalSupported: false, stopAtErrors: false });
    const sink = new TextSink(req.maxTextBytes);
    for (let n = 1; n <= doc.numPages; n++) {
      const page = await doc.getPage(n);
      const content = await page.getTextContent();
      sink.paragraph();
      let lineEnded = false;
      let lastY = 0;
      let lastHeight = 0;
      for (const item of content.items) {
        if (!('str' in item)) continue; // marked-content boundaries carry no text
        const y = item.transform[5] as number;
        const height = item.height || lastHeight;
        if (item.str.trim() !== '') {
          if (lineEnded) {
            if (Math.abs(lastY - y) >= PARAGRAPH_GAP * height && height > 0) sink.paragraph();
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
    return { ok: true, text: sink.toString(), title: await title(doc) };
  } catch (e) {
    if (e instanceof ExtractError) return { ok: false, reason: e.message };
    const err = e as { name?: string; message?: string };
    if (err.name === 'PasswordException') return { ok: false, reason: 'encrypted PDF: a password is required to open it' };
    return { ok: false, reason: `corrupt PDF: ${err.message ?? String(e)}` };
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

// PDF.js reports what it tolerates in broken files on the console; those are not our logs. (Piping
// the worker's stdout away instead would keep the parent's event loop alive.)
for (const level of ['log', 'info', 'warn', 'error', 'debug'] as const) console[level] = () => undefined;

parentPort?.on('message', (req: PdfRequest) => {
  void extract(req).then((reply) => parentPort!.postMessage(reply));
});
