/** A search request that cannot be run as asked; the domain reports it as a ValidationException. */
export class SearchInputError extends Error {}
