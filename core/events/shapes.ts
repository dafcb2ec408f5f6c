import { flattenedFieldNames, type JsonObject } from './flatten';

/** A node of the key-path trie: which key comes next, and whether it opens a nested object. */
interface TrieNode {
  leaf: Map<string, TrieNode> | null;
  enter: Map<string, TrieNode> | null;
  exit: TrieNode | null;
  shape: DocumentShape | null;
}

const newNode = (): TrieNode => ({ leaf: null, enter: null, exit: null, shape: null });

/** What validation needs to know of a document's keys. */
export interface DocumentShape {
  /** The flattened field names (`a.b.c`); shared by every document of the shape: never modify it. */
  fields: ReadonlySet<string>;
  /** The first field name longer than the cache's limit, or null. */
  overlong: string | null;
}

/** Past this many trie nodes the cache starts afresh: documents with ever new keys must not grow memory. */
export const MAX_SHAPE_NODES = 100_000;

/**
 * The flattened field names of event documents, interned by shape: documents whose keys
 * (and nesting) are the same get the same Set, built once. A document's shape is found by
 * walking its keys down a trie: JSON.parse interns property names, so each step is one
 * hash lookup of an already hashed string, and no dotted name is built per event (that
 * was most of the cost of validating an event). Sharing one Set per shape also lets the
 * store register a day's field names once per shape instead of once per event.
 */
export class FieldShapeCache {
  private root = newNode();
  private nodes = 0;

  constructor(
    /** Names longer than this are reported in `overlong`. */
    private readonly maxFieldLength: number,
    private readonly maxNodes = MAX_SHAPE_NODES,
  ) {}

  private step(map: Map<string, TrieNode>, key: string): TrieNode {
    let next = map.get(key);
    if (!next) {
      map.set(key, (next = newNode()));
      this.nodes++;
    }
    return next;
  }

  private walk(obj: JsonObject, node: TrieNode): TrieNode {
    for (const key of Object.keys(obj)) {
      const value = obj[key];
      if (typeof value === 'object' && value !== null && !Array.isArray(value)) {
        node = this.walk(value, this.step((node.enter ??= new Map()), key));
        if (!node.exit) {
          node.exit = newNode();
          this.nodes++;
        }
        node = node.exit;
      } else {
        node = this.step((node.leaf ??= new Map()), key);
      }
    }
    return node;
  }

  shapeOf(doc: JsonObject): DocumentShape {
    if (this.nodes > this.maxNodes) {
      this.root = newNode();
      this.nodes = 0;
    }
    const end = this.walk(doc, this.root);
    if (end.shape) return end.shape;
    const fields = flattenedFieldNames(doc);
    let overlong: string | null = null;
    for (const f of fields) {
      if (f.length > this.maxFieldLength) {
        overlong = f;
        break;
      }
    }
    return (end.shape = { fields, overlong });
  }
}

