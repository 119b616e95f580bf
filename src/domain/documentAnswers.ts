/**
 * ANSWER results (issue 12, item 2): for a question, the answer found in the best passages of the
 * documents the search may return (same language, attribute filter, access control and content
 * sources as the documents), as Kendra shows a suggested answer: Format TEXT, the passage's text
 * around the answer as DocumentExcerpt (query words highlighted) and as AdditionalAttributes
 * AnswerText, where the answer itself is the highlight with TopAnswer true. At most one per query,
 * and only when search/answers.ts finds one confidently. Its confidence: VERY_HIGH when the
 * answering sentence holds every query term, HIGH otherwise.
 */
import { randomUUID } from 'node:crypto';
import type { Analyzer } from '../search/analysis.js';
import { answerTerms, findAnswer, questionKind } from '../search/answers.js';
import type { Attribute } from '../search/attributes.js';
import type { DocumentSearch, SearchEngine, StoredDocument } from '../search/engine.js';
import { questionTerms } from '../search/faqAnswers.js';
import { textAttribute, withTopAnswer, type Highlighter, type TextAttribute, type TextWithHighlights } from '../search/highlight.js';
import { feedbackToken } from './feedbackToken.js';

/** Passages read for the answer: the best ones of the search. */
const CANDIDATE_PASSAGES = 3;

export interface AnswerRequest {
  /** The documents' search, as Query runs it (its query already expanded by the thesaurus). */
  search: DocumentSearch;
  text: string;
  analyzer: Analyzer;
  highlighter: Highlighter;
  queryId: string;
  /** DocumentAttributes of the result, as Query gives them for a document. */
  attributes: (d: StoredDocument) => Attribute[];
}

export interface AnswerItem {
  Id: string;
  Type: 'ANSWER';
  Format: 'TEXT';
  AdditionalAttributes: TextAttribute[];
  DocumentId: string;
  DocumentTitle: TextWithHighlights;
  DocumentExcerpt: TextWithHighlights;
  DocumentURI?: string;
  DocumentAttributes: Attribute[];
  ScoreAttributes: { ScoreConfidence: 'VERY_HIGH' | 'HIGH' };
  FeedbackToken: string;
}

export class DocumentAnswers {
  constructor(private readonly engine: SearchEngine) {}

  async answers(req: AnswerRequest): Promise<AnswerItem[]> {
    const kind = questionKind(req.text, req.analyzer);
    const terms = answerTerms(req.text, questionTerms(req.text, req.analyzer), req.analyzer);
    if (!kind || !terms.length || !req.search.query) return [];
    // Every document the search may return, featured ones included.
    const { documentIds: _featured, ...search } = req.search;
    const passages = await this.engine.rankPassages(search, 0, CANDIDATE_PASSAGES);
    const found = findAnswer(passages.items.map((p) => p.content), terms, kind, req.analyzer);
    if (!found) return [];
    const passage = passages.items[found.passage]!;
    const [doc] = await this.engine.documents([passage.docKey], 0);
    if (!doc) return []; // removed since
    const text = req.highlighter.highlight(passage.content.slice(found.text.begin, found.text.end));
    const Id = `${req.queryId}-${randomUUID()}`;
    return [{
      Id, Type: 'ANSWER', Format: 'TEXT',
      AdditionalAttributes: [textAttribute('AnswerText', withTopAnswer(text, found.answer.begin - found.text.begin, found.answer.end - found.text.begin))],
      DocumentId: doc.documentId,
      DocumentTitle: req.highlighter.highlight(doc.title),
      DocumentExcerpt: text,
      ...(doc.sourceUri ? { DocumentURI: doc.sourceUri } : {}),
      DocumentAttributes: req.attributes(doc),
      ScoreAttributes: { ScoreConfidence: found.own === 1 ? 'VERY_HIGH' : 'HIGH' },
      FeedbackToken: feedbackToken(req.queryId, Id),
    }];
  }
}
