import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { zipSync, strToU8 } from 'fflate';
import {
  DEFAULT_EXTRACT_LIMITS,
  detectContentType,
  extractText,
  type ContentType,
  type Extracted,
  type ExtractLimits,
} from '../src/connectors/extract/index.js';
import {
  deflatedRun,
  makeCorruptPdf,
  makeFlatePdf,
  makeDocx,
  makeEncryptedPdf,
  makeHtml,
  makePdf,
  makePptx,
  makeRtf,
  makeXlsx,
  makeZipBomb,
} from './support/corpus.js';

const utf8 = (s: string): Uint8Array => new TextEncoder().encode(s);

async function extracts(
  content: Uint8Array,
  type: ContentType,
  limits?: Partial<ExtractLimits>,
): Promise<Extract<Extracted, { ok: true }>> {
  const r = await extractText(content, type, limits as ExtractLimits | undefined);
  if (!r.ok) assert.fail(`expected ${type} to extract, got: ${r.reason}`);
  assert.equal(r.contentType, type);
  return r;
}

async function fails(
  content: Uint8Array,
  type: ContentType,
  reason: string,
  limits?: Partial<ExtractLimits>,
  signal?: AbortSignal,
): Promise<string> {
  const r = await extractText(content, type, limits as ExtractLimits | undefined, signal);
  assert.equal(r.ok, false, `expected ${type} to fail with "${reason}"`);
  if (r.ok) throw new Error('unreachable');
  assert.ok(r.reason.includes(reason), `reason "${r.reason}" should contain "${reason}"`);
  return r.reason;
}

/** An OLE2 compound file header followed by the UTF-16 name of one stream, as legacy Office files have. */
function ole2(streamName: string): Uint8Array {
  const header = Buffer.alloc(512);
  Buffer.from([0xd0, 0xcf, 0x11, 0xe0, 0xa1, 0xb1, 0x1a, 0xe1]).copy(header);
  return Buffer.concat([header, Buffer.from(streamName, 'utf16le'), Buffer.alloc(64)]);
}

