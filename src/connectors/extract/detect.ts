// Which extractor a document needs: from what the source says (a Kendra ContentType or a MIME
// type), else the file name's extension, else the first bytes.
import type { ContentType } from './types.js';

const CONTENT_TYPES = new Set<string>([
  'PDF', 'HTML', 'MS_WORD', 'PLAIN_TEXT', 'PPT', 'RTF', 'XML', 'XSLT', 'MS_EXCEL', 'CSV', 'JSON', 'MD',
]);

const MIME_TYPES: Record<string, ContentType> = {
  'text/plain': 'PLAIN_TEXT',
  'text/html': 'HTML',
  'application/xhtml+xml': 'HTML',
  'text/markdown': 'MD',
  'text/x-markdown': 'MD',
  'application/pdf': 'PDF',
  'application/x-pdf': 'PDF',
  'application/vnd.openxmlformats-officedocument.wordprocessingml.document': 'MS_WORD',
  'application/msword': 'MS_WORD',
  'application/vnd.openxmlformats-officedocument.presentationml.presentation': 'PPT',
  'application/vnd.ms-powerpoint': 'PPT',
  'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet': 'MS_EXCEL',
  'application/vnd.ms-excel': 'MS_EXCEL',
  'text/csv': 'CSV',
  'application/csv': 'CSV',
  'application/json': 'JSON',
  'text/json': 'JSON',
  'application/xml': 'XML',
  'text/xml': 'XML',
  'application/xslt+xml': 'XSLT',
  'text/xsl': 'XSLT',
  'application/rtf': 'RTF',
  'text/rtf': 'RTF',
};

/** Legacy .doc/.ppt/.xls map to their formats so that extraction can say why it cannot read them. */
const EXTENSIONS: Record<string, ContentType> = {
  txt: 'PLAIN_TEXT',
  text: 'PLAIN_TEXT',
  html: 'HTML',
  htm: 'HTML',
  xhtml: 'HTML',
  md: 'MD',
  markdown: 'MD',
  pdf: 'PDF',
  docx: 'MS_WORD',
  doc: 'MS_WORD',
  pptx: 'PPT',
  ppt: 'PPT',
  xlsx: 'MS_EXCEL',
  xls: 'MS_EXCEL',
  csv: 'CSV',
  json: 'JSON',
  xml: 'XML',
  xsl: 'XSLT',
  xslt: 'XSLT',
  rtf: 'RTF',
};

function fromDeclared(contentType: string): ContentType | undefined {
  const t = contentType.trim();
  if (CONTENT_TYPES.has(t.toUpperCase())) return t.toUpperCase() as ContentType;
  const mime = t.toLowerCase().split(';')[0]!.trim();
  const known = MIME_TYPES[mime];
  if (known) return known;
  if (mime.endsWith('+json')) return 'JSON';
  if (mime.endsWith('+xml')) return 'XML';
  return undefined; // application/octet-stream and the like say nothing
}

function fromFileName(fileName: string): ContentType | undefined {
  const base = fileName.split(/[?#]/)[0]!.split(/[/\\]/).pop() ?? '';
  const dot = base.lastIndexOf('.');
  return dot > 0 || (dot === 0 && base.length > 1) ? EXTENSIONS[base.slice(dot + 1).toLowerCase()] : undefined;
}

const ascii = (bytes: Uint8Array, start: number, end: number): string =>
  Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('latin1', start, Math.min(end, bytes.length));

/** One decoder for every call: a whole-input decode keeps no state, and making one cost more than decoding a document's head. */
const UTF8 = new TextDecoder('utf-8');

function fromMagic(content: Uint8Array): ContentType | undefined {
  const buf = Buffer.from(content.buffer, content.byteOffset, content.byteLength);
  if (ascii(content, 0, 1024).includes('%PDF-')) return 'PDF';
  if (buf.length >= 4 && buf.readUInt32LE(0) === 0x04034b50) {
    // Zip entry names are stored uncompressed in the headers, so the package kind shows in the bytes.
    if (buf.includes('word/document')) return 'MS_WORD';
    if (buf.includes('ppt/presentation')) return 'PPT';
    if (buf.includes('xl/workbook')) return 'MS_EXCEL';
    return undefined;
  }
  if (buf.length >= 8 && buf.readUInt32BE(0) === 0xd0cf11e0 && buf.readUInt32BE(4) === 0xa1b11ae1) {
    // An OLE2 compound file names its streams in UTF-16.
    if (buf.includes(Buffer.from('WordDocument', 'utf16le'))) return 'MS_WORD';
    if (buf.includes(Buffer.from('PowerPoint Document', 'utf16le'))) return 'PPT';
    if (buf.includes(Buffer.from('Workbook', 'utf16le')) || buf.includes(Buffer.from('Book', 'utf16le'))) return 'MS_EXCEL';
    return undefined;
  }
  if (buf.subarray(0, 4096).includes(0)) return undefined; // binary
  const head = UTF8.decode(buf.subarray(0, 4096)).trimStart();
  if (head.startsWith('{\\rtf')) return 'RTF';
  if (/^<\?xml\b/.test(head)) {
    if (/<xsl:(stylesheet|transform)\b|http:\/\/www\.w3\.org\/1999\/XSL\/Transform/.test(head)) return 'XSLT';
    return /<html[\s>]/i.test(head) ? 'HTML' : 'XML';
  }
  if (/^(<!--[\s\S]*?-->\s*)*<!doctype html|^<html[\s>]|<(head|body)[\s>]/i.test(head)) return 'HTML';
  if (/^<[A-Za-z_]/.test(head)) return /<(p|div|span|a|br|table|h[1-6])[\s>/]/i.test(head) ? 'HTML' : 'XML';
  if (/^[{[]/.test(head)) {
    if (content.length > 1024 * 1024) return 'JSON';
    try {
      JSON.parse(buf.toString('utf8'));
      return 'JSON';
    } catch {
      return 'PLAIN_TEXT';
    }
  }
  return 'PLAIN_TEXT';
}

export function detectContentType(hint: { contentType?: string; fileName?: string; content?: Uint8Array }): ContentType | undefined {
  return (
    (hint.contentType ? fromDeclared(hint.contentType) : undefined) ??
    (hint.fileName ? fromFileName(hint.fileName) : undefined) ??
    (hint.content && hint.content.length > 0 ? fromMagic(hint.content) : undefined)
  );
}
