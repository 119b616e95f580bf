/**
 * What Query adds around the document search (issue 12): the index's thesaurus expands the query
 * before it runs; an ACTIVE featured results set naming the query text puts its documents first
 * (FeaturedResultsItems, only those the caller may see, and not again among the results); FAQ
 * questions that the query asks come back as QUESTION_ANSWER results ahead of the documents; a
 * question answered by a passage of the documents comes back as an ANSWER result ahead of those
 * (domain/documentAnswers.ts; Kendra's order: suggested answer, FAQ answers, documents); and
 * SpellCorrectionConfiguration asks for SpellCorrectedQueries. domain/query.ts calls `plan` before
 * the search and `complete` after it; nothing else of the query path knows these features.
 */
import { randomUUID } from 'node:crypto';
import type { Analyzer } from '../search/analysis.js';
import type { AccessScope } from '../search/access.js';
import { parseStoredAttributes, type Attribute } from '../search/attributes.js';
import type { DocumentSearch, SearchEngine, StoredDocument } from '../search/engine.js';
import { answering, questionTerms } from '../search/faqAnswers.js';
import { textAttribute, type Highlighter, type TextAttribute, type TextWithHighlights } from '../search/highlight.js';
import { LANGUAGE_KEY } from '../search/language.js';
import type { QueryNode } from '../search/queryText.js';
import type { FaqStore } from '../store/faqs.js';
import { DocumentAnswers, type AnswerItem } from './documentAnswers.js';
import { featuredFor, type FeaturedResults } from './featuredResults.js';
import { feedbackToken } from './feedbackToken.js';
import { IndexFeaturesCache } from './indexFeatures.js';
import type { SpellCheck, SpellCorrectedQuery } from './spellCheck.js';
import type { Thesauri } from './thesauri.js';

export interface PlanRequest {
  indexId: string;
  /** The index's features_version, read with its row (domain/indexFeatures.ts). */
  featuresVersion: number;
  language: string;
  analyzer: Analyzer;
  text: string | undefined;
  query: QueryNode | undefined;
  access: AccessScope;
  signal?: AbortSignal;
}

export interface QueryPlan {
  /** The query with the thesaurus's synonyms. */
  query: QueryNode | undefined;
  /** The featured documents the caller may see, in the set's order. */
  featuredDocKeys: number[];
  /** Every featured document id: left out of the ranked results. */
  featuredIds: string[];
}

export interface CompleteRequest {
  indexId: string;
  featuresVersion: number;
  language: string;
  analyzer: Analyzer;
  text: string | undefined;
  queryId: string;
  firstPage: boolean;
  typeFilter: string | undefined;
  spellCheck: boolean;
  highlighter: Highlighter;
  /** The documents' search (ANSWER results come from its passages). */
  search: DocumentSearch;
  /** A document's DocumentAttributes, as its DOCUMENT result has them. */
  attributes: (d: StoredDocument) => Attribute[];
}

export interface QuestionAnswerItem {
  Id: string;
  Type: 'QUESTION_ANSWER';
  AdditionalAttributes: TextAttribute[];
  DocumentId: string;
  DocumentTitle: TextWithHighlights;
  DocumentExcerpt: TextWithHighlights;
  DocumentURI?: string;
  DocumentAttributes: Attribute[];
  ScoreAttributes: { ScoreConfidence: string };
  FeedbackToken: string;
}

export class QueryFeatures {
  private readonly documentAnswers: DocumentAnswers;
  private readonly indexFeatures: IndexFeaturesCache;

  constructor(
    private readonly engine: SearchEngine,
    featured: FeaturedResults,
    private readonly faqs: FaqStore,
    thesauri: Thesauri,
    private readonly spell: SpellCheck,
  ) {
    this.documentAnswers = new DocumentAnswers(engine);
    this.indexFeatures = new IndexFeaturesCache(thesauri, featured, faqs);
  }

