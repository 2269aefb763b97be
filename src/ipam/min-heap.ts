/** A binary min-heap of bigints: O(log n) push and pop, O(1) peek. */
export class BigIntMinHeap {
  readonly #items: bigint[] = [];

  get size(): number {
    return this.#items.length;
  }

  peek(): bigint | undefined {
    return this.#items[0];
  }

  push(value: bigint): void {
    const items = this.#items;
    items.push(value);
    let child = items.length - 1;
    while (child > 0) {
      const parent = (child - 1) >> 1;
      const parentValue = items[parent]!;
      if (parentValue <= value) break;
      items[child] = parentValue;
      child = parent;
    }
    items[child] = value;
  }

  pop(): bigint | undefined {
    const items = this.#items;
    const top = items[0];
    const last = items.pop();
    if (top === undefined || last === undefined || items.length === 0) return top;
    let parent = 0;
    for (;;) {
      const left = parent * 2 + 1;
      if (left >= items.length) break;
      const right = left + 1;
      const smaller = right < items.length && items[right]! < items[left]! ? right : left;
      if (items[smaller]! >= last) break;
      items[parent] = items[smaller]!;
      parent = smaller;
    }
    items[parent] = last;
    return top;
  }
}
