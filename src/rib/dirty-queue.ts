/**
 * The prefixes of one family waiting for the decision process, first in first out, each at
 * most once: a flag per prefix id and a ring of ids (FamilyRib). Changes only mark prefixes;
 * `decide` takes them in bounded batches, so a burst of UPDATEs costs one best-path run per
 * prefix, not one per UPDATE.
 */
import { grownCapacity, resized } from './large-arrays.js';

export class DirtyQueue {
  private flag: Uint8Array = new Uint8Array(1024);
  /** Waiting ids: list[head..len). */
  private list: Int32Array = new Int32Array(1024);
  private head = 0;
  private len = 0;

  get pending(): number {
    return this.len - this.head;
  }

  /** Makes room for prefix ids below `n` (grown with the family's id space). */
  ensure(n: number): void {
    if (n <= this.flag.length) return;
    this.flag = resized(this.flag, n);
  }

  /** Queues a prefix id unless it is already waiting. */
  mark(id: number): void {
    if (this.flag[id] !== 0) return;
    this.flag[id] = 1;
    if (this.len === this.list.length) {
      if (this.head > 0) {
        this.list.copyWithin(0, this.head, this.len);
        this.len -= this.head;
        this.head = 0;
      } else {
        this.list = resized(this.list, grownCapacity(this.list.length, this.len + 1));
      }
    }
    this.list[this.len++] = id;
  }

  /** The next prefix id to decide (no longer marked), or -1 when none waits. */
  take(): number {
    if (this.head === this.len) return -1;
    const id = this.list[this.head++] as number;
    this.flag[id] = 0;
    if (this.head === this.len) {
      this.head = 0;
      this.len = 0;
    }
    return id;
  }
}
