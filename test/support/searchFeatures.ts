/**
 * A small index for the search features of issue 12 (FAQs, featured results, thesaurus, spell
 * correction): six documents, one visible to the finance group only, and the FAQ and thesaurus files
 * the tests put in S3 (moto).
 */
import type { Document } from '@aws-sdk/client-kendra';

const doc = (Id: string, Title: string, body: string, extra: Partial<Document> = {}): Document => ({
  Id, Title, Blob: Buffer.from(body), ContentType: 'PLAIN_TEXT', ...extra,
});

export const FEATURE_DOCS: Document[] = [
  doc('rotate', 'Rotating API keys', 'To rotate an API key, open the console and choose Rotate. Keys expire after ninety days.'),
  doc('vacation', 'Vacation policy', 'Employees accrue vacation days monthly. Unused vacation carries over to the next year.'),
  doc('kubernetes', 'Deploying on Kubernetes', 'Deploying the service on Kubernetes uses a Helm chart. The deployment statements describe replicas.'),
  doc('ml', 'Machine learning models', 'Our machine learning models are retrained every week.'),
  doc('onboarding', 'Onboarding guide', 'New hires complete onboarding in their first week.'),
  doc('budget', 'Budget statements', 'Quarterly financial statements, for the finance team only.', {
    AccessControlList: [{ Name: 'finance', Type: 'GROUP', Access: 'ALLOW' }],
  }),
];

/** Kendra's basic CSV: question,answer[,source URI], no header. */
export const FAQ_CSV = 'How do I rotate an API key?,Open the console and choose Rotate.,https://example.com/faq/rotate\n' + '"How many vacation days do I get?","Twenty days a year, ""more"" after five years."\n';

/** CSV with a header: _question, _answer, _source_uri and a custom attribute. */
export const FAQ_CSV_WITH_HEADER = '_question,_answer,_source_uri,team\n"How do I reset my password?","Use the Forgot password link.",https://example.com/faq/password,it\n';

export const FAQ_JSON = JSON.stringify({
  SchemaVersion: 1,
  FaqDocuments: [{ Question: 'Where is the parking garage?', Answer: 'Behind building B.', Attributes: { _source_uri: 'https://example.com/faq/parking', floor: 'B2', _view_count: 3 } }],
});

export const FAQ_FRENCH_CSV = 'Comment changer mon mot de passe ?,Utilisez le lien Mot de passe oublié.\n';

/** Line 3 holds one field only. */
export const FAQ_BAD_CSV = 'How do I rotate an API key?,Open the console.\nWhere is the lunch room?,Second floor.\nThis line has no answer\n';

export const THESAURUS = [
  '# Lines starting with # are comments; blank lines are ignored.',
  '',
  'ML => machine learning',
  'holiday, vacation, leave',
  'kubernetes => kubernetes, k8s',
  'a => a',
  '',
].join('\n');

/** Line 2 has two arrows. */
export const THESAURUS_BAD = 'ML => machine learning\nx => y => z\n';
