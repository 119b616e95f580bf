/**
 * The spell checker's vocabulary per index and language: the words of the searchable documents,
 * built when a query first asks for spell correction and rebuilt when the documents have changed.
 * Indexing pays nothing for it. A rebuild that took long is not repeated more often than ten times
 * its own duration, so a large index being synced does not rebuild on every query (it answers from a
 * vocabulary at most that old).
 */
import { analyzerFor } from '../search/analysis.js';
import { correct, corrected, Vocabulary, type Correction } from '../search/spellCorrection.js';
import type { Store } from '../store/store.js';

const PAGE = 500;
const STALE_FACTOR = 10;

export interface SpellCorrectedQuery {
  SuggestedQueryText: string;
  Corrections: Correction[];
}

type Held = { generation: string; vocabulary: Vocabulary; builtAt: number; buildMs: number };

export class SpellCheck {
  private readonly held = new Map<string, Held>();
  private readonly building = new Map<string, Promise<Held>>();

  constructor(private readonly store: Store) {}

  async suggestions(indexId: string, language: string, text: string | undefined): Promise<SpellCorrectedQuery[]> {
    if (!text?.trim()) return [];
    const analyzer = analyzerFor(language);
    const vocabulary = await this.vocabulary(indexId, language);
    const corrections = correct(text, vocabulary, analyzer);
    return corrections.length ? [{ SuggestedQueryText: corrected(text, corrections), Corrections: corrections }] : [];
  }

  private async vocabulary(indexId: string, language: string): Promise<Vocabulary> {
    const key = `${indexId}\n${language}`;
    const held = this.held.get(key);
    if (held && held.buildMs * STALE_FACTOR > 1000 && Date.now() - held.builtAt < held.buildMs * STALE_FACTOR) return held.vocabulary;
    const generation = await this.store.vocabulary.generation(indexId, language);
    if (held?.generation === generation) return held.vocabulary;
    let pending = this.building.get(key);
    if (!pending) {
      pending = this.build(indexId, language, generation).finally(() => this.building.delete(key));
      this.building.set(key, pending);
    }
    const built = await pending;
    this.held.set(key, built);
    return built.vocabulary;
  }

  private async build(indexId: string, language: string, generation: string): Promise<Held> {
    const started = Date.now();
    const vocabulary = new Vocabulary(analyzerFor(language));
    for (let after = 0; ; ) {
      const rows = await this.store.vocabulary.texts(indexId, language, after, PAGE);
      for (const r of rows) vocabulary.addDocument(`${r.title}\n${r.body}`);
      if (rows.length < PAGE) break;
      after = Number(rows[rows.length - 1]!.doc_key);
    }
    return { generation, vocabulary: vocabulary.seal(), builtAt: Date.now(), buildMs: Date.now() - started };
  }
}
