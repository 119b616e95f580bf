/**
 * What a Query's features need of an index's thesauri, featured results and FAQs, kept per process under
 * the index's features_version. Triggers bump that version in the transaction of every change to those
 * tables (store/migrations/featureTables.ts), and Query reads it with the index's row, which it reads
 * anyway: a query whose version is the one held reads nothing more, and the next Query after a change,
 * by this process or another sharing the database, loads it again. Loaded after the version was read, what
 * is held is never older than its version (at worst newer, which costs one more load).
 */
import type { FaqStore } from '../store/faqs.js';
import type { FeaturedResults } from './featuredResults.js';
import type { Thesaurus } from '../search/thesaurus.js';
import type { Thesauri } from './thesauri.js';

export interface IndexFeatures {
  /** The thesaurus the index's queries are expanded with, if one is in use. */
  thesaurus: Thesaurus | undefined;
  /** The documents ACTIVE featured results sets feature, by normalized query text. */
  featured: Map<string, string[]>;
  /** Whether any FAQ of the index is ACTIVE (without one, no query looks for FAQ answers). */
  hasFaqs: boolean;
}

/** Indexes held; past it the least recently loaded is dropped (a deleted index's entry goes that way). */
const MAX_INDEXES = 1000;

export class IndexFeaturesCache {
  private readonly held = new Map<string, { version: number; features: Promise<IndexFeatures> }>();

  constructor(
    private readonly thesauri: Thesauri,
    private readonly featured: FeaturedResults,
    private readonly faqs: FaqStore,
  ) {}

  /** The index's features as of `version` (its indices.features_version, read by the caller before this). */
  get(indexId: string, version: number): Promise<IndexFeatures> {
    const entry = this.held.get(indexId);
    if (entry && entry.version === version) return entry.features;
    // Concurrent queries of a new version share one load; a failed load is not kept.
    const features = this.load(indexId);
    this.held.delete(indexId);
    this.held.set(indexId, { version, features });
    if (this.held.size > MAX_INDEXES) this.held.delete(this.held.keys().next().value!);
    features.catch(() => {
      if (this.held.get(indexId)?.features === features) this.held.delete(indexId);
    });
    return features;
  }

  private async load(indexId: string): Promise<IndexFeatures> {
    const [thesaurus, featured, hasFaqs] = await Promise.all([this.thesauri.forIndex(indexId), this.featured.activeTexts(indexId), this.faqs.anyActive(indexId)]);
    return { thesaurus, featured, hasFaqs };
  }
}
