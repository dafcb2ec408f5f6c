import { EventValidationError } from './validate';

/**
 * The top-level elements of a JSON array, each as its exact source text, so that an
 * event is stored byte for byte as the sender wrote it. Throws with the 0-based index of
 * the element where the text stops being valid.
 */
export function splitJsonArray(body: string): string[] {
  let i = skipSpace(body, 0);
  if (body[i] !== '[') throw new EventValidationError({ index: 0 }, null, 'body is not a JSON array');
  i = skipSpace(body, i + 1);
  const items: string[] = [];
  if (body[i] === ']') return expectEnd(body, i + 1, items);
  for (;;) {
    const start = i;
    const end = scanValue(body, i);
    if (end < 0) throw new EventValidationError({ index: items.length }, null, 'is not valid JSON');
    items.push(body.slice(start, end));
    i = skipSpace(body, end);
    if (body[i] === ',') {
      i = skipSpace(body, i + 1);
      continue;
    }
    if (body[i] === ']') return expectEnd(body, i + 1, items);
    throw new EventValidationError({ index: items.length - 1 }, null, 'is not followed by "," or "]" (invalid JSON)');
  }
}

function expectEnd(body: string, i: number, items: string[]): string[] {
  if (skipSpace(body, i) !== body.length) throw new EventValidationError({ index: items.length }, null, 'text after the closing "]" (invalid JSON)');
  return items;
}

function skipSpace(s: string, i: number): number {
  while (i < s.length) {
    const c = s.charCodeAt(i);
    if (c !== 0x20 && c !== 0x0a && c !== 0x0d && c !== 0x09) break;
    i++;
  }
  return i;
}

/** End offset of the JSON value starting at i (structure only; JSON.parse checks the rest), or -1. */
function scanValue(s: string, i: number): number {
  const open = s[i];
  if (open === '"') return scanString(s, i);
  if (open !== '{' && open !== '[') {
    let j = i;
    while (j < s.length && !',]}'.includes(s[j]) && !/\s/.test(s[j])) j++;
    return j > i ? j : -1;
  }
  let depth = 0;
  for (let j = i; j < s.length; j++) {
    const c = s[j];
    if (c === '"') {
      j = scanString(s, j);
      if (j < 0) return -1;
      j--;
    } else if (c === '{' || c === '[') depth++;
    else if (c === '}' || c === ']') {
      depth--;
      if (depth === 0) return j + 1;
    }
  }
  return -1;
}

function scanString(s: string, i: number): number {
  for (let j = i + 1; j < s.length; j++) {
    const c = s[j];
    if (c === '\\') j++;
    else if (c === '"') return j + 1;
  }
  return -1;
}