describe('round trips', () => {
  test('PLAIN_TEXT: whitespace collapsed, line and paragraph breaks kept, trimmed', async () => {
    const r = await extracts(utf8('  Hello   world \r\n second\tline\n\n\n\n  Para two  \n'), 'PLAIN_TEXT');
    assert.equal(r.text, 'Hello world\nsecond line\n\nPara two');
    assert.equal(r.title, undefined);
  });

  test('PLAIN_TEXT: every whitespace character between words is one space, alone or in a run; a line already collapsed is kept as it is', async () => {
    // Every UTF-16 code unit JavaScript's \s matches; the line breaks among them break the line instead.
    const whitespace = Array.from({ length: 0x10000 }, (_, c) => String.fromCharCode(c)).filter((c) => /\s/.test(c));
    const breaks = new Set(['\n', '\r', '\f', '\v', '\u2028', '\u2029']);
    assert.equal(whitespace.length, 25);
    for (const ws of whitespace.filter((c) => !breaks.has(c))) {
      const name = `U+${ws.charCodeAt(0).toString(16).padStart(4, '0')}`;
      // A BOM (U+FEFF) at the very start would be read as one: each stands between words here.
      assert.equal((await extracts(utf8(`one${ws}two`), 'PLAIN_TEXT')).text, 'one two', name);
      assert.equal((await extracts(utf8(`one ${ws}two${ws}${ws}three ${ws} four`), 'PLAIN_TEXT')).text, 'one two three four', name);
    }
    for (const ws of breaks) assert.equal((await extracts(utf8(`one${ws}two`), 'PLAIN_TEXT')).text, 'one\ntwo', `U+${ws.charCodeAt(0).toString(16)}`);
    assert.equal((await extracts(utf8('one two  three'), 'PLAIN_TEXT')).text, 'one two three');
    assert.equal((await extracts(utf8(' one two three '), 'PLAIN_TEXT')).text, 'one two three');
    assert.equal((await extracts(utf8('one two three'), 'PLAIN_TEXT')).text, 'one two three');
    assert.equal((await extracts(utf8('soft\u00adhyphen  and\u00a0more'), 'PLAIN_TEXT')).text, 'softhyphen and more');
  });

  test('PLAIN_TEXT: a UTF-8 BOM is dropped, UTF-16 with a BOM and Windows-1252 are read', async () => {
    assert.equal((await extracts(utf8('\ufeffcafé'), 'PLAIN_TEXT')).text, 'café');
    const utf16 = Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from('naïve 日本', 'utf16le')]);
    assert.equal((await extracts(utf16, 'PLAIN_TEXT')).text, 'naïve 日本');
    // Not valid UTF-8: a legacy Windows file, with curly quotes and a euro sign in 0x80–0x9F.
    const cp1252 = Buffer.from([0x63, 0x61, 0x66, 0xe9, 0x20, 0x93, 0x71, 0x94, 0x20, 0x80, 0x35]);
    assert.equal((await extracts(cp1252, 'PLAIN_TEXT')).text, 'café “q” €5');
  });

  test('HTML: the visible text of a generated page and its title', async () => {
    const body = 'First paragraph & more <tags>.\nA second line.\n\nSecond paragraph: ünïcödé.';
    const r = await extracts(makeHtml('A  Page & Title', body), 'HTML');
    assert.equal(r.text, body);
    assert.equal(r.title, 'A Page & Title');
  });

  test('HTML: script, style, template, noscript and hidden elements dropped; blocks separated', async () => {
    const html = `<!doctype html><html><head><title>T</title><style>p{color:red}</style>
      <script>var x = "<p>in script</p>";</script></head>
      <body><h1>Head&shy;line</h1><p>One <b>bo</b>ld &amp; <a href="#">linked</a>&nbsp;word</p>
      <div>div one</div><div>div two</div>
      <ul><li>item 1</li><li>item 2</li></ul>
      <table><tr><th>k</th><td>v</td></tr><tr><td>a</td><td>b</td></tr></table>
      <pre>  keep
    lines</pre>
      <template><p>in template</p></template><noscript>in noscript</noscript>
      <p hidden>in hidden</p><span style="display: none">in display none</span>
      <svg><title>icon title</title><path d="M0 0"/></svg>
      <p>last &lt;p&gt; &#8364;&#x41;</p><title>misplaced title</title><script>document.write("in body script")</script></body></html>`;
    const r = await extracts(utf8(html), 'HTML');
    assert.equal(
      r.text,
      'Headline\n\nOne bold & linked word\n\ndiv one\ndiv two\n\nitem 1\nitem 2\n\nk v\na b\n\nkeep\nlines\n\nlast <p> €A',
    );
    assert.equal(r.title, 'T');
    for (const hidden of ['script', 'template', 'noscript', 'hidden', 'display none', 'icon', 'color', 'misplaced']) {
      assert.ok(!r.text.includes(hidden), `"${hidden}" leaked into the text`);
    }
  });

  test('HTML: the declared charset is honoured', async () => {
    const page = Buffer.concat([
      Buffer.from('<html><head><meta http-equiv="Content-Type" content="text/html; charset=windows-1252"></head><body>'),
      Buffer.from([0x93, 0x63, 0x61, 0x66, 0xe9, 0x94]),
      Buffer.from('</body></html>'),
    ]);
    assert.equal((await extracts(page, 'HTML')).text, '“café”');
  });

  test('MD: text without markup, first # heading as title, front matter dropped', async () => {
    const md = [
      '---',
      'title: Front',
      'tags: [a]',
      '---',
      'Intro before the heading.',
      '',
      '# The *Title*',
      '',
      'Some **bold**, _emphasis_, [a link](http://example.com) and `code` &amp; more.',
      '',
      '## Sub',
      '',
      '- one',
      '- two',
      '',
      '> quoted',
      '',
      '```js',
      'const x = 1;',
      '  indented();',
      '```',
      '',
      '| a | b |',
      '|---|---|',
      '| 1 | 2 |',
      '',
      '![alt text](img.png) <span>inline html</span> <script>alert(1)</script>',
    ].join('\n');
    const r = await extracts(utf8(md), 'MD');
    assert.equal(
      r.text,
      'Intro before the heading.\n\nThe Title\n\nSome bold, emphasis, a link and code & more.\n\nSub\n\none\ntwo\n\nquoted\n\n' +
        'const x = 1;\nindented();\n\na b\n1 2\n\ninline html',
    );
    assert.equal(r.title, 'The Title');
    assert.equal((await extracts(utf8('---\ntitle: "Only front"\n---\nbody'), 'MD')).title, 'Only front');
  });

  test('PDF: all pages, line and paragraph breaks, and the title', async () => {
    const text = 'Hello PDF world (with parentheses) and \\ backslash\nsecond line: café, “quotes” – €5\n\nA new paragraph';
    const r = await extracts(makePdf(`${text}\fPage two`, { title: 'The PDF Title' }), 'PDF');
    assert.equal(r.text, `${text}\n\nPage two`);
    assert.equal(r.title, 'The PDF Title');
    // Page breaks by length read as paragraph breaks too.
    const lines = Array.from({ length: 7 }, (_, i) => `line ${i + 1}`);
    const paged = await extracts(makePdf(lines.join('\n'), { linesPerPage: 3 }), 'PDF');
    assert.equal(paged.text, 'line 1\nline 2\nline 3\n\nline 4\nline 5\nline 6\n\nline 7');
    assert.equal(paged.title, undefined);
    // Long lines are not cut at the page edge.
    const long = 'a long line of text that is wider than any letter-sized page, '.repeat(12).trim();
    assert.equal((await extracts(makePdf(long), 'PDF')).text, long);
  });

  test('MS_WORD: paragraphs, runs joined, tabs and breaks, the title', async () => {
    const paragraphs = ['Hello world', 'Tab\there and a line\nbreak', 'Ünïcödé & <markup> "quoted"', 'Last'];
    const r = await extracts(makeDocx(paragraphs, { title: 'Word Title' }), 'MS_WORD');
    assert.equal(r.text, 'Hello world\n\nTab here and a line\nbreak\n\nÜnïcödé & <markup> "quoted"\n\nLast');
    assert.equal(r.title, 'Word Title');
    assert.equal((await extracts(makeDocx(['no title']), 'MS_WORD')).title, undefined);
  });

  test('PPT: slide texts in presentation order', async () => {
    const r = await extracts(
      makePptx([['First slide', 'point a\nsame paragraph'], ['Second slide'], ['Third', 'end']], { title: 'Deck' }),
      'PPT',
    );
    assert.equal(r.text, 'First slide\npoint a\nsame paragraph\n\nSecond slide\n\nThird\nend');
    assert.equal(r.title, 'Deck');
  });

  test('MS_EXCEL: cell values incl. shared strings, numbers and booleans, sheet by sheet', async () => {
    const r = await extracts(
      makeXlsx([
        [['Name', 'Qty', 'Note'], ['apple', '3', 'fresh & red'], ['pear', '', 'apple'], ['', '2.5']],
        [['TRUE', 'FALSE'], ['second sheet']],
      ]),
      'MS_EXCEL',
    );
    assert.equal(r.text, 'Name Qty Note\napple 3 fresh & red\npear apple\n2.5\n\nTRUE FALSE\nsecond sheet');
  });

  test('MS_WORD: tracked deletions, field codes and the fallback copy of a text box are not text', async () => {
    const w = 'xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"';
    const xml =
      `<w:document ${w} xmlns:mc="http://schemas.openxmlformats.org/markup-compatibility/2006"><w:body>` +
      '<w:p><w:r><w:t>kept</w:t></w:r><w:del><w:r><w:delText>deleted</w:delText></w:r></w:del>' +
      '<w:r><w:instrText> PAGE </w:instrText></w:r><w:r><w:t xml:space="preserve"> text</w:t></w:r></w:p>' +
      '<w:p><w:r><mc:AlternateContent><mc:Choice Requires="wps"><w:t>box</w:t></mc:Choice>' +
      '<mc:Fallback><w:t>box again</w:t></mc:Fallback></mc:AlternateContent></w:r></w:p></w:body></w:document>';
    const docx = zipSync({ 'word/document.xml': strToU8(xml) });
    assert.equal((await extracts(docx, 'MS_WORD')).text, 'kept text\n\nbox');
  });

  test('MS_EXCEL: inline strings and cached formula results; relationships followed', async () => {
    const rels = (items: string) =>
      `<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">${items}</Relationships>`;
    const T = 'http://schemas.openxmlformats.org/officeDocument/2006/relationships';
    const xlsx = zipSync({
      '_rels/.rels': strToU8(rels(`<Relationship Id="r1" Type="${T}/officeDocument" Target="/book/main.xml"/>`)),
      'book/main.xml': strToU8(
        `<workbook xmlns:r="${T}"><sheets><sheet name="B" sheetId="2" r:id="rB"/><sheet name="A" sheetId="1" r:id="rA"/></sheets></workbook>`,
      ),
      'book/_rels/main.xml.rels': strToU8(
        rels(`<Relationship Id="rA" Type="${T}/worksheet" Target="sheets/a.xml"/><Relationship Id="rB" Type="${T}/worksheet" Target="../other/b.xml"/>`),
      ),
      'book/sheets/a.xml': strToU8(
        '<worksheet><sheetData><row><c t="inlineStr"><is><t>inline</t></is></c><c><f>1+1</f><v>2</v></c>' +
          '<c t="e"><v>#DIV/0!</v></c><c t="str"><f>A1</f><v>formula text</v></c></row></sheetData></worksheet>',
      ),
      'other/b.xml': strToU8('<worksheet><sheetData><row><c t="inlineStr"><is><t>first sheet</t></is></c></row></sheetData></worksheet>'),
    });
    assert.equal((await extracts(xlsx, 'MS_EXCEL')).text, 'first sheet\n\ninline 2 formula text');
  });

  test('CSV: quoted fields with delimiters, doubled quotes and newlines; ; and tab delimiters', async () => {
    const csv = 'name,comment\r\n"Smith, J","He said ""hi""\nthen left"\r\nx,,y\n';
    assert.equal((await extracts(utf8(csv), 'CSV')).text, 'name comment\nSmith, J He said "hi" then left\nx y');
    assert.equal((await extracts(utf8('a;b,c;"d;e"\n1;2'), 'CSV')).text, 'a b,c d;e\n1 2');
    assert.equal((await extracts(utf8('a\tb\n"unterminated\tquote'), 'CSV')).text, 'a b\nunterminated quote');
  });

  test('JSON: keys and scalar values; records as paragraphs', async () => {
    const json = JSON.stringify({
      title: 'Dune',
      year: 1965,
      classic: true,
      missing: null,
      tags: ['sf', 'desert'],
      author: { name: 'Frank Herbert' },
      editions: [{ isbn: '1' }, { isbn: '2' }],
    });
    assert.equal(
      (await extracts(utf8(json), 'JSON')).text,
      'title: Dune\nyear: 1965\nclassic: true\ntags\nsf\ndesert\nauthor\nname: Frank Herbert\neditions\nisbn: 1\n\nisbn: 2',
    );
    assert.equal((await extracts(utf8('"just a string"'), 'JSON')).text, 'just a string');
  });

  test('XML: text content, one line per record, no attributes or comments', async () => {
    const xml =
      '<?xml version="1.0" encoding="UTF-8"?>\n<!-- comment -->\n<catalog xmlns:x="urn:x">' +
      '<book id="1"><title>Dune</title><author>Frank &amp; Co</author></book>\n' +
      '<x:book id="2"><title><![CDATA[Emma <1815>]]></title><author>Austen</author></x:book><?pi data?></catalog>';
    assert.equal((await extracts(utf8(xml), 'XML')).text, 'Dune Frank & Co\nEmma <1815> Austen');
  });

  test('XML: the declared encoding is honoured, UTF-16 too', async () => {
    const utf16 = Buffer.from('<?xml version="1.0" encoding="UTF-16"?><a>naïve 日本</a>', 'utf16le');
    assert.equal((await extracts(Buffer.concat([Buffer.from([0xff, 0xfe]), utf16]), 'XML')).text, 'naïve 日本');
    assert.equal((await extracts(utf16, 'XML')).text, 'naïve 日本'); // no BOM: known by its first bytes
    assert.equal((await extracts(Buffer.from(utf16).swap16(), 'XML')).text, 'naïve 日本');
    const xml = Buffer.concat([
      Buffer.from('<?xml version="1.0" encoding="ISO-8859-1"?><a>caf'),
      Buffer.from([0xe9]),
      Buffer.from('</a>'),
    ]);
    assert.equal((await extracts(xml, 'XML')).text, 'café');
  });

  test('XSLT: text content of the stylesheet', async () => {
    const xslt =
      '<?xml version="1.0"?><xsl:stylesheet version="1.0" xmlns:xsl="http://www.w3.org/1999/XSL/Transform">' +
      '<xsl:template match="/"><html><body><h1>Report</h1><xsl:value-of select="title"/>' +
      '<xsl:text>Generated text</xsl:text></body></html></xsl:template></xsl:stylesheet>';
    assert.equal((await extracts(utf8(xslt), 'XSLT')).text, 'Report Generated text');
  });

  test('RTF: a generated document with tables skipped, escapes decoded and the title', async () => {
    const text = 'Hello RTF {braces} and \\ backslash\ncafé “quoted” €5 – 日本語 😀\n\nSecond paragraph\twith tab';
    const r = await extracts(makeRtf(text, { title: 'RTF Title é' }), 'RTF');
    assert.equal(r.text, 'Hello RTF {braces} and \\ backslash\ncafé “quoted” €5 – 日本語 😀\n\nSecond paragraph with tab');
    assert.equal(r.title, 'RTF Title é');
    for (const skipped of ['Helvetica', 'Times', 'Normal', 'heading', 'kendrite', 'red']) {
      assert.ok(!r.text.includes(skipped), `"${skipped}" leaked into the text`);
    }
  });

  test('RTF: \\uN with \\ucN fallbacks, ignorable destinations, fields, code pages', async () => {
    const rtf =
      '{\\rtf1\\ansi\\ansicpg1251{\\*\\panose 0000}{\\*\\userprops{\\propname x}}' +
      "\\uc2 A\\u8364\\'80\\'80B \\uc1\\u-10179?\\u-8704? " +
      "{\\field{\\*\\fldinst HYPERLINK \"http://x\"}{\\fldrslt link text}} \\'c0\\'e1\\par\n" +
      '{\\pict\\pngblip 89504e47}tail\\emdash end\\line next\\~nbsp}';
    assert.equal((await extracts(utf8(rtf), 'RTF')).text, 'A€B 😀 link text Аб\n\ntail—end\nnext nbsp');
  });
});

