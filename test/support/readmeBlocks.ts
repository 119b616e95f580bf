/**
 * README.md's fenced code blocks and how each is meant to be tried, by its info string:
 * `sh`, `js`, `python` run as written; `sh serves` runs until the server it starts answers;
 * `json <Operation>` is that Kendra operation's input; `json kendrite-config` a config file;
 * `text` is not code; `<lang> no-run: <reason>` is code not run, with the reason.
 */
export type BlockKind =
  | { run: 'sh' | 'js' | 'python' | 'serves' }
  | { run: 'operation'; operation: string }
  | { run: 'config' }
  | { run: 'none'; reason: string };

export interface Block {
  /** 1-based line of the opening fence. */
  line: number;
  info: string;
  code: string;
  kind: BlockKind | { run: 'invalid'; problem: string };
}

export function readmeBlocks(markdown: string): Block[] {
  const lines = markdown.split('\n');
  const blocks: Block[] = [];
  for (let i = 0; i < lines.length; i++) {
    const open = /^```(.*)$/.exec(lines[i]!);
    if (!open) continue;
    const start = i;
    const body: string[] = [];
    for (i++; i < lines.length && lines[i] !== '```'; i++) body.push(lines[i]!);
    const info = open[1]!.trim();
    blocks.push({ line: start + 1, info, code: body.join('\n') + '\n', kind: classify(info) });
  }
  return blocks;
}

function classify(info: string): Block['kind'] {
  const noRun = /^\S+ no-run:\s*(\S.*)$/.exec(info);
  if (noRun) return { run: 'none', reason: noRun[1]! };
  if (info === 'text') return { run: 'none', reason: 'not code' };
  if (info === 'sh' || info === 'js' || info === 'python') return { run: info };
  if (info === 'sh serves') return { run: 'serves' };
  if (info === 'json kendrite-config') return { run: 'config' };
  const op = /^json ([A-Z][A-Za-z]+)$/.exec(info);
  if (op) return { run: 'operation', operation: op[1]! };
  return { run: 'invalid', problem: `info string '${info}' says neither how to run the block nor, with 'no-run: <reason>', why not` };
}
