/**
 * The tables whose rows a Query's features read (thesaurus, featured results, FAQs; domain/indexFeatures.ts):
 * a change to a row of any of them bumps its index's indices.features_version, by trigger, on both backends.
 * faq_entries are left out: they change only together with their faqs row, in its transaction.
 */
export const FEATURE_TABLES = ['thesauri', 'faqs', 'featured_results_sets', 'featured_query_texts'];
