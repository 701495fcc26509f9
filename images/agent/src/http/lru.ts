// A size-bounded least-recently-used map: each value has a size (bytes); adding past the
// capacity evicts the least recently used values first. A Map keeps insertion order, so
// "use" = delete and re-insert, and the oldest key is the first one.

export class SizedLru<K, V> {
  private readonly items = new Map<K, { value: V; size: number }>();
  private used = 0;

  constructor(
    readonly capacity: number,
    private readonly sizeOf: (value: V) => number,
    /** At most this many values, whatever their size (a cache of C objects, as models count it). */
    readonly maxItems = Infinity,
  ) {
    if (!(capacity >= 0)) throw new Error(`an LRU needs a capacity >= 0, found ${capacity}`);
    if (!(maxItems >= 0)) throw new Error(`an LRU needs maxItems >= 0, found ${maxItems}`);
  }

  get size(): number {
    return this.items.size;
  }

  /** Bytes held. */
  get bytes(): number {
    return this.used;
  }

  /** The value, marked as just used. */
  get(key: K): V | undefined {
    const item = this.items.get(key);
    if (!item) return undefined;
    this.items.delete(key);
    this.items.set(key, item);
    return item.value;
  }

  /** The value, without touching its recency. */
  peek(key: K): V | undefined {
    return this.items.get(key)?.value;
  }

  has(key: K): boolean {
    return this.items.has(key);
  }

  /**
   * Stores the value as the most recently used and returns the keys evicted to make room. A
   * value larger than the whole capacity is not stored (returned as `rejected`).
   */
  set(key: K, value: V): { evicted: K[]; rejected: boolean } {
    const size = this.sizeOf(value);
    this.delete(key);
    if (size > this.capacity || this.maxItems < 1) return { evicted: [], rejected: true };
    const evicted: K[] = [];
    while (this.used + size > this.capacity || this.items.size >= this.maxItems) {
      const oldest = this.items.keys().next();
      if (oldest.done) break;
      this.delete(oldest.value);
      evicted.push(oldest.value);
    }
    this.items.set(key, { value, size });
    this.used += size;
    return { evicted, rejected: false };
  }

  delete(key: K): boolean {
    const item = this.items.get(key);
    if (!item) return false;
    this.items.delete(key);
    this.used -= item.size;
    return true;
  }

  clear(): number {
    const n = this.items.size;
    this.items.clear();
    this.used = 0;
    return n;
  }

  /** Keys from least to most recently used. */
  keys(): K[] {
    return [...this.items.keys()];
  }
}