describe('big documents and PDFs run in worker threads', () => {
  const paragraphs = Array.from({ length: 2000 }, (_, i) => `Paragraph ${i} with some words in it.`);
  const body = paragraphs.join('\n\n');

  test('a big document gives the same text as a small one would', async () => {
    const html = makeHtml('Big page', body);
    assert.ok(html.length > 64 * 1024);
    const r = await extracts(html, 'HTML');
    assert.equal(r.text, body);
    assert.equal(r.title, 'Big page');
    assert.equal((await extracts(makeDocx(paragraphs), 'MS_WORD')).text, body);
    await fails(html, 'HTML', 'maxTextBytes limit of 1000 bytes', { maxTextBytes: 1000 });
  });

  test('many at once, mixed with PDFs and failures, each gets its own result', async () => {
    const jobs: Array<[Uint8Array, ContentType, string]> = [];
    for (let i = 0; i < 8; i++) {
      jobs.push([makePdf(`pdf number ${i}`), 'PDF', `pdf number ${i}`]);
      jobs.push([makeHtml('t', `${body}\n\nend ${i}`), 'HTML', `${body}\n\nend ${i}`]);
      jobs.push([utf8(`small ${i}`), 'PLAIN_TEXT', `small ${i}`]);
      jobs.push([makeCorruptPdf(), 'PDF', 'corrupt PDF']);
    }
    const results = await Promise.all(jobs.map(([content, type]) => extractText(content, type)));
    results.forEach((r, i) => {
      const expected = jobs[i]![2];
      if (r.ok) assert.equal(r.text, expected);
      else assert.ok(r.reason.includes(expected), `${r.reason} should be ${expected}`);
    });
    assert.equal(results.filter((r) => !r.ok).length, 8);
  });

  test('an abort while a big document is in its worker', async () => {
    const during = new AbortController();
    const html = utf8(`<html><body>${'<p>word</p>'.repeat(200_000)}</body></html>`);
    const pending = extractText(html, 'HTML', undefined, during.signal);
    setImmediate(() => during.abort());
    assert.deepEqual(await pending, { ok: false, contentType: 'HTML', reason: 'aborted' });
    assert.equal((await extracts(makeDocx(paragraphs), 'MS_WORD')).text, body);
  });
});

