// A bounded buffer: the newest `capacity` items, oldest first. Pushing is O(1) and never
// allocates once full, so a log tail at thousands of lines a second holds steady memory.

export class RingBuffer<T> {
  private readonly items: (T | undefined)[];
  private start = 0;
  private count = 0;
  /** Every item ever pushed (for rates and "N new" counts), including those since dropped. */
  pushed = 0;

  constructor(readonly capacity: number) {
    this.items = new Array<T | undefined>(capacity);
  }

  get length(): number {
    return this.count;
  }

  push(item: T): void {
    this.pushed++;
    if (this.count < this.capacity) {
      this.items[(this.start + this.count++) % this.capacity] = item;
      return;
    }
    this.items[this.start] = item;
    this.start = (this.start + 1) % this.capacity;
  }

  /** The i-th item, 0 being the oldest kept. */
  at(index: number): T | undefined {
    return index >= 0 && index < this.count ? this.items[(this.start + index) % this.capacity] : undefined;
  }

  toArray(): T[] {
    return Array.from({ length: this.count }, (_, i) => this.at(i) as T);
  }

  clear(): void {
    this.items.fill(undefined);
    this.start = 0;
    this.count = 0;
  }
}
