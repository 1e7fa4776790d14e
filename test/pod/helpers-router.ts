/** A fake RouterControl that records every call, for the pod tests. */
import type { CEASE_PEER_DECONFIGURED, RouterControl } from '../../src/pod/pod.js';

export type Call =
  | { readonly op: 'add'; readonly group: string; readonly address: string }
  | { readonly op: 'remove'; readonly address: string; readonly notification: typeof CEASE_PEER_DECONFIGURED }
  | { readonly op: 'ranges'; readonly group: string; readonly prefixes: readonly string[] };

export class FakeRouter implements RouterControl {
  readonly calls: Call[] = [];
  readonly neighbors = new Map<string, string>();
  readonly ranges = new Map<string, readonly string[]>();
  readonly established = new Set<string>();
  /** Ops that throw once, e.g. 'add 10.0.0.1'. */
  readonly failOnce = new Set<string>();
  /** Every neighbour added becomes Established at once unless listed here. */
  readonly neverUp = new Set<string>();

  private maybeFail(key: string): void {
    if (this.failOnce.delete(key)) throw new Error(`injected failure: ${key}`);
  }

  addNeighbor(group: string, address: string): void {
    this.maybeFail(`add ${address}`);
    if (this.neighbors.has(address)) throw new Error(`${address} is already a neighbour`);
    this.calls.push({ op: 'add', group, address });
    this.neighbors.set(address, group);
    if (!this.neverUp.has(address)) this.established.add(address);
  }

  removeNeighbor(address: string, notification: typeof CEASE_PEER_DECONFIGURED): Promise<void> {
    this.maybeFail(`remove ${address}`);
    if (!this.neighbors.has(address)) throw new Error(`${address} is not a neighbour`);
    this.calls.push({ op: 'remove', address, notification });
    this.neighbors.delete(address);
    this.established.delete(address);
    return Promise.resolve();
  }

  setListenRanges(group: string, prefixes: readonly string[]): void {
    this.maybeFail(`ranges ${group}`);
    this.calls.push({ op: 'ranges', group, prefixes });
    this.ranges.set(group, prefixes);
  }

  isEstablished(address: string): boolean {
    return this.established.has(address);
  }

  /** The calls made since the last `take()`. */
  take(): Call[] {
    return this.calls.splice(0);
  }
}
