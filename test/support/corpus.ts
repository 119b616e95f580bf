// Generators of real documents of every format the extractors read, built in memory from given
// text so no binary fixture is checked in. Each generator documents what extracting its output
// gives back, so a test can assert the exact text.
import { pipeline } from 'node:stream/promises';
import { createDeflate } from 'node:zlib';
import { zipSync, strToU8 } from 'fflate';

const enc = new TextEncoder();

function xmlEscape(s: string): string {
  return s.replace(/[&<>"]/g, (c) => (c === '&' ? '&amp;' : c === '<' ? '&lt;' : c === '>' ? '&gt;' : '&quot;'));
}

const XML_DECL = '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n';

function zip(files: Record<string, string | Uint8Array>): Uint8Array {
  const entries: Record<string, Uint8Array> = {};
  for (const [name, data] of Object.entries(files)) entries[name] = typeof data === 'string' ? strToU8(data) : data;
  return zipSync(entries, { level: 6 });
}

// ---------------------------------------------------------------------------------------------- PDF

/**
 * Windows-1252 bytes 0x80–0x9F (WinAnsiEncoding's characters outside Latin-1). Spelt out because
 * Node 20's TextDecoder('windows-1252') decodes these bytes as Latin-1 C1 controls.
 */
const CP1252_80_9F = '\u20ac\u0081\u201a\u0192\u201e\u2026\u2020\u2021\u02c6\u2030\u0160\u2039\u0152\u008d\u017d\u008f' +
  '\u0090\u2018\u2019\u201c\u201d\u2022\u2013\u2014\u02dc\u2122\u0161\u203a\u0153\u009d\u017e\u0178';
const WIN_ANSI_EXTRA = new Map<string, number>(
  [...CP1252_80_9F].map((ch, i) => [ch, 0x80 + i] as [string, number]).filter(([ch, b]) => ch.charCodeAt(0) !== b),
);

/** A PDF literal string in WinAnsiEncoding, the encoding of the standard Helvetica font. */
function pdfString(s: string): string {
  let out = '(';
  for (const ch of s) {
    const code = ch.codePointAt(0)!;
    if (ch === '\\' || ch === '(' || ch === ')') out += '\\' + ch;
    else if (code >= 0x20 && code < 0x7f) out += ch;
    else {
      const b = code >= 0xa0 && code <= 0xff ? code : WIN_ANSI_EXTRA.get(ch);
      if (b === undefined) throw new Error(`makePdf: ${JSON.stringify(ch)} is not in WinAnsiEncoding (Helvetica)`);
      out += '\\' + b.toString(8).padStart(3, '0');
    }
  }
  return out + ')';
}

export interface PdfOptions {
  /** The document information dictionary's /Title, which extraction returns as the title. */
  title?: string;
  /** Lines per page before a new page starts (default 50). A form feed (\f) also starts one. */
  linesPerPage?: number;
}

/** Helvetica's glyph widths (thousandths of an em) for ASCII 32–126, from its AFM file. */
const HELVETICA_WIDTHS = [
  278, 278, 355, 556, 556, 889, 667, 191, 333, 333, 389, 584, 278, 333, 278, 278, 556, 556, 556, 556, 556, 556, 556,
  556, 556, 556, 278, 278, 584, 584, 584, 556, 1015, 667, 667, 722, 722, 667, 611, 778, 722, 278, 500, 667, 556, 833,
  722, 778, 667, 778, 722, 667, 611, 722, 667, 944, 667, 667, 611, 278, 278, 278, 469, 556, 333, 556, 556, 500, 556,
  556, 278, 556, 556, 222, 222, 500, 222, 833, 556, 556, 556, 556, 333, 500, 278, 556, 500, 722, 500, 500, 500, 334,
  260, 334, 584,
];
const FONT_SIZE = 12;
const MARGIN = 72;
/** The largest page side PDF readers must support (PDF 1.7, annex C). */
const MAX_PAGE_SIDE = 14400;

function textWidth(line: string): number {
  let w = 0;
  for (const ch of line) {
    const c = ch.charCodeAt(0);
    w += c >= 32 && c <= 126 ? HELVETICA_WIDTHS[c - 32]! : 1000; // no accented glyph is wider than an em
  }
  return (w * FONT_SIZE) / 1000;
}

/** Splits a line at spaces into pieces no wider than `max` points (a single long word stays whole). */
function wrap(line: string, max: number): string[] {
  if (textWidth(line) <= max) return [line];
  const out: string[] = [];
  let current = '';
  for (const word of line.split(' ')) {
    const candidate = current ? `${current} ${word}` : word;
    if (current && textWidth(candidate) > max) {
      out.push(current);
      current = word;
    } else current = candidate;
  }
  out.push(current);
  return out;
}

/**
 * A PDF 1.4 file written object by object with a correct cross-reference table, text in the standard
 * Helvetica font (so `text` must be WinAnsi: Latin-1 plus curly quotes, dashes, €, …). Readers drop
 * text outside the page, so pages are as wide as the longest line; only a line too long for the
 * widest page a reader must support (about 1,200 characters) is wrapped at spaces, which reads back
 * as line breaks. Extraction gives back the text normalised, with each page break as a paragraph break.
 */
export function makePdf(text: string, opts: PdfOptions = {}): Uint8Array {
  const perPage = opts.linesPerPage ?? 50;
  const maxLine = MAX_PAGE_SIDE - 2 * MARGIN;
  const pages: string[][] = [];
  for (const pageText of text.split('\f')) {
    const lines = pageText.split(/\r?\n/).flatMap((l) => wrap(l, maxLine));
    for (let i = 0; i < lines.length; i += perPage) pages.push(lines.slice(i, i + perPage));
  }

  const objects: string[] = []; // objects[n - 1] is object n
  const add = (body: string): number => objects.push(body);
  const catalog = add('');
  const pageTree = add('');
  const font = add('<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica /Encoding /WinAnsiEncoding >>');
  const kids: number[] = [];
  for (const lines of pages) {
    const width = Math.ceil(Math.max(612, 2 * MARGIN + Math.max(...lines.map(textWidth))));
    const height = Math.max(792, 2 * MARGIN + lines.length * 14);
    // 14-point leading; a blank line is just one more T*, which readers see as a paragraph gap.
    const ops = ['BT', `/F1 ${FONT_SIZE} Tf`, '14 TL', `${MARGIN} ${height - MARGIN} Td`];
    lines.forEach((line, i) => {
      if (i > 0) ops.push('T*');
      if (line.trim() !== '') ops.push(`${pdfString(line)} Tj`);
    });
    ops.push('ET');
    const stream = ops.join('\n');
    const contents = add(`<< /Length ${Buffer.byteLength(stream, 'latin1')} >>\nstream\n${stream}\nendstream`);
    kids.push(
      add(
        `<< /Type /Page /Parent ${pageTree} 0 R /MediaBox [0 0 ${width} ${height}] ` +
          `/Resources << /Font << /F1 ${font} 0 R >> >> /Contents ${contents} 0 R >>`,
      ),
    );
  }
  objects[catalog - 1] = `<< /Type /Catalog /Pages ${pageTree} 0 R >>`;
  objects[pageTree - 1] = `<< /Type /Pages /Kids [${kids.map((k) => `${k} 0 R`).join(' ')}] /Count ${kids.length} >>`;
  const info = add(
    `<< /Producer (kendrite test corpus)${opts.title !== undefined ? ` /Title ${pdfString(opts.title)}` : ''} >>`,
  );
  return assemblePdf(objects, `/Root ${catalog} 0 R /Info ${info} 0 R`);
}

/** Header, numbered objects, xref table with each object's byte offset, trailer. Latin-1 throughout. */
function assemblePdf(objects: string[], trailerEntries: string): Uint8Array {
  let out = '%PDF-1.4\n%\xe2\xe3\xcf\xd3\n';
  const offsets: number[] = [];
  objects.forEach((body, i) => {
    offsets.push(out.length); // one char per byte in Latin-1
    out += `${i + 1} 0 obj\n${body}\nendobj\n`;
  });
  const xref = out.length;
  out += `xref\n0 ${objects.length + 1}\n0000000000 65535 f \n`;
  for (const o of offsets) out += `${String(o).padStart(10, '0')} 00000 n \n`;
  out += `trailer\n<< /Size ${objects.length + 1} ${trailerEntries} >>\nstartxref\n${xref}\n%%EOF\n`;
  return new Uint8Array(Buffer.from(out, 'latin1'));
}

/**
 * A PDF that needs a user password. Its standard security handler's /U entry matches no password
 * at all, which is all a reader without the password can find out anyway.
 */
export function makeEncryptedPdf(): Uint8Array {
  const pdf = Buffer.from(makePdf('secret text')).toString('latin1');
  const hex32 = (b: number) => '<' + b.toString(16).padStart(2, '0').repeat(32) + '>';
  const objCount = Number(/\/Size (\d+)/.exec(pdf)![1]) - 1;
  const bodies: string[] = [];
  for (let n = 1; n <= objCount; n++) {
    bodies.push(new RegExp(`\\n${n} 0 obj\\n([\\s\\S]*?)\\nendobj\\n`).exec(pdf)![1]!);
  }
  const encrypt = bodies.push(`<< /Filter /Standard /V 1 /R 2 /O ${hex32(0x5a)} /U ${hex32(0xa5)} /P -44 >>`);
  const trailer = /trailer\n<< \/Size \d+ (.*) >>/.exec(pdf)![1]!;
  const id = '<00112233445566778899aabbccddeeff>';
  return assemblePdf(bodies, `${trailer} /Encrypt ${encrypt} 0 R /ID [${id} ${id}]`);
}

/** zlib data of `size` bytes: `head`, then `fill`; deflated a megabyte at a time, never held inflated. */
export async function deflatedRun(head: string, fill: number, size: number): Promise<Buffer> {
  const MB = 1024 * 1024;
  const block = Buffer.alloc(MB, fill);
  async function* inflated() {
    yield Buffer.from(head, 'latin1');
    for (let done = head.length; done < size; done += MB) yield block.subarray(0, Math.min(MB, size - done));
  }
  const parts: Buffer[] = [];
  await pipeline(inflated(), createDeflate({ level: 9 }), async (chunks: AsyncIterable<Buffer>) => {
    for await (const c of chunks) parts.push(c);
  });
  return Buffer.concat(parts);
}

/**
 * A one-page PDF whose content stream is `data`, zlib data (FlateDecode), with its /Length direct or,
 * as some writers do, an indirect object (then readers find the stream's end by its `endstream`).
 */
export function makeFlatePdf(data: Uint8Array, opts: { indirectLength?: boolean } = {}): Uint8Array {
  const objects: Array<string | Uint8Array> = [
    '<< /Type /Catalog /Pages 2 0 R >>',
    '<< /Type /Pages /Kids [3 0 R] /Count 1 >>',
    '<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Resources << /Font << /F1 5 0 R >> >> /Contents 4 0 R >>',
    Buffer.concat([
      Buffer.from(`<< /Length ${opts.indirectLength ? '6 0 R' : data.length} /Filter /FlateDecode >>\nstream\n`, 'latin1'),
      data,
      Buffer.from('\nendstream', 'latin1'),
    ]),
    '<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>',
    String(data.length),
  ];
  const parts: Buffer[] = [Buffer.from('%PDF-1.4\n')];
  let offset = parts[0]!.length;
  const offsets: number[] = [];
  objects.forEach((body, i) => {
    offsets.push(offset);
    const obj = Buffer.concat([Buffer.from(`${i + 1} 0 obj\n`), Buffer.from(body as string | Uint8Array), Buffer.from('\nendobj\n')]);
    parts.push(obj);
    offset += obj.length;
  });
  const xref = offsets.map((o) => `${String(o).padStart(10, '0')} 00000 n \n`).join('');
  parts.push(
    Buffer.from(
      `xref\n0 ${objects.length + 1}\n0000000000 65535 f \n${xref}trailer\n<< /Size ${objects.length + 1} /Root 1 0 R >>\nstartxref\n${offset}\n%%EOF\n`,
    ),
  );
  return Buffer.concat(parts);
}

/** Starts like a PDF, then is noise: no objects, no cross-reference table, no trailer. */
export function makeCorruptPdf(): Uint8Array {
  const noise = Buffer.alloc(2048);
  for (let i = 0; i < noise.length; i++) noise[i] = (i * 7919 + 13) % 251; // deterministic, not a PDF token stream
  return Buffer.concat([Buffer.from('%PDF-1.7\n'), noise]);
}

// --------------------------------------------------------------------------------------------- DOCX

const W_NS = 'http://schemas.openxmlformats.org/wordprocessingml/2006/main';
const REL_NS = 'http://schemas.openxmlformats.org/package/2006/relationships';
const OFFICE_DOC_REL = 'http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument';
const CORE_REL = 'http://schemas.openxmlformats.org/package/2006/relationships/metadata/core-properties';

function coreXml(title: string): string {
  return (
    XML_DECL +
    '<cp:coreProperties xmlns:cp="http://schemas.openxmlformats.org/package/2006/metadata/core-properties" ' +
    'xmlns:dc="http://purl.org/dc/elements/1.1/" xmlns:dcterms="http://purl.org/dc/terms/">' +
    `<dc:title>${xmlEscape(title)}</dc:title><dc:creator>kendrite test corpus</dc:creator></cp:coreProperties>`
  );
}

function contentTypes(overrides: Record<string, string>): string {
  return (
    XML_DECL +
    '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">' +
    '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>' +
    '<Default Extension="xml" ContentType="application/xml"/>' +
    Object.entries(overrides)
      .map(([part, type]) => `<Override PartName="/${part}" ContentType="${type}"/>`)
      .join('') +
    '<Override PartName="/docProps/core.xml" ContentType="application/vnd.openxmlformats-package.core-properties+xml"/>' +
    '</Types>'
  );
}

function relationships(rels: Array<[id: string, type: string, target: string]>): string {
  return (
    XML_DECL +
    `<Relationships xmlns="${REL_NS}">` +
    rels.map(([id, type, target]) => `<Relationship Id="${id}" Type="${type}" Target="${target}"/>`).join('') +
    '</Relationships>'
  );
}

function rootRels(main: string): string {
  return relationships([
    ['rId1', OFFICE_DOC_REL, main],
    ['rId2', CORE_REL, 'docProps/core.xml'],
  ]);
}

/** Runs of a Word paragraph: the first word in its own bold run, so readers must join runs. */
function wordRuns(text: string): string {
  const out: string[] = [];
  text.split('\n').forEach((line, i) => {
    if (i > 0) out.push('<w:r><w:br/></w:r>');
    line.split('\t').forEach((part, j) => {
      if (j > 0) out.push('<w:r><w:tab/></w:r>');
      const m = /^(\S+)([\s\S]*)$/.exec(part);
      if (m) {
        out.push(`<w:r><w:rPr><w:b/></w:rPr><w:t>${xmlEscape(m[1]!)}</w:t></w:r>`);
        if (m[2]) out.push(`<w:r><w:t xml:space="preserve">${xmlEscape(m[2])}</w:t></w:r>`);
      } else if (part) {
        out.push(`<w:r><w:t xml:space="preserve">${xmlEscape(part)}</w:t></w:r>`);
      }
    });
  });
  return out.join('');
}

/**
 * A .docx with one Word paragraph per entry (a \n inside an entry is a line break, a \t a tab).
 * Extraction gives back `paragraphs.join('\n\n')` normalised, and `title` if given.
 */
export function makeDocx(paragraphs: string[], opts: { title?: string } = {}): Uint8Array {
  const body = paragraphs.map((p) => `<w:p>${wordRuns(p)}</w:p>`).join('');
  return zip({
    '[Content_Types].xml': contentTypes({
      'word/document.xml': 'application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml',
    }),
    '_rels/.rels': rootRels('word/document.xml'),
    'word/document.xml':
      XML_DECL + `<w:document xmlns:w="${W_NS}"><w:body>${body}<w:sectPr/></w:body></w:document>`,
    'docProps/core.xml': coreXml(opts.title ?? ''),
  });
}

// --------------------------------------------------------------------------------------------- PPTX

const P_NS = 'http://schemas.openxmlformats.org/presentationml/2006/main';
const A_NS = 'http://schemas.openxmlformats.org/drawingml/2006/main';
const R_NS = 'http://schemas.openxmlformats.org/officeDocument/2006/relationships';
const SLIDE_REL = 'http://schemas.openxmlformats.org/officeDocument/2006/relationships/slide';

function slideXml(paragraphs: string[]): string {
  const paras = paragraphs
    .map((p) => `<a:p>${p.split('\n').map((l) => `<a:r><a:rPr lang="en-US"/><a:t>${xmlEscape(l)}</a:t></a:r>`).join('<a:br/>')}</a:p>`)
    .join('');
  return (
    XML_DECL +
    `<p:sld xmlns:p="${P_NS}" xmlns:a="${A_NS}" xmlns:r="${R_NS}"><p:cSld><p:spTree>` +
    '<p:nvGrpSpPr><p:cNvPr id="1" name=""/><p:cNvGrpSpPr/><p:nvPr/></p:nvGrpSpPr><p:grpSpPr/>' +
    '<p:sp><p:nvSpPr><p:cNvPr id="2" name="Text"/><p:cNvSpPr txBox="1"/><p:nvPr/></p:nvSpPr><p:spPr/>' +
    `<p:txBody><a:bodyPr/><a:lstStyle/>${paras}</p:txBody></p:sp>` +
    '</p:spTree></p:cSld></p:sld>'
  );
}

/**
 * A .pptx with one slide per entry, each a list of text paragraphs. Slide files are numbered in
 * reverse of the presentation order, so only a reader that follows the presentation gets the order.
 * Extraction gives back each slide's paragraphs joined by '\n', slides joined by '\n\n'.
 */
export function makePptx(slides: string[][], opts: { title?: string } = {}): Uint8Array {
  const n = slides.length;
  const files: Record<string, string> = {};
  const overrides: Record<string, string> = {
    'ppt/presentation.xml': 'application/vnd.openxmlformats-officedocument.presentationml.presentation.main+xml',
  };
  const rels: Array<[string, string, string]> = [];
  const ids: string[] = [];
  slides.forEach((paragraphs, i) => {
    const file = `slides/slide${n - i}.xml`;
    files[`ppt/${file}`] = slideXml(paragraphs);
    overrides[`ppt/${file}`] = 'application/vnd.openxmlformats-officedocument.presentationml.slide+xml';
    rels.push([`rId${i + 2}`, SLIDE_REL, file]);
    ids.push(`<p:sldId id="${256 + i}" r:id="rId${i + 2}"/>`);
  });
  return zip({
    '[Content_Types].xml': contentTypes(overrides),
    '_rels/.rels': rootRels('ppt/presentation.xml'),
    'ppt/presentation.xml':
      XML_DECL +
      `<p:presentation xmlns:p="${P_NS}" xmlns:a="${A_NS}" xmlns:r="${R_NS}">` +
      `<p:sldIdLst>${ids.join('')}</p:sldIdLst><p:sldSz cx="9144000" cy="6858000"/><p:notesSz cx="6858000" cy="9144000"/>` +
      '</p:presentation>',
    'ppt/_rels/presentation.xml.rels': relationships(rels),
    ...files,
    'docProps/core.xml': coreXml(opts.title ?? ''),
  });
}

// --------------------------------------------------------------------------------------------- XLSX

const S_NS = 'http://schemas.openxmlformats.org/spreadsheetml/2006/main';
const SHEET_REL = 'http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet';
const SST_REL = 'http://schemas.openxmlformats.org/officeDocument/2006/relationships/sharedStrings';

function columnName(i: number): string {
  let s = '';
  for (let n = i + 1; n > 0; n = Math.floor((n - 1) / 26)) s = String.fromCharCode(65 + ((n - 1) % 26)) + s;
  return s;
}

/**
 * A .xlsx with one worksheet per entry, each a list of rows of cell texts. Numeric texts become
 * number cells, "TRUE"/"FALSE" boolean cells, every other text a shared string (deduplicated);
 * empty texts are left out. Extraction gives back each row's non-empty cells joined by ' ', rows
 * by '\n', sheets by '\n\n'.
 */
export function makeXlsx(sheets: string[][][], opts: { title?: string; sheetNames?: string[] } = {}): Uint8Array {
  const shared: string[] = [];
  const sharedIndex = new Map<string, number>();
  const files: Record<string, string> = {};
  const overrides: Record<string, string> = {
    'xl/workbook.xml': 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml',
    'xl/sharedStrings.xml': 'application/vnd.openxmlformats-officedocument.spreadsheetml.sharedStrings+xml',
  };
  const rels: Array<[string, string, string]> = [];
  const sheetEntries: string[] = [];
  sheets.forEach((rows, s) => {
    const rowXml = rows
      .map((cells, r) => {
        const cellXml = cells
          .map((v, c) => {
            const ref = `${columnName(c)}${r + 1}`;
            if (v === '') return '';
            if (/^-?\d+(\.\d+)?$/.test(v)) return `<c r="${ref}"><v>${v}</v></c>`;
            if (v === 'TRUE' || v === 'FALSE') return `<c r="${ref}" t="b"><v>${v === 'TRUE' ? 1 : 0}</v></c>`;
            let idx = sharedIndex.get(v);
            if (idx === undefined) {
              idx = shared.push(v) - 1;
              sharedIndex.set(v, idx);
            }
            return `<c r="${ref}" t="s"><v>${idx}</v></c>`;
          })
          .join('');
        return `<row r="${r + 1}">${cellXml}</row>`;
      })
      .join('');
    const part = `worksheets/sheet${s + 1}.xml`;
    files[`xl/${part}`] = XML_DECL + `<worksheet xmlns="${S_NS}"><sheetData>${rowXml}</sheetData></worksheet>`;
    overrides[`xl/${part}`] = 'application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml';
    rels.push([`rId${s + 1}`, SHEET_REL, part]);
    const name = opts.sheetNames?.[s] ?? `Sheet${s + 1}`;
    sheetEntries.push(`<sheet name="${xmlEscape(name)}" sheetId="${s + 1}" r:id="rId${s + 1}"/>`);
  });
  rels.push([`rId${sheets.length + 1}`, SST_REL, 'sharedStrings.xml']);
  const sst = shared
    .map((t) => `<si><t${/^\s|\s$/.test(t) ? ' xml:space="preserve"' : ''}>${xmlEscape(t)}</t></si>`)
    .join('');
  return zip({
    '[Content_Types].xml': contentTypes(overrides),
    '_rels/.rels': rootRels('xl/workbook.xml'),
    'xl/workbook.xml':
      XML_DECL + `<workbook xmlns="${S_NS}" xmlns:r="${R_NS}"><sheets>${sheetEntries.join('')}</sheets></workbook>`,
    'xl/_rels/workbook.xml.rels': relationships(rels),
    'xl/sharedStrings.xml':
      XML_DECL + `<sst xmlns="${S_NS}" count="${shared.length}" uniqueCount="${shared.length}">${sst}</sst>`,
    ...files,
    'docProps/core.xml': coreXml(opts.title ?? ''),
  });
}

// ---------------------------------------------------------------------------------------------- RTF

/** RTF text: 7-bit ASCII, Windows-1252 characters as \'hh, everything else as \uN with a ? fallback. */
function rtfEscape(s: string): string {
  let out = '';
  for (const ch of s) {
    const code = ch.codePointAt(0)!;
    if (ch === '\\' || ch === '{' || ch === '}') out += '\\' + ch;
    else if (ch === '\t') out += '\\tab ';
    else if (code >= 0x20 && code < 0x80) out += ch;
    else {
      const b = code >= 0xa0 && code <= 0xff ? code : WIN_ANSI_EXTRA.get(ch);
      if (b !== undefined) out += `\\'${b.toString(16).padStart(2, '0')}`;
      else for (const unit of ch.split('')) out += `\\u${(unit.charCodeAt(0) << 16) >> 16}?`; // signed 16-bit
    }
  }
  return out;
}

/**
 * An RTF document with font, colour and style tables and an info group (all of which readers must
 * skip). Blank lines separate paragraphs (\par), a single \n is a \line. Extraction gives back the
 * text normalised, and `title` (from \info) if given.
 */
export function makeRtf(text: string, opts: { title?: string } = {}): Uint8Array {
  const body = text
    .split(/\n\s*\n/)
    .map((p) => p.split('\n').map(rtfEscape).join('\\line\n'))
    .join('\\par\n');
  const rtf =
    '{\\rtf1\\ansi\\ansicpg1252\\deff0\\uc1\n' +
    '{\\fonttbl{\\f0\\fswiss\\fcharset0 Helvetica;}{\\f1\\froman\\fcharset0 Times New Roman;}}\n' +
    '{\\colortbl;\\red0\\green0\\blue0;\\red255\\green0\\blue0;}\n' +
    '{\\stylesheet{\\s0\\snext0 Normal;}{\\s1\\sbasedon0\\snext0 heading 1;}}\n' +
    `{\\info${opts.title !== undefined ? `{\\title ${rtfEscape(opts.title)}}` : ''}{\\author kendrite test corpus}}\n` +
    '{\\*\\generator kendrite corpus;}\n' +
    '\\viewkind4\\pard\\plain\\f0\\fs24 ' +
    body +
    '\\par\n}';
  return new Uint8Array(Buffer.from(rtf, 'latin1')); // rtfEscape leaves only ASCII
}

// --------------------------------------------------------------------------------------------- HTML

/**
 * A UTF-8 HTML page titled `title` whose body shows `body` (plain text: blank lines separate <p>
 * paragraphs, a single \n is a <br>). The page also carries a stylesheet, scripts, a template and a
 * noscript block, none of which is visible text. Extraction gives back `body` normalised and `title`.
 */
export function makeHtml(title: string, body: string): Uint8Array {
  const paras = body
    .split(/\n\s*\n/)
    .map((p) => `<p>${p.split('\n').map(xmlEscape).join('<br>\n')}</p>`)
    .join('\n');
  const html =
    '<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8">\n' +
    `<title>${xmlEscape(title)}</title>\n` +
    '<style>body { font-family: sans-serif } .hidden::after { content: "style text" }</style>\n' +
    '<script>window.analytics = "script text";</script>\n' +
    '</head><body>\n' +
    `${paras}\n` +
    '<template><p>template text</p></template>\n' +
    '<noscript>noscript text</noscript>\n' +
    '<script type="module">console.log("<p>script text</p>")</script>\n' +
    '</body></html>\n';
  return enc.encode(html);
}

// -------------------------------------------------------------------------------------- zip bombs

/**
 * A .docx whose word/document.xml inflates to `inflatedBytes` (default 32 MiB, about a thousand
 * times its compressed size). With `lie`, its zip headers declare the entry 1 KiB uncompressed, so
 * only counting while inflating catches it.
 */
export function makeZipBomb(opts: { inflatedBytes?: number; lie?: boolean } = {}): Uint8Array {
  const size = opts.inflatedBytes ?? 32 * 1024 * 1024;
  const head = `${XML_DECL}<w:document xmlns:w="${W_NS}"><w:body><w:p><w:r><w:t>`;
  const tail = '</w:t></w:r></w:p></w:body></w:document>';
  const xml = new Uint8Array(size);
  xml.fill(0x20); // spaces: the worst case, they never count against the text limit
  xml.set(enc.encode(head), 0);
  xml.set(enc.encode(tail), size - tail.length);
  const docx = zip({
    '[Content_Types].xml': contentTypes({
      'word/document.xml': 'application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml',
    }),
    '_rels/.rels': rootRels('word/document.xml'),
    'word/document.xml': xml,
    'docProps/core.xml': coreXml(''),
  });
  if (opts.lie) declareUncompressedSize(docx, 'word/document.xml', 1024);
  return docx;
}

/** Rewrites an entry's uncompressed size in both its local and its central directory header. */
function declareUncompressedSize(zipBytes: Uint8Array, name: string, size: number): void {
  const v = new DataView(zipBytes.buffer, zipBytes.byteOffset, zipBytes.byteLength);
  let eocd = zipBytes.length - 22;
  while (v.getUint32(eocd, true) !== 0x06054b50) eocd--;
  const count = v.getUint16(eocd + 10, true);
  let p = v.getUint32(eocd + 16, true);
  for (let i = 0; i < count; i++) {
    const nameLen = v.getUint16(p + 28, true);
    const entryName = Buffer.from(zipBytes.subarray(p + 46, p + 46 + nameLen)).toString('utf8');
    if (entryName === name) {
      v.setUint32(p + 24, size, true);
      v.setUint32(v.getUint32(p + 42, true) + 22, size, true);
      return;
    }
    p += 46 + nameLen + v.getUint16(p + 30, true) + v.getUint16(p + 32, true);
  }
  throw new Error(`no entry ${name}`);
}