describe('failures are values with a reason', () => {
  test('corrupt PDF', async () => {
    await fails(makeCorruptPdf(), 'PDF', 'corrupt PDF');
  });

  test('password-protected PDF', async () => {
    await fails(makeEncryptedPdf(), 'PDF', 'encrypted PDF');
  });

  test('truncated and non-zip DOCX', async () => {
    const docx = makeDocx(['some text to cut in half']);
    await fails(docx.subarray(0, Math.floor(docx.length / 2)), 'MS_WORD', 'corrupt DOCX: truncated zip archive');
    await fails(utf8('not a zip at all'), 'MS_WORD', 'corrupt DOCX: not a zip archive');
    // Central directory intact, entry data cut short.
    const cut = Buffer.from(docx);
    const dirStart = cut.indexOf(Buffer.from([0x50, 0x4b, 0x01, 0x02]));
    cut.fill(0, 30, dirStart);
    await fails(cut, 'MS_WORD', 'corrupt DOCX');
  });

  test('a zip without a Word document, and malformed XML inside one', async () => {
    const other = zipSync({ 'hello.txt': strToU8('hi') });
    await fails(other, 'MS_WORD', 'corrupt DOCX: not a .docx package');
    const broken = zipSync({ 'word/document.xml': strToU8('<w:document><w:body><w:p></w:body>') });
    await fails(broken, 'MS_WORD', 'corrupt DOCX: malformed XML in word/document.xml');
  });

  test('invalid JSON', async () => {
    await fails(utf8('{"a": 1,'), 'JSON', 'invalid JSON:');
    await fails(utf8(''), 'JSON', 'invalid JSON:');
  });

  test('malformed XML and XSLT', async () => {
    await fails(utf8('<a><b></a>'), 'XML', 'malformed XML:');
    await fails(utf8('<a>&undefined;</a>'), 'XML', 'malformed XML:');
    await fails(utf8('no markup'), 'XSLT', 'malformed XML:');
    await fails(Buffer.from([0x3c, 0x61, 0x3e, 0xe9, 0x3c, 0x2f, 0x61, 0x3e]), 'XML', 'malformed XML: invalid UTF-8');
  });

  test('XML entities are never expanded from a DTD', async () => {
    const laughs =
      '<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;&lol;">]><lolz>&lol2;</lolz>';
    assert.equal((await extracts(utf8(laughs), 'XML')).text, '&lol2;');
  });

  test('zip bombs: by declared ratio, and by headers that lie about the size', async () => {
    await fails(makeZipBomb(), 'MS_WORD', 'zip bomb');
    const liar = await fails(makeZipBomb({ lie: true }), 'MS_WORD', 'zip bomb');
    assert.ok(liar.includes('beyond its declared 1024 bytes'), liar);
    // A tighter ratio catches a smaller expansion.
    await fails(makeDocx(['x'.repeat(3 * 1024 * 1024)]), 'MS_WORD', 'maxDecompressionRatio of 10', { maxDecompressionRatio: 10 });
  });

  test('PDF bombs: FlateDecode streams are inflated and counted before PDF.js reads them', async () => {
    const MB = 1024 * 1024;
    const text = 'BT /F1 12 Tf 72 720 Td (flatetext) Tj ET\n';
    // 2 MB of spaces pass (under the 16 MB a file may always inflate to), with a direct or indirect /Length.
    const small = await deflatedRun(text, 0x20, 2 * MB);
    assert.equal((await extracts(makeFlatePdf(small), 'PDF')).text, 'flatetext');
    assert.equal((await extracts(makeFlatePdf(small, { indirectLength: true }), 'PDF')).text, 'flatetext');
    // 20 MB from ~20 KB: over the ratio.
    const reason = await fails(makeFlatePdf(await deflatedRun(text, 0x20, 20 * MB)), 'PDF', 'PDF bomb');
    assert.match(reason, /^PDF bomb: its streams inflate beyond 16777216 bytes, the maxDecompressionRatio of 100 times the file's size$/);
    // Under the ratio but one stream past 64 MB.
    const big = await deflatedRun(text, 0x20, 65 * MB);
    await fails(makeFlatePdf(big), 'PDF', 'PDF bomb: a stream inflates beyond 67108864 bytes', { maxDecompressionRatio: 1_000_000 });
  });

  test('JSON nested deeper than 1000 levels, refused before parsing', async () => {
    const nested = (depth: number) => utf8(`${'['.repeat(depth)}"inside"${']'.repeat(depth)}`);
    assert.equal((await extracts(nested(1000), 'JSON')).text, 'inside');
    await fails(nested(1001), 'JSON', 'JSON nested deeper than 1000 levels');
    // Brackets inside strings are text, and a big one runs in a worker.
    const wide = JSON.stringify({ a: '[[[['.repeat(100_000), b: [[1]] });
    assert.ok(wide.length > 64 * 1024);
    assert.ok((await extracts(utf8(wide), 'JSON')).text.endsWith('b\n1'));
  });

  test('HTML nested deeper than 2000 elements (100,000 <div>s) fails with its reason; 2000 levels and wide pages are text', async () => {
    const nested = (depth: number) => utf8(`<html><body>${'<div>'.repeat(depth)}inside${'</div>'.repeat(depth)}</body></html>`);
    // html and body are two of the levels.
    assert.equal((await extracts(nested(1998), 'HTML')).text, 'inside');
    await fails(nested(1999), 'HTML', 'HTML nested deeper than 2000 levels');
    assert.equal(await fails(nested(100_000), 'HTML', 'HTML nested deeper than 2000 levels'), 'HTML nested deeper than 2000 levels');
    // Depth, not size: 20,000 sibling paragraphs and void elements are fine.
    const wide = `<html><body>${'<p>word</p><br><img src=x>'.repeat(20_000)}</body></html>`;
    assert.equal((await extracts(utf8(wide), 'HTML')).text.split('\n\n').length, 20_000);
  });

  test("an extraction in a worker is stopped when the process's memory passes maxRssBytes", async () => {
    const reason = await fails(makePdf('any text'), 'PDF', 'stopped', { maxRssBytes: 1 });
    assert.match(reason, /^stopped: the process's memory reached \d+ MB, over the maxRssBytes limit of 0 MB$/);
    assert.equal((await extracts(makePdf('any text'), 'PDF')).text, 'any text');
  });

  test('over maxDocumentBytes, before parsing', async () => {
    const reason = await fails(makeCorruptPdf(), 'PDF', 'maxDocumentBytes', { maxDocumentBytes: 100 });
    assert.ok(reason.includes('2057 bytes') && reason.includes('limit of 100 bytes'), reason);
  });

  test('over maxTextBytes, stopping early', async () => {
    const words = 'lorem ipsum dolor sit amet '.repeat(2000); // 54 KB
    await fails(utf8(words), 'PLAIN_TEXT', 'maxTextBytes limit of 1000 bytes', { maxTextBytes: 1000 });
    await fails(makeHtml('t', words), 'HTML', 'maxTextBytes', { maxTextBytes: 1000 });
    await fails(makeDocx([words]), 'MS_WORD', 'maxTextBytes', { maxTextBytes: 1000 });
    await fails(makeXlsx([[[words]]]), 'MS_EXCEL', 'maxTextBytes', { maxTextBytes: 1000 });
    await fails(makePdf(words.slice(0, 5000).replace(/amet /g, 'amet\n')), 'PDF', 'maxTextBytes', { maxTextBytes: 1000 });
    // Multi-byte text counts in UTF-8 bytes: 400 characters of 3 bytes pass a 1000-byte limit.
    await fails(utf8('日'.repeat(400)), 'PLAIN_TEXT', 'maxTextBytes', { maxTextBytes: 1000 });
    assert.equal((await extracts(utf8('日'.repeat(333)), 'PLAIN_TEXT', { maxTextBytes: 1000 })).text.length, 333);
  });

  test('legacy binary Office formats and encrypted Office documents', async () => {
    await fails(ole2('WordDocument'), 'MS_WORD', 'legacy binary format not supported; convert to .docx');
    await fails(ole2('PowerPoint Document'), 'PPT', 'legacy binary format not supported; convert to .pptx');
    await fails(ole2('Workbook'), 'MS_EXCEL', 'legacy binary format not supported; convert to .xlsx');
    await fails(ole2('EncryptedPackage'), 'MS_WORD', 'password-protected');
  });

  test('binary content is not plain text', async () => {
    await fails(Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x00, 0x00, 0x01]), 'PLAIN_TEXT', 'binary content');
    await fails(Buffer.from(Array.from({ length: 200 }, (_, i) => (i % 31) + 1)), 'PLAIN_TEXT', 'binary content');
    // Counted among the first 65,536 characters: more than 8 control characters, and more than one in a hundred.
    const words = 'plain words '.repeat(100); // 1,200 characters
    await fails(utf8(`${words}${'\x07'.repeat(13)}`), 'PLAIN_TEXT', 'binary content, not plain text (control characters)');
    assert.equal((await extracts(utf8(`${words}${'\x07'.repeat(12)}`), 'PLAIN_TEXT')).text, `${words.trim()} ${'\x07'.repeat(12)}`);
    assert.equal((await extracts(utf8(`${'\x07'.repeat(8)} ${words}`), 'PLAIN_TEXT')).text, `${'\x07'.repeat(8)} ${words.trim()}`);
    // Tab, the line breaks and escape are not counted.
    assert.equal((await extracts(utf8(`a\x1b${'\t\x1b'.repeat(50)}b`), 'PLAIN_TEXT')).text, `a\x1b${' \x1b'.repeat(50)}b`);
    // Past the first 65,536 characters they are not looked at.
    await extracts(utf8(`${'x'.repeat(65_536)}${'\x07'.repeat(1000)}`), 'PLAIN_TEXT');
  });

  test('RTF without its header, and an unknown content type', async () => {
    await fails(utf8('plain words'), 'RTF', 'corrupt RTF');
    const r = await extractText(utf8('x'), 'WORDPERFECT' as ContentType);
    assert.deepEqual(r, { ok: false, reason: 'unsupported content type: WORDPERFECT' });
  });

  test('an aborted signal, before and during extraction', async () => {
    const before = new AbortController();
    before.abort();
    await fails(utf8('text'), 'PLAIN_TEXT', 'aborted', undefined, before.signal);
    await fails(makeDocx(['text']), 'MS_WORD', 'aborted', undefined, before.signal);

    const during = new AbortController();
    const pending = extractText(makePdf(Array.from({ length: 3000 }, (_, i) => `line ${i}`).join('\n')), 'PDF', undefined, during.signal);
    setImmediate(() => during.abort());
    const r = await pending;
    assert.equal(r.ok, false);
    assert.equal(!r.ok && r.reason, 'aborted');
    // The PDF worker was stopped with the job; the next job gets a fresh one.
    assert.equal((await extracts(makePdf('after abort'), 'PDF')).text, 'after abort');
  });

  test('an abort between the slides of a presentation', async () => {
    const during = new AbortController();
    const pending = extractText(makePptx([['one'], ['two'], ['three']]), 'PPT', undefined, during.signal);
    setImmediate(() => during.abort());
    assert.deepEqual(await pending, { ok: false, contentType: 'PPT', reason: 'aborted' });
  });

  test('past the time limit, in a synchronous parser', async () => {
    const html = utf8(`<html><body>${'<p>word</p>'.repeat(200_000)}</body></html>`);
    await fails(html, 'HTML', 'timed out after 1 ms', { timeoutMs: 1 });
  });

  test('corrupt PPTX and XLSX', async () => {
    await fails(utf8('nope'), 'PPT', 'corrupt PPTX: not a zip archive');
    await fails(utf8('nope'), 'MS_EXCEL', 'corrupt XLSX: not a zip archive');
    await fails(zipSync({ 'a.txt': strToU8('x') }), 'PPT', 'corrupt PPTX: not a .pptx package');
    const pptx = makePptx([['one'], ['two']]);
    await fails(pptx.subarray(0, pptx.length - 30), 'PPT', 'corrupt PPTX');
  });

  test('a PDF past its time limit is stopped', async () => {
    const big = makePdf(Array.from({ length: 3000 }, (_, i) => `line ${i}`).join('\n'));
    await fails(big, 'PDF', 'timed out after 1 ms', { timeoutMs: 1 });
    assert.equal((await extracts(makePdf('after timeout'), 'PDF')).text, 'after timeout');
  });
});

