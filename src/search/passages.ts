/**
 * Cuts a document's text into the passages Retrieve returns: at most MAX_WORDS words each (Kendra's
 * passages are up to 200 token words), ending at a sentence end once a passage has MIN_WORDS words,
 * so that passages read as whole sentences. Each passage is a slice of the original text.
 */
export const MAX_WORDS = 200;
const MIN_WORDS = 100;

export function chunkPassages(text: string): string[] {
  const words = [...text.matchAll(/\S+/g)];
  const out: string[] = [];
  let first = 0;
  for (let i = 0; i < words.length; i++) {
    const count = i - first + 1;
    const sentenceEnd = /[.!?]["')\]]*$/.test(words[i]![0]) || /\n\s*\n/.test(text.slice(words[i]!.index + words[i]![0].length, words[i + 1]?.index));
    if (count >= MAX_WORDS || (count >= MIN_WORDS && sentenceEnd) || i === words.length - 1) {
      const last = words[i]!;
      out.push(text.slice(words[first]!.index, last.index + last[0].length));
      first = i + 1;
    }
  }
  return out;
}
