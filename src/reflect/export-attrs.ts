/**
 * Builds the attributes a group sends for one attribute set, once per (set, originator) per
 * update group (STYLE.md §5: encode once per group). The RR changes only what RFC 4456 and
 * RFC 4271 require; everything else passes byte for byte:
 * 1. Reflection (iBGP → iBGP): ORIGINATOR_ID set to the sender's BGP Identifier when absent;
 *    the cluster ID prepended to CLUSTER_LIST (RFC 4456 §8). NEXT_HOP unchanged.
 * 2. eBGP-learned → iBGP: LOCAL_PREF 100 added when absent (RFC 4271 §5.1.5).
 * 3. → eBGP: LOCAL_PREF, ORIGINATOR_ID and CLUSTER_LIST removed; our AS prepended unless the
 *    group is a route server (RFC 7947 §2.2: transparent); MULTI_EXIT_DISC removed unless a
 *    route server (RFC 4271 §5.1.4). NEXT_HOP unchanged (third-party next hop; next-hop-self
 *    is a policy action, issue 6).
 * 4. Unknown optional transitive attributes get the Partial bit; unknown optional
 *    non-transitive ones are dropped (RFC 4271 §5).
 * 5. To a 2-octet AS group, an AS_PATH holding 4-octet ASes is sent with AS_TRANS plus an
 *    AS4_PATH, likewise AGGREGATOR / AS4_AGGREGATOR (RFC 6793 §4.2.2).
 * Attributes are written in type-code order (RFC 4271 §5 recommends it); MP_REACH_NLRI is
 * written first by the packer (RFC 7606 §5.1).
 */
import { ATTR, AS_PATH_SEGMENT, FLAG } from '../wire/iana.js';
import type { CodecCtx } from '../wire/context.js';
import type { AsPath, PathAttribute } from '../wire/attribute-types.js';
import { encodeAttributes } from '../wire/attributes.js';
import { needsAs4 } from '../wire/attrs/as-path.js';
import type { AttrSet } from '../rib/attr-set.js';
import { DEFAULT_LOCAL_PREF } from '../rib/attr-set.js';
import { isReflection, reflectingClusterId, type GroupRole, type NextHopTarget, type SourceRole } from './roles.js';

export interface ExportTarget extends GroupRole, NextHopTarget {
  readonly ctx: CodecCtx;
  readonly localAs: number;
  readonly routeServer: boolean;
  /** The members' local addresses (policy `nextHop: self`), null when unknown. */
  readonly localV4: Buffer | null;
  readonly localV6: Buffer | null;
}

const WELL_KNOWN_CODES = new Set<number>([
  ATTR.ORIGIN,
  ATTR.AS_PATH,
  ATTR.NEXT_HOP,
  ATTR.MULTI_EXIT_DISC,
  ATTR.LOCAL_PREF,
  ATTR.ATOMIC_AGGREGATE,
  ATTR.AGGREGATOR,
  ATTR.COMMUNITIES,
  ATTR.ORIGINATOR_ID,
  ATTR.CLUSTER_LIST,
  ATTR.EXTENDED_COMMUNITIES,
  ATTR.AS4_PATH,
  ATTR.AS4_AGGREGATOR,
  ATTR.IPV6_EXTENDED_COMMUNITIES,
  ATTR.AIGP,
  ATTR.LARGE_COMMUNITY,
  ATTR.ONLY_TO_CUSTOMER,
]);

/** The exported attribute list (MP_* excluded; the packer adds MP_REACH_NLRI). */
export function exportAttributes(set: AttrSet, src: SourceRole, t: ExportTarget): PathAttribute[] {
  return exportList(set.attributes, src, t);
}