describe('detectContentType', () => {
  test('from a Kendra ContentType or a MIME type', () => {
    for (const t of ['PDF', 'HTML', 'MS_WORD', 'PLAIN_TEXT', 'PPT', 'RTF', 'XML', 'XSLT', 'MS_EXCEL', 'CSV', 'JSON', 'MD']) {
      assert.equal(detectContentType({ contentType: t }), t);
    }
    const mimes: Record<string, ContentType> = {
      'text/plain; charset=utf-8': 'PLAIN_TEXT',
      'text/html': 'HTML',
      'application/xhtml+xml': 'HTML',
      'text/markdown': 'MD',
      'application/pdf': 'PDF',
      'application/vnd.openxmlformats-officedocument.wordprocessingml.document': 'MS_WORD',
      'application/msword': 'MS_WORD',
      'application/vnd.openxmlformats-officedocument.presentationml.presentation': 'PPT',
      'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet': 'MS_EXCEL',
      'text/csv': 'CSV',
      'application/json': 'JSON',
      'application/ld+json': 'JSON',
      'Application/XML': 'XML',
      'image/svg+xml': 'XML',
      'application/xslt+xml': 'XSLT',
      'application/rtf': 'RTF',
      'text/rtf': 'RTF',
    };
    for (const [mime, type] of Object.entries(mimes)) assert.equal(detectContentType({ contentType: mime }), type, mime);
  });

  test('from the file extension', () => {
    const exts: Record<string, ContentType> = {
      'a.txt': 'PLAIN_TEXT',
      'dir/b.HTML': 'HTML',
      'c.htm': 'HTML',
      'd.md': 'MD',
      'e.markdown': 'MD',
      's3/key/f.pdf': 'PDF',
      'g.docx': 'MS_WORD',
      'g.doc': 'MS_WORD',
      'h.pptx': 'PPT',
      'h.ppt': 'PPT',
      'i.xlsx': 'MS_EXCEL',
      'i.xls': 'MS_EXCEL',
      'j.csv': 'CSV',
      'k.json': 'JSON',
      'l.xml': 'XML',
      'm.xsl': 'XSLT',
      'n.xslt': 'XSLT',
      'o.rtf': 'RTF',
      'C:\\docs\\p.Txt': 'PLAIN_TEXT',
      'https://x/q.pdf?download=1': 'PDF',
    };
    for (const [name, type] of Object.entries(exts)) assert.equal(detectContentType({ fileName: name }), type, name);
    assert.equal(detectContentType({ fileName: 'no-extension' }), undefined);
    assert.equal(detectContentType({ fileName: 'archive.tar.gz' }), undefined);
  });

  test('a generic MIME type falls through to the extension, then to the bytes', () => {
    assert.equal(detectContentType({ contentType: 'application/octet-stream', fileName: 'a.csv' }), 'CSV');
    assert.equal(detectContentType({ contentType: 'text/html', fileName: 'a.csv' }), 'HTML');
    assert.equal(detectContentType({ contentType: 'binary/octet-stream', fileName: 'x', content: makePdf('x') }), 'PDF');
  });

  test('from magic bytes', () => {
    const cases: Array<[Uint8Array, ContentType | undefined]> = [
      [makePdf('x'), 'PDF'],
      [makeDocx(['x']), 'MS_WORD'],
      [makePptx([['x']]), 'PPT'],
      [makeXlsx([[['x']]]), 'MS_EXCEL'],
      [makeRtf('x'), 'RTF'],
      [makeHtml('t', 'x'), 'HTML'],
      [utf8('<div>fragment <p>x</p></div>'), 'HTML'],
      [utf8('<?xml version="1.0"?><root/>'), 'XML'],
      [utf8('<?xml version="1.0"?><xsl:stylesheet xmlns:xsl="http://www.w3.org/1999/XSL/Transform"/>'), 'XSLT'],
      [utf8('  {"a": [1, 2]}'), 'JSON'],
      [utf8('[not json'), 'PLAIN_TEXT'],
      [utf8('just words'), 'PLAIN_TEXT'],
      [ole2('WordDocument'), 'MS_WORD'],
      [ole2('PowerPoint Document'), 'PPT'],
      [ole2('Workbook'), 'MS_EXCEL'],
      [zipSync({ 'a.txt': strToU8('x') }), undefined],
      [Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0, 0, 13]), undefined],
    ];
    for (const [content, type] of cases) assert.equal(detectContentType({ content }), type);
    assert.equal(detectContentType({}), undefined);
  });

  test('DEFAULT_EXTRACT_LIMITS', () => {
    assert.equal(DEFAULT_EXTRACT_LIMITS.maxDocumentBytes, 50 * 1024 * 1024);
    assert.equal(DEFAULT_EXTRACT_LIMITS.maxTextBytes, 5 * 1024 * 1024);
    assert.equal(DEFAULT_EXTRACT_LIMITS.maxDecompressionRatio, 100);
    assert.equal(DEFAULT_EXTRACT_LIMITS.maxRssBytes, 768 * 1024 * 1024);
  });
});

