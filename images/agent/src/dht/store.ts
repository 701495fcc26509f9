// A node's (key, value) pairs: those it owns (ids in (predecessor, self]) and the replicas it
// holds for its predecessors, in one map. Which is which follows from the ring at the time
// asked, so a node that inherits a range (its predecessor failed) already has the data.
import { inHalfOpen } from './ids.js';
import type { Item } from './messages.js';

export class Store {
  private readonly items = new Map<string, Item>();
  /** Bumped whenever an item in the owned range changes: replication pushes again only then. */
  ownedVersion = 0;

  get size(): number {
    return this.items.size;
  }

  get(key: string): Item | undefined {
    return this.items.get(key);
  }

  /** Stores items; `owns(id)` says which count as owned (for ownedVersion). Returns how many changed. */
  put(items: Item[], owns: (id: number) => boolean): number {
    let changed = 0;
    for (const item of items) {
      const old = this.items.get(item.key);
      if (old && old.value === item.value && old.id === item.id) continue;
      this.items.set(item.key, { key: item.key, id: item.id, value: item.value });
      changed++;
      if (owns(item.id)) this.ownedVersion++;
    }
    return changed;
  }

  /** Items whose id lies in (from, to]. */
  range(from: number, to: number): Item[] {
    return [...this.items.values()].filter((i) => inHalfOpen(i.id, from, to));
  }

  all(): Item[] {
    return [...this.items.values()];
  }

  clear(): void {
    this.items.clear();
    this.ownedVersion++;
  }
}

/** Splits items into batches that keep each datagram well under the UDP limit. */
export function batches(items: Item[], maxBytes = 32_000): Item[][] {
  const out: Item[][] = [];
  let current: Item[] = [];
  let size = 0;
  for (const item of items) {
    const bytes = Buffer.byteLength(item.key) + Buffer.byteLength(item.value) + 48;
    if (current.length > 0 && size + bytes > maxBytes) {
      out.push(current);
      current = [];
      size = 0;
    }
    current.push(item);
    size += bytes;
  }
  if (current.length > 0) out.push(current);
  return out;
}
