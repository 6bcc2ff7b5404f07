// The hub's index of filter groups: per level, the groups whose filter names no source, and per
// source the groups that name it. A log or alert then touches only groups that may take it.
//
// Updated in place: adding or removing a group touches only its own entries (one per level it
// takes, times one per source it names, or one), each in O(1) — a list is an array with
// swap-remove, and every entry knows its position. Nothing is rebuilt and no list is copied, so
// thousands of distinct filters coming and going never stall the fan-out.
import { LEVELS } from '../../shared/protocol/index.ts';
import type { CompiledFilter } from './filter.ts';

/** One place a group is listed: in `list`, at position `at`. */
export interface IndexEntry<G> {
  readonly group: G;
  readonly list: Array<IndexEntry<G>>;
  at: number;
  readonly level: number;
  /** The source the list is for; null for the level's no-source list. */
  readonly source: string | null;
}

interface LevelLists<G> {
  readonly anySource: Array<IndexEntry<G>>;
  readonly bySource: Map<string, Array<IndexEntry<G>>>;
}

const NONE: readonly never[] = [];

export class FilterIndex<G> {
  private readonly levels: Array<LevelLists<G>> = LEVELS.map(() => ({ anySource: [], bySource: new Map() }));

  /** List `group` under every level and source its filter takes; returns its entries (for remove). */
  add(group: G, filter: CompiledFilter): Array<IndexEntry<G>> {
    const entries: Array<IndexEntry<G>> = [];
    for (let level = 0; level < LEVELS.length; level++) {
      if ((filter.levelMask & (1 << level)) === 0) continue;
      const lists = this.levels[level]!;
      if (filter.sources === null) entries.push(this.append(lists.anySource, group, level, null));
      else {
        for (const source of filter.sources) {
          let list = lists.bySource.get(source);
          if (!list) lists.bySource.set(source, (list = []));
          entries.push(this.append(list, group, level, source));
        }
      }
    }
    return entries;
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
      if (list.length === 0 && entry.source !== null) this.levels[entry.level]!.bySource.delete(entry.source);
    }
  }

  /** Groups at `level` whose filter names no source. */
  anySource(level: number): ReadonlyArray<IndexEntry<G>> {
    return this.levels[level]!.anySource;
  }

  /** Groups at `level` whose filter names `source`. */
  bySource(level: number, source: string): ReadonlyArray<IndexEntry<G>> {
    return this.levels[level]!.bySource.get(source) ?? NONE;
  }

  /** Distinct sources listed at any level (for tests: empty lists must not linger). */
  get sourceLists(): number {
    let n = 0;
    for (const lists of this.levels) n += lists.bySource.size;
    return n;
  }

  private append(list: Array<IndexEntry<G>>, group: G, level: number, source: string | null): IndexEntry<G> {
    const entry: IndexEntry<G> = { group, list, at: list.length, level, source };
    list.push(entry);
    return entry;
  }
}