  async plan(req: PlanRequest): Promise<QueryPlan> {
    const { thesaurus, featured } = await this.indexFeatures.get(req.indexId, req.featuresVersion);
    const query = thesaurus && req.query ? thesaurus.expand(req.query, req.analyzer) : req.query;
    const featuredIds = featuredFor(featured, req.text);
    if (!featuredIds.length) return { query, featuredDocKeys: [], featuredIds };
    // The same conditions as every result (searchable, language, access): a document the caller may not see is not featured.
    const visible = await this.engine.rankDocuments({ indexId: req.indexId, language: req.language, access: req.access, signal: req.signal, documentIds: { only: featuredIds } }, [], 0, featuredIds.length);
    const docs = await this.engine.documents(visible.items.map((r) => r.docKey), 0);
    const keyOf = new Map(docs.map((d) => [d.documentId, d.docKey]));
    return { query, featuredDocKeys: featuredIds.flatMap((id) => (keyOf.has(id) ? [keyOf.get(id)!] : [])), featuredIds };
  }

  /** The suggested answer, then FAQ answers, ahead of the documents; and the spell checker's suggestions. */
  async complete<R extends { Type: string }, O extends { ResultItems: R[]; TotalNumberOfResults: number }>(
    out: O,
    req: CompleteRequest,
  ): Promise<O & { SpellCorrectedQueries?: SpellCorrectedQuery[] }> {
    const wants = (type: string) => req.firstPage && req.text !== undefined && (req.typeFilter === undefined || req.typeFilter === type);
    const suggested = wants('ANSWER')
      ? await this.documentAnswers.answers({ search: req.search, text: req.text!, analyzer: req.analyzer, highlighter: req.highlighter, queryId: req.queryId, attributes: req.attributes })
      : [];
    const answers = [...suggested, ...(wants('QUESTION_ANSWER') ? await this.answers(req) : [])];
    const items = [...out.ResultItems] as (R | AnswerItem | QuestionAnswerItem)[];
    const at = items.findIndex((i) => i.Type === 'DOCUMENT');
    items.splice(at < 0 ? items.length : at, 0, ...answers);
    return {
      ...out,
      ResultItems: items as R[],
      TotalNumberOfResults: out.TotalNumberOfResults + answers.length,
      ...(req.spellCheck ? { SpellCorrectedQueries: await this.spell.suggestions(req.indexId, req.language, req.text) } : {}),
    };
  }

  private async answers(req: CompleteRequest): Promise<QuestionAnswerItem[]> {
    if (!(await this.indexFeatures.get(req.indexId, req.featuresVersion)).hasFaqs) return [];
    const terms = questionTerms(req.text!, req.analyzer);
    const matches = answering(terms, await this.faqs.candidates(req.indexId, req.language, terms), req.analyzer);
    return matches.map(({ entry, confidence }) => {
      const Id = `${req.queryId}-${randomUUID()}`;
      const question = req.highlighter.highlight(entry.question);
      const answer = req.highlighter.highlight(entry.answer);
      return {
        Id, Type: 'QUESTION_ANSWER',
        AdditionalAttributes: [textAttribute('QuestionText', question), textAttribute('AnswerText', answer)],
        DocumentId: `${entry.faq_id}-${entry.entry_key}`,
        DocumentTitle: question,
        DocumentExcerpt: answer,
        ...(entry.source_uri ? { DocumentURI: entry.source_uri } : {}),
        DocumentAttributes: [
          { Key: '_faq_id', Value: { StringValue: entry.faq_id } },
          ...(entry.source_uri ? [{ Key: '_source_uri', Value: { StringValue: entry.source_uri } }] : []),
          ...parseStoredAttributes(entry.attributes),
          { Key: LANGUAGE_KEY, Value: { StringValue: entry.language_code } },
        ],
        ScoreAttributes: { ScoreConfidence: confidence },
        FeedbackToken: feedbackToken(req.queryId, Id),
      };
    });
  }
}
