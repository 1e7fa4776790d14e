/**
 * Path attributes as operators read them (JSON of the status API, `meshrr show routes`):
 * AS_PATH as text ("64500 {64501,64502}"), communities "AS:value", large communities
 * "a:b:c", extended communities as hex, addresses as text. Unknown attributes keep their
 * code, flags and bytes in hex. Presentation only: nothing here is on the wire path.
 */
import type { AsPath, PathAttribute } from '../wire/attribute-types.js';
import { AS_PATH_SEGMENT, WELL_KNOWN_COMMUNITY } from '../wire/iana.js';
import { ipv4ToString, ipv6ToString } from '../wire/nlri.js';

export type OriginName = 'IGP' | 'EGP' | 'INCOMPLETE';

export interface AttributesJson {
  origin: OriginName | null;
  asPath: string;
  nextHop: string;
  med: number | null;
  localPref: number | null;
  atomicAggregate: boolean;
  aggregator: { asn: number; address: string } | null;
  communities: string[];
  largeCommunities: string[];
  extendedCommunities: string[];
  originatorId: string | null;
  clusterList: string[];
  /** Attributes meshrr does not interpret, byte-exact. */
  other: { code: number; flags: number; hex: string }[];
}

const ORIGINS: readonly OriginName[] = ['IGP', 'EGP', 'INCOMPLETE'];

export function asPathText(p: AsPath): string {
  return p
    .map((s) => {
      const list = s.asns.join(s.type === AS_PATH_SEGMENT.AS_SET || s.type === AS_PATH_SEGMENT.AS_CONFED_SET ? ',' : ' ');
      if (s.type === AS_PATH_SEGMENT.AS_SET) return `{${list}}`;
      if (s.type === AS_PATH_SEGMENT.AS_CONFED_SEQUENCE) return `(${list})`;
      if (s.type === AS_PATH_SEGMENT.AS_CONFED_SET) return `[${list}]`;
      return list;
    })
    .filter((t) => t !== '')
    .join(' ');
}

export function communityText(c: number): string {
  return `${(c >>> 16) & 0xffff}:${c & 0xffff}`;
}

/** Parses "AS:value" (or a well-known name) to the 32-bit community; null when invalid. */
export function parseCommunity(text: string): number | null {
  const named: Readonly<Record<string, number>> = {
    'no-export': WELL_KNOWN_COMMUNITY.NO_EXPORT,
    'no-advertise': WELL_KNOWN_COMMUNITY.NO_ADVERTISE,
    'no-export-subconfed': WELL_KNOWN_COMMUNITY.NO_EXPORT_SUBCONFED,
  };
  const n = named[text.toLowerCase()];
  if (n !== undefined) return n >>> 0;
  const m = /^(\d{1,5}):(\d{1,5})$/.exec(text);
  if (m === null) return null;
  const hi = Number(m[1]);
  const lo = Number(m[2]);
  if (hi > 0xffff || lo > 0xffff) return null;
  return ((hi << 16) | lo) >>> 0;
}

/** Text of a next hop: 4 octets IPv4, 16 IPv6, 32 global + link-local ("g ll"). */
export function nextHopText(nh: Buffer): string {
  if (nh.length === 4) return ipv4ToString(nh.readUInt32BE(0));
  if (nh.length === 16) return ipv6ToString(nh);
  if (nh.length === 32) return `${ipv6ToString(nh.subarray(0, 16))} ${ipv6ToString(nh.subarray(16))}`;
  return nh.length === 0 ? '' : nh.toString('hex');
}

export function attributesJson(attrs: readonly PathAttribute[], nextHop: Buffer): AttributesJson {
  const out: AttributesJson = {
    origin: null,
    asPath: '',
    nextHop: nextHopText(nextHop),
    med: null,
    localPref: null,
    atomicAggregate: false,
    aggregator: null,
    communities: [],
    largeCommunities: [],
    extendedCommunities: [],
    originatorId: null,
    clusterList: [],
    other: [],
  };
  for (const a of attrs) {
    switch (a.kind) {
      case 'origin':
        out.origin = ORIGINS[a.value] ?? null;
        break;
      case 'asPath':
        out.asPath = asPathText(a.value);
        break;
      case 'nextHop':
        if (out.nextHop === '') out.nextHop = ipv4ToString(a.value);
        break;
      case 'med':
        out.med = a.value >>> 0;
        break;
      case 'localPref':
        out.localPref = a.value >>> 0;
        break;
      case 'atomicAggregate':
        out.atomicAggregate = true;
        break;
      case 'aggregator':
        out.aggregator = { asn: a.value.asn, address: ipv4ToString(a.value.address) };
        break;
      case 'communities':
        out.communities = a.value.map(communityText);
        break;
      case 'largeCommunities':
        for (let i = 0; i + 2 < a.value.length; i += 3) out.largeCommunities.push(`${a.value[i]}:${a.value[i + 1]}:${a.value[i + 2]}`);
        break;
      case 'extendedCommunities':
        for (let i = 0; i + 8 <= a.value.length; i += 8) out.extendedCommunities.push(a.value.subarray(i, i + 8).toString('hex'));
        break;
      case 'originatorId':
        out.originatorId = ipv4ToString(a.value);
        break;
      case 'clusterList':
        out.clusterList = a.value.map((c) => ipv4ToString(c));
        break;
      case 'mpReach':
      case 'mpUnreach':
        break;
      case 'as4Path':
      case 'as4Aggregator':
        // The RIB keeps AS_PATH/AGGREGATOR merged with them (RFC 6793 §4.2.3).
        break;
      case 'ipv6ExtendedCommunities':
      case 'aigp':
      case 'other':
        out.other.push({ code: a.code, flags: a.flags, hex: a.value.toString('hex') });
        break;
      case 'onlyToCustomer':
        out.other.push({ code: a.code, flags: a.flags, hex: (a.value >>> 0).toString(16).padStart(8, '0') });
        break;
    }
  }
  return out;
}
