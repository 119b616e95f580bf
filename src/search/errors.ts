/** A search request that cannot be run as asked; the domain reports it as a ValidationException. */
export class SearchInputError extends Error {}

/** A search statement the database cancelled: past the statement time-out, or because its client went away. */
export class SearchCancelled extends Error {}

/** What a SearchCancelled says when the statement time-out ended the search (Query's ValidationException quotes it). */
export const PAST_STATEMENT_TIMEOUT = 'the search ran past the statement time-out (search.statementTimeoutMs)';
