/** A parsed event document: JSON values only. */
export type JsonValue = string | number | boolean | null | JsonValue[] | { [key: string]: JsonValue };
export type JsonObject = { [key: string]: JsonValue };

function isObject(v: JsonValue | undefined): v is JsonObject {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/**
 * Leaves of a document keyed by their dotted path: nested objects flatten to `a.b.c`;
 * arrays are leaves (the CSV writer decides how to print them).
 */
export function flattenDocument(doc: JsonObject, into: Map<string, JsonValue> = new Map(), prefix = ''): Map<string, JsonValue> {
  for (const key of Object.keys(doc)) {
    const value = doc[key];
    const name = prefix === '' ? key : `${prefix}.${key}`;
    if (isObject(value)) flattenDocument(value, into, name);
    else into.set(name, value);
  }
  return into;
}

/** Just the dotted field names, for the per-day header registry. */
export function flattenedFieldNames(doc: JsonObject, into: Set<string> = new Set(), prefix = ''): Set<string> {
  for (const key of Object.keys(doc)) {
    const value = doc[key];
    const name = prefix === '' ? key : `${prefix}.${key}`;
    if (isObject(value)) flattenedFieldNames(value, into, name);
    else into.add(name);
  }
  return into;
}
