// MS_WORD (.docx): the main document's text, one paragraph per Word paragraph. Only w:t holds
// visible text: deleted text of tracked changes (w:delText) and field codes (w:instrText) do not.
import { OfficePackage } from './ooxml.js';
import type { Context, Output } from './types.js';

export function extractDocx(content: Uint8Array, ctx: Context): Output {
  const pkg = OfficePackage.open(content, ctx, '.docx');
  const main = pkg.mainPart('word/document.xml', '.docx');
  const sink = ctx.sink();
  let inText = 0;
  // mc:Fallback repeats its mc:Choice (text boxes come twice, as DrawingML and as VML): read one.
  let inFallback = 0;
  pkg.parse(main, {
    open(name) {
      if (name === 'Fallback') inFallback++;
      else if (inFallback > 0) return;
      else if (name === 't') inText++;
      else if (name === 'tab') sink.space();
      else if (name === 'br' || name === 'cr') sink.lineBreak();
      else if (name === 'noBreakHyphen') sink.inline('-');
    },
    close(name) {
      if (name === 'Fallback') inFallback--;
      else if (inFallback > 0) return;
      else if (name === 't') inText--;
      else if (name === 'p') sink.paragraph();
    },
    text(t) {
      if (inText > 0 && inFallback === 0) sink.inline(t);
    },
  });
  return { text: sink.toString(), title: pkg.title() };
}
