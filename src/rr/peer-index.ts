/**
 * Peer name (its address) ↔ RIB peer index. An index is handed out at a peer's first session
 * and kept for good, so a reconnecting peer (graceful restart) finds its stale paths under
 * the same index.
 */
export class PeerIndex {
  private readonly byName = new Map<string, number>();
  private next = 1;
  /** index -> name, rebuilt when byName grew (it never shrinks). */
  private names: string[] = [];
  private namesKnown = 0;

  /** The index of a peer, handed out on first use. */
  of(name: string): number {
    let i = this.byName.get(name);
    if (i === undefined) {
      i = this.next++;
      this.byName.set(name, i);
    }
    return i;
  }

  /** The index of a peer if it ever had one. */
  get(name: string): number | undefined {
    return this.byName.get(name);
  }

  /** The peer name behind an index (O(1): status walks call it per path). */
  nameOf(index: number): string | undefined {
    if (this.namesKnown !== this.byName.size) {
      this.names = [];
      for (const [name, i] of this.byName) this.names[i] = name;
      this.namesKnown = this.byName.size;
    }
    return this.names[index];
  }
}
