// MS_EXCEL (.xlsx): cell values sheet by sheet in workbook order: cells of a row separated by
// spaces, rows by line breaks, sheets by paragraph breaks. Formulas are not text; their cached
// values are. Error values (#N/A, #DIV/0!) are left out.
import { ExtractError, nextTurn } from './text.js';
import { OfficePackage } from './ooxml.js';
import type { Context, Output } from './types.js';

export async function extractXlsx(content: Uint8Array, ctx: Context): Promise<Output> {
  const pkg = OfficePackage.open(content, ctx, '.xlsx');
  const main = pkg.mainPart('xl/workbook.xml', '.xlsx');
  const rels = pkg.relationships(main);

  const sheets: string[] = [];
  pkg.parse(main, {
    open(name, attributes) {
      if (name !== 'sheet') return;
      const key = Object.keys(attributes).find((k) => k.endsWith(':id'));
      const rel = key ? rels.get(attributes[key]!) : undefined;
      if (rel?.type.endsWith('/worksheet')) sheets.push(rel.target); // chart sheets have no cells
    },
  });

  const shared = readSharedStrings(pkg, [...rels.values()].find((r) => r.type.endsWith('/sharedStrings'))?.target, ctx);

  const sink = ctx.sink();
  for (const sheet of sheets) {
    await nextTurn(ctx.guard);
    let type = '';
    let value = '';
    let inValue = 0;
    let inPhonetic = 0;
    pkg.parse(sheet, {
      open(name, a) {
        if (name === 'c') {
          type = a.t ?? 'n';
          value = '';
        } else if (name === 'v' || name === 't') inValue++;
        else if (name === 'rPh') inPhonetic++;
      },
      close(name) {
        if (name === 'v' || name === 't') inValue--;
        else if (name === 'rPh') inPhonetic--;
        else if (name === 'row') sink.lineBreak();
        else if (name === 'c') {
          const text =
            type === 's' ? shared[Number(value)] ?? '' : type === 'b' ? (value.trim() === '1' ? 'TRUE' : 'FALSE') : type === 'e' ? '' : value;
          sink.inline(text);
          sink.space();
        }
      },
      text(t) {
        if (inValue > 0 && inPhonetic === 0) value += t;
      },
    });
    sink.paragraph();
  }
  return { text: sink.toString(), title: pkg.title() };
}

/**
 * The shared string table. It is held in memory, so its size is held to the text limit: a table
 * bigger than that could only be shown by exceeding the limit (unused entries are rare).
 */
function readSharedStrings(pkg: OfficePackage, part: string | undefined, ctx: Context): string[] {
  const strings: string[] = [];
  let bytes = 0;
  let current = '';
  let inText = 0;
  let inPhonetic = 0;
  pkg.parse(part ?? 'xl/sharedStrings.xml', {
    open(name) {
      if (name === 'si') current = '';
      else if (name === 't') inText++;
      else if (name === 'rPh') inPhonetic++; // phonetic guides repeat the text's reading
    },
    close(name) {
      if (name === 't') inText--;
      else if (name === 'rPh') inPhonetic--;
      else if (name === 'si') {
        strings.push(current);
        bytes += Buffer.byteLength(current, 'utf8');
        if (bytes > ctx.limits.maxTextBytes) {
          throw new ExtractError(
            `extracted text exceeds the maxTextBytes limit of ${ctx.limits.maxTextBytes} bytes (shared strings)`,
          );
        }
      }
    },
    text(t) {
      if (inText > 0 && inPhonetic === 0) current += t;
    },
  });
  return strings;
}
