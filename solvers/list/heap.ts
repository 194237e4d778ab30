/**
 * Binary heap of integer items (task indices, entry ids) ordered by a caller-supplied
 * `before(a, b)`: the item for which `before` holds against every other comes out first.
 * Ready lists of the list schedulers: O(log k) push and pop.
 */
export class IntHeap {
  private a: Int32Array;
  private n = 0;
  constructor(
    private readonly before: (x: number, y: number) => boolean,
    capacity = 16,
  ) {
    this.a = new Int32Array(Math.max(capacity, 4));
  }

  get size(): number {
    return this.n;
  }

  peek(): number {
    return this.n > 0 ? this.a[0] : -1;
  }

  push(x: number): void {
    if (this.n === this.a.length) {
      const b = new Int32Array(this.a.length * 2);
      b.set(this.a);
      this.a = b;
    }
    const a = this.a;
    let i = this.n++;
    while (i > 0) {
      const p = (i - 1) >> 1;
      if (!this.before(x, a[p])) break;
      a[i] = a[p];
      i = p;
    }
    a[i] = x;
  }

  pop(): number {
    const a = this.a;
    const top = a[0];
    const last = a[--this.n];
    let i = 0;
    const n = this.n;
    for (;;) {
      const l = 2 * i + 1;
      if (l >= n) break;
      const r = l + 1;
      const c = r < n && this.before(a[r], a[l]) ? r : l;
      if (!this.before(a[c], last)) break;
      a[i] = a[c];
      i = c;
    }
    if (n > 0) a[i] = last;
    return top;
  }
}
