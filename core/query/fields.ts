/**
 * What a query's `field` names: a stored column (`event_type`, `event_timestamp`,
 * `event_id` — the same values as in the document, read from their own columns) or a
 * dotted path into the event document. Paths are checked against a strict pattern and
 * reach SQL only as a bound parameter (`$."a"."b"`), never spliced into the statement.
 */

/** Segments start with a letter or `_`, then letters, digits, `_` or `-`. */
export const FIELD_PATTERN = /^[A-Za-z_][A-Za-z0-9_-]*(?:\.[A-Za-z_][A-Za-z0-9_-]*)*$/;
export const MAX_FIELD_LENGTH = 200;
export const MAX_FIELD_DEPTH = 8;

export type ColumnFieldType = 'STRING' | 'NUMBER';

export type FieldRef =
  | { kind: 'column'; field: string; column: 'event_type' | 'event_id' | 'ts'; type: ColumnFieldType; nullable: boolean }
  | { kind: 'json'; field: string; jsonPath: string };

const COLUMNS: Record<string, Extract<FieldRef, { kind: 'column' }>> = {
  event_type: { kind: 'column', field: 'event_type', column: 'event_type', type: 'STRING', nullable: false },
  event_timestamp: { kind: 'column', field: 'event_timestamp', column: 'ts', type: 'NUMBER', nullable: false },
  event_id: { kind: 'column', field: 'event_id', column: 'event_id', type: 'STRING', nullable: true },
};

/** Why `field` is not an acceptable field name, or null if it is. */
export function fieldProblem(field: unknown): string | null {
  if (typeof field !== 'string' || field.length === 0) return 'must be a non-empty string';
  if (field.length > MAX_FIELD_LENGTH) return `must be at most ${MAX_FIELD_LENGTH} characters`;
  if (!FIELD_PATTERN.test(field)) return 'must be a dotted path of names made of letters, digits, "_" and "-" (e.g. attributes.url)';
  if (field.split('.').length > MAX_FIELD_DEPTH) return `must be at most ${MAX_FIELD_DEPTH} levels deep`;
  return null;
}

/** A field already checked by `fieldProblem`. */
export function resolveField(field: string): FieldRef {
  const column = COLUMNS[field];
  if (column) return column;
  // Every segment quoted: the pattern leaves no quote or backslash that could end one.
  return { kind: 'json', field, jsonPath: '$' + field.split('.').map((s) => `."${s}"`).join('') };
}