/** `exportAttributes` for an attribute list (a set's, or one an export policy changed). */
export function exportList(attributes: readonly PathAttribute[], src: SourceRole, t: ExportTarget): PathAttribute[] {
  const out: PathAttribute[] = [];
  const ebgpTarget = t.role === 'ebgp';
  const reflect = isReflection(src, t);
  let sawLocalPref = false;
  let sawOriginator = false;
  let sawClusterList = false;
  for (const a of attributes) {
    switch (a.kind) {
      case 'localPref':
        if (ebgpTarget) continue;
        sawLocalPref = true;
        out.push(a);
        continue;
      case 'originatorId':
        if (ebgpTarget) continue;
        sawOriginator = true;
        out.push(a);
        continue;
      case 'clusterList':
        if (ebgpTarget) continue;
        sawClusterList = true;
        out.push(reflect ? { ...a, value: [reflectingClusterId(src, t) >>> 0, ...a.value] } : a);
        continue;
      case 'med':
        if (ebgpTarget && !t.routeServer) continue;
        out.push(a);
        continue;
      case 'asPath':
        out.push(ebgpTarget && !t.routeServer ? { ...a, value: prepend(a.value, t.localAs) } : a);
        continue;
      case 'as4Path':
      case 'as4Aggregator':
        continue; // regenerated below when the target needs them
      case 'other':
        if (WELL_KNOWN_CODES.has(a.code)) {
          out.push(a);
        } else if ((a.flags & FLAG.OPTIONAL) !== 0 && (a.flags & FLAG.TRANSITIVE) !== 0) {
          out.push({ ...a, flags: a.flags | FLAG.PARTIAL });
        }
        // unknown optional non-transitive: dropped (RFC 4271 §5)
        continue;
      default:
        out.push(a);
    }
  }
  if (!ebgpTarget && !sawLocalPref) out.push({ kind: 'localPref', code: 5, flags: FLAG.TRANSITIVE, value: DEFAULT_LOCAL_PREF });
  if (reflect && !sawOriginator) out.push({ kind: 'originatorId', code: 9, flags: FLAG.OPTIONAL, value: src.bgpId >>> 0 });
  if (reflect && !sawClusterList) out.push({ kind: 'clusterList', code: 10, flags: FLAG.OPTIONAL, value: [reflectingClusterId(src, t) >>> 0] });
  if (ebgpTarget && !t.routeServer && !out.some((a) => a.kind === 'asPath')) {
    out.push({ kind: 'asPath', code: 2, flags: FLAG.TRANSITIVE, value: prepend([], t.localAs) });
  }
  if (!t.ctx.as4) addAs4Attributes(out);
  out.sort((x, y) => x.code - y.code);
  return out;
}

/** Encodes the exported list for the target's context. */
export function encodeExport(set: AttrSet, src: SourceRole, t: ExportTarget): Buffer {
  return encodeAttributes(exportAttributes(set, src, t), t.ctx);
}

/** Encodes the exported form of an attribute list. */
export function encodeExportList(attributes: readonly PathAttribute[], src: SourceRole, t: ExportTarget): Buffer {
  return encodeAttributes(exportList(attributes, src, t), t.ctx);
}

function prepend(path: AsPath, asn: number): AsPath {
  const first = path[0];
  if (first !== undefined && first.type === AS_PATH_SEGMENT.AS_SEQUENCE && first.asns.length < 255) {
    return [{ type: first.type, asns: [asn, ...first.asns] }, ...path.slice(1)];
  }
  return [{ type: AS_PATH_SEGMENT.AS_SEQUENCE, asns: [asn] }, ...path];
}

function addAs4Attributes(out: PathAttribute[]): void {
  const path = out.find((a) => a.kind === 'asPath');
  if (path !== undefined && path.kind === 'asPath' && needsAs4(path.value)) {
    // RFC 6793 §4.2.2: AS4_PATH carries the real path; confed segments are not copied.
    const as4 = path.value.filter((s) => s.type === AS_PATH_SEGMENT.AS_SEQUENCE || s.type === AS_PATH_SEGMENT.AS_SET);
    out.push({ kind: 'as4Path', code: 17, flags: FLAG.OPTIONAL | FLAG.TRANSITIVE, value: as4 });
  }
  const agg = out.find((a) => a.kind === 'aggregator');
  if (agg !== undefined && agg.kind === 'aggregator' && agg.value.asn > 0xffff) {
    out.push({ kind: 'as4Aggregator', code: 18, flags: FLAG.OPTIONAL | FLAG.TRANSITIVE, value: agg.value });
  }
}