describe('throughput (printed, not asserted)', () => {
  async function rate(content: Uint8Array, type: ContentType, ms = 700): Promise<number> {
    await extracts(content, type);
    for (const warmUp = performance.now(); performance.now() - warmUp < 200; ) await extractText(content, type);
    let n = 0;
    const start = performance.now();
    while (performance.now() - start < ms) {
      await extractText(content, type);
      n++;
    }
    return Math.round(n / ((performance.now() - start) / 1000));
  }

  test('10 KB documents per second', async (t) => {
    const sentence = 'The quick brown fox jumps over the lazy dog, again and again. ';
    const paragraphs = Array.from({ length: 40 }, (_, i) => `${i}. ${sentence.repeat(4)}`);
    const text = paragraphs.join('\n\n');
    const html = makeHtml('Throughput', text);
    assert.ok(text.length >= 10_000 && html.length < 11_500, `${text.length} / ${html.length}`);
    const results = {
      PLAIN_TEXT: await rate(utf8(text), 'PLAIN_TEXT'),
      HTML: await rate(html, 'HTML'),
      MD: await rate(utf8(text), 'MD'),
      MS_WORD: await rate(makeDocx(paragraphs), 'MS_WORD'),
      PDF: await rate(makePdf(paragraphs.map((p) => p.slice(0, 120)).join('\n')), 'PDF'),
    };
    for (const [type, docsPerSecond] of Object.entries(results)) t.diagnostic(`${type} ~10 KB: ${docsPerSecond} docs/s`);
  });
});
