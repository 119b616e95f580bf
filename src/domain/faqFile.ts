/**
 * FAQ files as Kendra reads them from S3 (CreateFaq FileFormat):
 * - CSV: one question per record: question,answer[,source URI]; no header.
 * - CSV_WITH_HEADER: a header naming the columns: _question and _answer (required), _source_uri,
 *   and custom attributes (strings; _created_at and _last_updated_at are dates).
 * - JSON: {"SchemaVersion": 1, "FaqDocuments": [{"Question", "Answer", "Attributes": {...}}]};
 *   attribute values are strings, integers (long) or lists of strings.
 * A problem is reported with where it is (the line of a CSV record, the entry of a JSON file).
 */
import type { Attribute } from '../search/attributes.js';

export type FaqFileFormat = 'CSV' | 'CSV_WITH_HEADER' | 'JSON';

export interface FaqEntry {
  question: string;
  answer: string;
  sourceUri?: string;
  attributes: Attribute[];
}

/** Kendra's limit on an FAQ file. */
export const MAX_FAQ_FILE_BYTES = 10 * 1024 * 1024;
const DATE_KEYS = new Set(['_created_at', '_last_updated_at']);

export class FaqFileError extends Error {}

export function parseFaqFile(bytes: Buffer, format: FaqFileFormat): FaqEntry[] {
  if (bytes.length > MAX_FAQ_FILE_BYTES) throw new FaqFileError(`the file is ${bytes.length} bytes; an FAQ file is at most ${MAX_FAQ_FILE_BYTES} bytes`);
  const text = bytes.toString('utf8').replace(/^\uFEFF/, '');
  const entries = format === 'JSON' ? parseJson(text) : parseCsv(text, format === 'CSV_WITH_HEADER');
  if (!entries.length) throw new FaqFileError('the file holds no question');
  return entries;
}

function parseCsv(text: string, withHeader: boolean): FaqEntry[] {
  const records = csvRecords(text);
  let columns = ['_question', '_answer', '_source_uri'];
  if (withHeader) {
    const header = records.shift();
    if (!header) throw new FaqFileError('line 1: the header is missing');
    columns = header.fields.map((f) => f.trim());
    for (const required of ['_question', '_answer'])
      if (!columns.includes(required)) throw new FaqFileError(`line ${header.line}: the header has no ${required} column (it names ${columns.join(', ')})`);
    const seen = new Set<string>();
    for (const c of columns) {
      if (!c) throw new FaqFileError(`line ${header.line}: a column of the header has no name`);
      if (seen.has(c)) throw new FaqFileError(`line ${header.line}: the header names ${c} twice`);
      seen.add(c);
    }
  }
  return records.map(({ fields, line }) => {
    if (withHeader ? fields.length !== columns.length : fields.length < 2 || fields.length > 3)
      throw new FaqFileError(`line ${line}: the record has ${fields.length} field${fields.length === 1 ? '' : 's'}; ${withHeader ? `the header names ${columns.length}` : 'a CSV FAQ record is question,answer[,source URI]'}`);
    const entry: FaqEntry = { question: '', answer: '', attributes: [] };
    fields.forEach((value, i) => {
      const key = columns[i]!;
      if (key === '_question') entry.question = value.trim();
      else if (key === '_answer') entry.answer = value.trim();
      else if (key === '_source_uri') {
        if (value.trim()) entry.sourceUri = value.trim();
      } else if (value !== '') entry.attributes.push(attribute(key, value, `line ${line}`));
    });
    if (!entry.question) throw new FaqFileError(`line ${line}: the question is empty`);
    if (!entry.answer) throw new FaqFileError(`line ${line}: the answer is empty`);
    return entry;
  });
}

