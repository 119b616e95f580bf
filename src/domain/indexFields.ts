import { invalid } from './errors.js';
import { RESERVED_TYPES } from './documents.js';

/** An index field (DocumentMetadataConfiguration); its Relevance and Search are stored as given. */
export interface IndexField {
  Name: string;
  Type: string;
}

const FIELD_TYPE = { StringValue: 'STRING_VALUE', StringListValue: 'STRING_LIST_VALUE', LongValue: 'LONG_VALUE', DateValue: 'DATE_VALUE' } as const;

/**
 * UpdateIndex's DocumentMetadataConfigurationUpdates, as in Kendra: a field it names is added, or
 * replaced if the index has it; fields it does not name are kept. A field's type never changes once
 * created, and a reserved field (`_category`, `_created_at`…) only ever has its reserved type.
 */
export function applyFieldUpdates(current: IndexField[], updates: IndexField[]): IndexField[] {
  const fields = new Map(current.map((f) => [f.Name, f]));
  const named = new Set<string>();
  for (const update of updates) {
    if (named.has(update.Name)) throw invalid(`DocumentMetadataConfigurationUpdates names the field ${update.Name} more than once.`);
    named.add(update.Name);
    const reserved = RESERVED_TYPES[update.Name];
    const type = reserved ? FIELD_TYPE[reserved] : fields.get(update.Name)?.Type;
    if (type && type !== update.Type)
      throw invalid(`The index field ${update.Name} is ${type}${reserved ? ' (a reserved field)' : ''}; a field's type cannot be changed (got ${update.Type}).`);
    fields.set(update.Name, update);
  }
  return [...fields.values()];
}
