// PPT (.pptx): the text of each slide, in presentation order (the order of p:sldIdLst, which need
// not be the order of the slide file names). Paragraphs end lines, slides end paragraphs.
import { OfficePackage } from './ooxml.js';
import { nextTurn } from './text.js';
import type { Context, Output } from './types.js';

export async function extractPptx(content: Uint8Array, ctx: Context): Promise<Output> {
  const pkg = OfficePackage.open(content, ctx, '.pptx');
  const main = pkg.mainPart('ppt/presentation.xml', '.pptx');
  const rels = pkg.relationships(main);
  const slides: string[] = [];
  pkg.parse(main, {
    open(name, attributes) {
      if (name !== 'sldId') return;
      // The relationship id is r:id, whatever prefix the file binds to the relationships namespace.
      const key = Object.keys(attributes).find((k) => k.endsWith(':id'));
      const rel = key ? rels.get(attributes[key]!) : undefined;
      if (rel) slides.push(rel.target);
    },
  });

  const sink = ctx.sink();
  for (const slide of slides) {
    await nextTurn(ctx.guard);
    let inText = 0;
    let inFallback = 0; // mc:Fallback repeats its mc:Choice
    pkg.parse(slide, {
      open(name) {
        if (name === 'Fallback') inFallback++;
        else if (inFallback > 0) return;
        else if (name === 't') inText++;
        else if (name === 'br') sink.lineBreak();
      },
      close(name) {
        if (name === 'Fallback') inFallback--;
        else if (inFallback > 0) return;
        else if (name === 't') inText--;
        else if (name === 'p') sink.lineBreak();
      },
      text(t) {
        if (inText > 0 && inFallback === 0) sink.inline(t);
      },
    });
    sink.paragraph();
  }
  return { text: sink.toString(), title: pkg.title() };
}
