/** The FeedbackToken of a result: which query and result it names (SubmitFeedback, domain/feedback.ts). */
export function feedbackToken(queryId: string, resultId: string): string {
  return `kendrite1.${Buffer.from(`${queryId} ${resultId}`).toString('base64url')}`;
}
