/**
 * The tables whose rows a Query's features read (thesaurus, featured results, FAQs; domain/indexFeatures.ts):
 * a change to a row of any of them bumps its index's indices.features_version, by trigger, on both backends.
 * faq_entries are left out: they change only together with their faqs row, in its transaction.
 */
export const FEATURE_TABLES = ['thesauri', 'faqs', 'featured_results_sets', 'featured_query_texts'];

/**
 * The tables whose rows decide which logged queries may be suggested (the settings, with the last
 * ClearQuerySuggestions, and the block lists; domain/querySuggestions.ts): a change bumps the index's
 * indices.suggestions_version the same way.
 */
export const SUGGESTION_TABLES = ['query_suggestions_settings', 'query_suggestions_block_lists'];

/** SQLite: triggers named `<table>_<name>_<insert|update|delete>` bumping indices.<column> for the index of every row changed in `tables`. */
export function sqliteVersionTriggers(column: string, name: string, tables: string[]): string[] {
  const bump = (ids: string) => `UPDATE indices SET ${column} = ${column} + 1 WHERE id IN (${ids});`;
  return tables.flatMap((t) => [
    `CREATE TRIGGER ${t}_${name}_insert AFTER INSERT ON ${t} BEGIN ${bump('new.index_id')} END`,
    `CREATE TRIGGER ${t}_${name}_update AFTER UPDATE ON ${t} BEGIN ${bump('old.index_id, new.index_id')} END`,
    `CREATE TRIGGER ${t}_${name}_delete AFTER DELETE ON ${t} BEGIN ${bump('old.index_id')} END`,
  ]);
}

/** PostgreSQL: the function indices_<name>_bump() and triggers `<table>_<name>` bumping indices.<column> as above. */
export function postgresVersionTriggers(column: string, name: string, tables: string[]): string[] {
  return [
    `CREATE FUNCTION indices_${name}_bump() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        IF TG_OP = 'INSERT' THEN UPDATE indices SET ${column} = ${column} + 1 WHERE id = NEW.index_id;
        ELSIF TG_OP = 'DELETE' THEN UPDATE indices SET ${column} = ${column} + 1 WHERE id = OLD.index_id;
        ELSE UPDATE indices SET ${column} = ${column} + 1 WHERE id IN (OLD.index_id, NEW.index_id);
        END IF;
        RETURN NULL;
      END $$`,
    ...tables.map((t) => `CREATE TRIGGER ${t}_${name} AFTER INSERT OR UPDATE OR DELETE ON ${t} FOR EACH ROW EXECUTE FUNCTION indices_${name}_bump()`),
  ];
}
