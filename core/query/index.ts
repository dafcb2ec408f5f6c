export * from './types';
export { parseQuery, parseIsoInstant, QueryValidationError } from './validate';
export { buildQuery, KNOWN_COLUMNS, QUERY_INDEX, type BuiltQuery } from './sql';
export { runQuery, type RunQueryOptions } from './run';
export { fieldProblem, resolveField, FIELD_PATTERN } from './fields';