function parseJson(text: string): FaqEntry[] {
  let doc: unknown;
  try {
    doc = JSON.parse(text);
  } catch (e) {
    const at = /position (\d+)/.exec((e as Error).message);
    const line = at ? text.slice(0, Number(at[1])).split('\n').length : undefined;
    throw new FaqFileError(`${line ? `line ${line}: ` : ''}the file is not valid JSON (${(e as Error).message})`);
  }
  const o = doc as { SchemaVersion?: unknown; FaqDocuments?: unknown };
  if (!o || typeof o !== 'object' || !Array.isArray(o.FaqDocuments)) throw new FaqFileError('the JSON file has no FaqDocuments list');
  if (o.SchemaVersion !== 1) throw new FaqFileError(`SchemaVersion is ${JSON.stringify(o.SchemaVersion)}; it must be 1`);
  return o.FaqDocuments.map((d: unknown, i: number) => {
    const where = `FaqDocuments[${i}]`;
    const e = d as { Question?: unknown; Answer?: unknown; Attributes?: unknown };
    if (!e || typeof e !== 'object') throw new FaqFileError(`${where}: not an object`);
    if (typeof e.Question !== 'string' || !e.Question.trim()) throw new FaqFileError(`${where}: Question is missing or empty`);
    if (typeof e.Answer !== 'string' || !e.Answer.trim()) throw new FaqFileError(`${where}: Answer is missing or empty`);
    const entry: FaqEntry = { question: e.Question.trim(), answer: e.Answer.trim(), attributes: [] };
    if (e.Attributes !== undefined) {
      if (!e.Attributes || typeof e.Attributes !== 'object' || Array.isArray(e.Attributes)) throw new FaqFileError(`${where}.Attributes: not an object`);
      for (const [key, value] of Object.entries(e.Attributes)) {
        if (key === '_source_uri') {
          if (typeof value !== 'string') throw new FaqFileError(`${where}.Attributes._source_uri: not a string`);
          entry.sourceUri = value;
        } else if (typeof value === 'string') entry.attributes.push(attribute(key, value, `${where}.Attributes`));
        else if (Number.isInteger(value)) entry.attributes.push({ Key: key, Value: { LongValue: value as number } });
        else if (Array.isArray(value) && value.every((v) => typeof v === 'string')) entry.attributes.push({ Key: key, Value: { StringListValue: value as string[] } });
        else throw new FaqFileError(`${where}.Attributes.${key}: a value is a string, an integer or a list of strings`);
      }
    }
    return entry;
  });
}

function attribute(key: string, value: string, where: string): Attribute {
  if (!DATE_KEYS.has(key)) return { Key: key, Value: { StringValue: value } };
  const ms = Date.parse(value);
  if (Number.isNaN(ms)) throw new FaqFileError(`${where}: ${key} '${value}' is not a date (ISO 8601, e.g. 2024-03-25T12:30:10+01:00)`);
  return { Key: key, Value: { DateValue: new Date(ms) } };
}

/** RFC 4180 records with the line each starts on; blank lines are skipped; an unterminated quote is an error. */
function csvRecords(text: string): { fields: string[]; line: number }[] {
  const out: { fields: string[]; line: number }[] = [];
  let line = 1;
  let i = 0;
  while (i < text.length) {
    const start = line;
    const fields: string[] = [];
    for (;;) {
      let field = '';
      if (text[i] === '"') {
        i++;
        for (;;) {
          const q = text.indexOf('"', i);
          if (q < 0) throw new FaqFileError(`line ${start}: a quoted field is never closed`);
          field += text.slice(i, q);
          line += countNewlines(text, i, q);
          if (text[q + 1] === '"') {
            field += '"';
            i = q + 2;
          } else {
            i = q + 1;
            break;
          }
        }
        while (i < text.length && text[i] !== ',' && text[i] !== '\n' && text[i] !== '\r') field += text[i++];
      } else {
        while (i < text.length && text[i] !== ',' && text[i] !== '\n' && text[i] !== '\r') field += text[i++];
      }
      fields.push(field);
      if (text[i] === ',') {
        i++;
        continue;
      }
      break;
    }
    if (text[i] === '\r') i++;
    if (text[i] === '\n') i++;
    line++;
    if (!(fields.length === 1 && fields[0]!.trim() === '')) out.push({ fields, line: start });
  }
  return out;
}

function countNewlines(s: string, from: number, to: number): number {
  let n = 0;
  for (let k = from; k < to; k++) if (s.charCodeAt(k) === 10) n++;
  return n;
}
