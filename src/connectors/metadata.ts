// `<key>.metadata.json` files, as Kendra's S3 connector reads them (and kendrite's folder connector,
// as side files): DocumentId, Title, ContentType, Attributes and the access lists
// (AccessControlList, HierarchicalAccessControlList, or AccessControlConfigurationId) of one document. A file that cannot be
// used fails its document with a reason that says what is wrong, never the whole sync.
import { accessLevels, accessProblem, type AccessLevels, type AccessLists } from '../domain/access.js';
import type { Attribute, AttributeValue } from '../domain/documents.js';
import { isStorable } from '../store/storableText.js';
import { LANGUAGE_KEY, languageCodeProblem } from '../search/language.js';

export const METADATA_SUFFIX = '.metadata.json';

/** Larger metadata files are refused: they are a few hundred bytes in practice. */
export const MAX_METADATA_BYTES = 1024 * 1024;

export interface DocumentMetadata {
  documentId?: string;
  title?: string;
  contentType?: string;
  attributes: Attribute[];
  /** Who may see the document; absent or empty: public. */
  access?: AccessLevels;
  /** Or the access control configuration whose lists it takes. */
  accessConfigurationId?: string;
}

export class MetadataError extends Error {}

/** The value member each reserved attribute takes; custom attributes take theirs from the JSON type. */
const RESERVED: Record<string, keyof AttributeValue> = {
  _source_uri: 'StringValue',
  _category: 'StringValue',
  _version: 'StringValue',
  _language_code: 'StringValue',
  _document_title: 'StringValue',
  _authors: 'StringListValue',
  _view_count: 'LongValue',
  _created_at: 'DateValue',
  _last_updated_at: 'DateValue',
};

/** Set by kendrite itself, so a metadata file may not claim them. */
const OWN = new Set(['_data_source_id', '_data_source_sync_job_execution_id', '_file_type']);

const CONTENT_TYPES = new Set(['PDF', 'HTML', 'MS_WORD', 'PLAIN_TEXT', 'PPT', 'RTF', 'XML', 'XSLT', 'MS_EXCEL', 'CSV', 'JSON', 'MD']);

/** Parses one metadata file; throws MetadataError naming the problem. */
export function parseMetadata(bytes: Uint8Array, where: string): DocumentMetadata {
  if (bytes.byteLength > MAX_METADATA_BYTES) throw new MetadataError(`metadata file ${where} is ${bytes.byteLength} bytes; the limit is ${MAX_METADATA_BYTES}`);
  let doc: unknown;
  try {
    doc = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(bytes));
  } catch (e) {
    throw new MetadataError(`metadata file ${where} is not valid UTF-8 JSON: ${(e as Error).message}`);
  }
  if (!doc || typeof doc !== 'object' || Array.isArray(doc)) throw new MetadataError(`metadata file ${where} must hold a JSON object`);
  const m = doc as Record<string, unknown>;
  const out: DocumentMetadata = { attributes: [] };
  const text = (key: string, max: number): string | undefined => {
    const v = m[key];
    if (v === undefined || v === null) return undefined;
    if (typeof v !== 'string' || v.length < 1 || v.length > max) throw new MetadataError(`metadata file ${where}: ${key} must be a string of 1 to ${max} characters`);
    return v;
  };
  out.documentId = text('DocumentId', 2048);
  // Text is stored with such characters replaced; an id would then name another document.
  if (out.documentId !== undefined && !isStorable(out.documentId))
    throw new MetadataError(`metadata file ${where}: DocumentId must not contain U+0000 or unpaired surrogate characters`);
  out.title = text('Title', 2048);
  const contentType = text('ContentType', 100);
  if (contentType !== undefined) {
    if (!CONTENT_TYPES.has(contentType)) throw new MetadataError(`metadata file ${where}: ContentType '${contentType}' is not one of ${[...CONTENT_TYPES].join(', ')}`);
    out.contentType = contentType;
  }
  const attrs = m.Attributes;
  if (attrs !== undefined && attrs !== null) {
    if (typeof attrs !== 'object' || Array.isArray(attrs)) throw new MetadataError(`metadata file ${where}: Attributes must be an object`);
    for (const [key, value] of Object.entries(attrs as Record<string, unknown>)) out.attributes.push(attribute(key, value, where));
  }
  out.access = access(m, where);
  out.accessConfigurationId = text('AccessControlConfigurationId', 36);
  if (out.accessConfigurationId !== undefined && out.access.length)
    throw new MetadataError(`metadata file ${where}: give access lists or an AccessControlConfigurationId, not both`);
  return out;
}

