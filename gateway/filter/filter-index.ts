// The hub's index of filter groups: per level, the groups whose filter names no source, and per
// source the groups that name it. A log or alert then touches only groups that may take it.
//
// Updated in place: adding or removing a group touches only its own entries (one per level it
// takes when it names no source, else one per source it names), each in O(1) — a list is an
// array with swap-remove, and every entry knows its position. Nothing is rebuilt and no list is
// copied, so thousands of distinct filters coming and going never stall the fan-out.
//
// A source's list holds its groups whatever levels they take (the hub's accepts() tests the
// level: one bit). Split by level as well, a group naming one source took five entries, five
// lists and five map keys (~1.2 KB) instead of one of each, for every connection with a filter
// of its own, and a leave cost five map deletions.
import { LEVELS } from '../../shared/protocol/index.ts';
import type { CompiledFilter } from './filter.ts';

/** One place a group is listed: in `list`, at position `at`. */
export interface IndexEntry<G> {
  readonly group: G;
  readonly list: Array<IndexEntry<G>>;
  at: number;
  /** The source the list is for; null for a level's no-source list. */
  readonly source: string | null;
}

const NONE: readonly never[] = [];

export class FilterIndex<G> {
  private readonly anySourceLists: Array<Array<IndexEntry<G>>> = LEVELS.map(() => []);
  private readonly bySourceLists = new Map<string, Array<IndexEntry<G>>>();

  /** List `group` under every level its filter takes (no source) or every source it names; returns its entries (for remove). */
  add(group: G, filter: CompiledFilter): Array<IndexEntry<G>> {
    if (filter.sources === null) {
      const entries: Array<IndexEntry<G>> = [];
      for (let level = 0; level < LEVELS.length; level++) {
        if (filter.levelMask & (1 << level)) entries.push(this.append(this.anySourceLists[level]!, group, null));
      }
      return entries;
    }
    // Mapped from the sources, the array has room for just them (pushes onto [] reserve 17 slots): most filters name one.
    return [...filter.sources].map((source) => {
      let list = this.bySourceLists.get(source);
      if (!list) this.bySourceLists.set(source, (list = []));
      return this.append(list, group, source);
    });
  }

  /** Unlist a group: each entry swap-removed from its list; a source's list is forgotten once empty. */
  remove(entries: ReadonlyArray<IndexEntry<G>>): void {
    for (const entry of entries) {
      const list = entry.list;
      const last = list.pop()!;
      if (last !== entry) {
        list[entry.at] = last;
        last.at = entry.at;
      }
      if (list.length === 0 && entry.source !== null) this.bySourceLists.delete(entry.source);
    }
  }

  /** Groups at `level` whose filter names no source. */
  anySource(level: number): ReadonlyArray<IndexEntry<G>> {
    return this.anySourceLists[level]!;
  }

  /** Groups whose filter names `source`, at any level. */
  bySource(source: string): ReadonlyArray<IndexEntry<G>> {
    return this.bySourceLists.get(source) ?? NONE;
  }

  /** Distinct sources listed (for tests: empty lists must not linger). */
  get sourceLists(): number {
    return this.bySourceLists.size;
  }

  private append(list: Array<IndexEntry<G>>, group: G, source: string | null): IndexEntry<G> {
    const entry: IndexEntry<G> = { group, list, at: list.length, source };
    list.push(entry);
    return entry;
  }
}
