import { FieldShapeCache } from '../../core/events/shapes';
import { flattenedFieldNames, type JsonObject } from '../../core/events/flatten';
import { parseEventText } from '../../core/events/validate';
import { altisEvent, DAY } from '../support/events';

const parse = (text: string) => JSON.parse(text) as JsonObject;

describe('field shapes', () => {
  test('documents with the same keys share one Set, whatever their values; its names are the flattened ones', () => {
    const cache = new FieldShapeCache(512);
    const a = cache.shapeOf(parse('{"event_type":"a","attributes":{"url":"/x","n":1},"tags":["a"]}'));
    const b = cache.shapeOf(parse('{"event_type":"b","attributes":{"url":"/y","n":2},"tags":[{"deep":1}]}'));
    expect(b.fields).toBe(a.fields);
    expect([...a.fields]).toEqual(['event_type', 'attributes.url', 'attributes.n', 'tags']);
  });

  test('a key that holds an object in one document and a scalar in another gives two shapes', () => {
    const cache = new FieldShapeCache(512);
    const nested = cache.shapeOf(parse('{"a":{"b":1}}'));
    const flat = cache.shapeOf(parse('{"a":1}'));
    const empty = cache.shapeOf(parse('{"a":{}}'));
    expect([...nested.fields]).toEqual(['a.b']);
    expect([...flat.fields]).toEqual(['a']);
    expect([...empty.fields]).toEqual([]);
    // Same keys in the other order, and a key after a nested object: not the same walk.
    expect([...cache.shapeOf(parse('{"b":1,"a":{"b":1}}')).fields]).toEqual(['b', 'a.b']);
    expect([...cache.shapeOf(parse('{"a":{"b":1},"c":2}')).fields]).toEqual(['a.b', 'c']);
    expect([...cache.shapeOf(parse('{"a":{"b":1,"c":2}}')).fields]).toEqual(['a.b', 'a.c']);
  });

  test('names over the limit are reported, for a cached shape too', () => {
    const cache = new FieldShapeCache(10);
    const doc = parse('{"short":1,"nested":{"muchlongername":1}}');
    expect(cache.shapeOf(doc).overlong).toBe('nested.muchlongername');
    expect(cache.shapeOf(doc).overlong).toBe('nested.muchlongername');
    expect(cache.shapeOf(parse('{"short":1}')).overlong).toBeNull();
  });

  test('past its node bound the cache starts afresh and still answers right', () => {
    const cache = new FieldShapeCache(512, 50);
    for (let i = 0; i < 500; i++) {
      const doc = parse(`{"k${i}":{"x${i}":1},"same":1}`);
      expect([...cache.shapeOf(doc).fields]).toEqual([...flattenedFieldNames(doc)]);
    }
  });

  test('validation hands events of one shape the same Set, and refuses an overlong field name with its position', () => {
    const e1 = parseEventText(JSON.stringify(altisEvent(DAY)), { index: 0 });
    const e2 = parseEventText(JSON.stringify(altisEvent(DAY + 1)), { index: 1 });
    expect(e2.fields).toBe(e1.fields);
    const long = 'f'.repeat(600);
    const bad = JSON.stringify({ ...altisEvent(DAY), attributes: { [long]: 1 } });
    expect(() => parseEventText(bad, { line: 7 })).toThrow(/^line 7: attributes\.f+… field name is longer than 512 characters$/);
    expect(() => parseEventText(bad, { line: 8 })).toThrow(/^line 8: /);
  });
});