function access(m: Record<string, unknown>, where: string): AccessLevels {
  const lists: AccessLists = {};
  if (m.AccessControlList !== undefined && m.AccessControlList !== null) {
    if (!Array.isArray(m.AccessControlList)) throw new MetadataError(`metadata file ${where}: AccessControlList must be a list of {Name, Type, Access}`);
    lists.AccessControlList = m.AccessControlList as AccessLists['AccessControlList'];
  }
  const h = m.HierarchicalAccessControlList;
  if (h !== undefined && h !== null) {
    if (!Array.isArray(h) || !h.every((l) => l && typeof l === 'object' && Array.isArray((l as Record<string, unknown>).PrincipalList)))
      throw new MetadataError(`metadata file ${where}: HierarchicalAccessControlList must be a list of {PrincipalList: [...]}`);
    lists.HierarchicalAccessControlList = h as AccessLists['HierarchicalAccessControlList'];
  }
  const problem = accessProblem(lists);
  if (problem) throw new MetadataError(`metadata file ${where}: ${problem}`);
  return accessLevels(lists);
}

function attribute(key: string, value: unknown, where: string): Attribute {
  const bad = (why: string) => new MetadataError(`metadata file ${where}: attribute ${key} ${why}`);
  if (key.length < 1 || key.length > 200) throw bad('must have a name of 1 to 200 characters');
  if (OWN.has(key)) throw bad('is set by kendrite and cannot be given in a metadata file');
  const reserved = RESERVED[key];
  if (key.startsWith('_') && !reserved) throw bad("is not a reserved attribute; custom attribute names cannot start with '_'");
  const kind = reserved ?? inferKind(value);
  if (!kind) throw bad('must be a string, an integer or a list of strings');
  switch (kind) {
    case 'StringValue':
      if (typeof value !== 'string' || value.length > 2048) throw bad('must be a string of at most 2048 characters');
      if (key === LANGUAGE_KEY && languageCodeProblem(value)) throw bad(languageCodeProblem(value)!);
      return { Key: key, Value: { StringValue: value } };
    case 'LongValue':
      if (typeof value !== 'number' || !Number.isSafeInteger(value)) throw bad('must be an integer');
      return { Key: key, Value: { LongValue: value } };
    case 'StringListValue':
      if (!Array.isArray(value) || !value.every((v) => typeof v === 'string')) throw bad('must be a list of strings');
      return { Key: key, Value: { StringListValue: value as string[] } };
    case 'DateValue': {
      const t = typeof value === 'string' && /^\d{4}-\d{2}-\d{2}(T[\d:.]+(Z|[+-]\d{2}:?\d{2})?)?$/.test(value) ? Date.parse(value) : NaN;
      if (Number.isNaN(t)) throw bad(`must be an ISO 8601 date such as 2024-01-31T12:00:00Z; got ${JSON.stringify(value)}`);
      return { Key: key, Value: { DateValue: new Date(t) } };
    }
  }
}

function inferKind(value: unknown): keyof AttributeValue | undefined {
  if (typeof value === 'string') return 'StringValue';
  if (typeof value === 'number') return 'LongValue';
  if (Array.isArray(value)) return 'StringListValue';
  return undefined;
}
