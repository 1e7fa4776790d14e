/**
 * The id space of one family's routes as the update groups see it: dense ids, the wire
 * encoding of each route (what an UPDATE carries), and lookup from wire bytes. Implemented
 * by PrefixTable (IPv4/IPv6 unicast, typed arrays) and by the opaque families' RIB
 * (labelled, VPN, EVPN, flowspec...), where a route's bytes are those of its best path.
 */
export interface NlriTable {
  /** One past the largest id in use. */
  readonly idLimit: number;
  has(id: number): boolean;
  /** Octets of the route's NLRI encoding (without a path identifier). */
  nlriLength(id: number): number;
  /** Writes the route's NLRI encoding at buf[off..]; returns the offset after it. */
  writeNlri(id: number, buf: Buffer, off: number): number;
  /** The id of the route encoded at bytes[start..end) (no path identifier), or -1. */
  lookupNlri(bytes: Buffer, start: number, end: number): number;
}
