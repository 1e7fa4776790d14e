/**
 * ExaBGP's functional-test messages (Exa-Networks/exabgp qa/encoding, qa/api, qa/decoding,
 * copied into ../shared/data/vectors/exabgp/, provenance in SOURCES.md): readers for the
 * `.ci` and decoding files, the codec context each test configuration implies, and a
 * normaliser that turns ExaBGP's JSON decoding and our decoding into the same comparable
 * object.
 */
import { readFileSync } from 'node:fs';
import { makeCtx, type CodecCtx } from '../../src/wire/context.js';
import { afiSafiKey, AFI, SAFI } from '../../src/wire/iana.js';
import { ipv4ToString } from '../../src/wire/nlri.js';
import { dataPath, hexToBuffer, listData } from './helpers-data.js';
import { asArray, asNumber, asObject, asString, field, isObject, type JsonObject } from './helpers-json.js';
import { asPathPairs, familyKey, normaliseAddress, normaliseRoute, type UpdateSummary } from './helpers-summary.js';

export interface ExaVector {
  /** "encoding/conf-x.ci:12" (file and 1-based line). */
  readonly where: string;
  readonly file: string;
  /** A whole message (marker, length, type, body), or an UPDATE body when `bodyOnly`. */
  readonly bytes: Buffer;
  readonly bodyOnly: boolean;
  /** ExaBGP's JSON decoding of these bytes, when the file has one. */
  readonly json: unknown;
}

/**
 * Every raw line of encoding/*.ci and api/*.ci (`N:raw:`, `A1:raw:` for multi-session tests,
 * and the few commented out with `#`), with the `N:json:` line right after it.
 */
export function readCiVectors(): ExaVector[] {
  const out: ExaVector[] = [];
  for (const dir of ['encoding', 'api']) {
    for (const file of listData(`vectors/exabgp/${dir}`, /\.ci$/)) {
      const lines = readFileSync(dataPath(`vectors/exabgp/${dir}/${file}`), 'utf8').split('\n');
      lines.forEach((line, i) => {
        const m = /^(?:#\s*)?[A-Z]?\d+:raw:(.*)$/.exec(line);
        if (m === null) return;
        const next = /^[A-Z]?\d+:json:(.*)$/.exec(lines[i + 1] ?? '');
        out.push({
          where: `${dir}/${file}:${i + 1}`,
          file,
          bytes: hexToBuffer(m[1] ?? ''),
          bodyOnly: false,
          json: next === null ? null : (JSON.parse(next[1] ?? '') as unknown),
        });
      });
    }
  }
  return out;
}

/** The decoding/ files: line 1 kind, line 2 hex (whole message or bare body/NLRI), line 3 JSON. */
export function readDecodingVectors(): (ExaVector & { readonly kind: string })[] {
  return listData('vectors/exabgp/decoding', /^[a-z0-9-]+$/).map((file) => {
    const [kind = '', hex = '', json = ''] = readFileSync(dataPath(`vectors/exabgp/decoding/${file}`), 'utf8').split('\n');
    const bytes = hexToBuffer(hex);
    const whole = bytes.length >= 19 && bytes.subarray(0, 16).every((b) => b === 0xff);
    return { where: `decoding/${file}`, file, kind: kind.trim(), bytes, bodyOnly: !whole, json: JSON.parse(json) as unknown };
  });
}

const AS4_PLAIN = makeCtx({ as4: true });

/**
 * The context of each test configuration (etc/exabgp/<name>.conf in the ExaBGP repository):
 * 4-octet AS unless the configuration disables it, ADD-PATH for the families it negotiates.
 */
const CTX_BY_FILE: Readonly<Record<string, CodecCtx>> = {
  // "asn4 disable": AS_PATH carries 2-octet ASNs.
  'conf-no-asn4.ci': makeCtx({ as4: false }),
  // add-path on IPv4 unicast and IPv4 mpls-vpn (the JSON shows path-information on both).
  'conf-addpath.ci': makeCtx({ as4: true, addPath: new Set([afiSafiKey(AFI.IPV4, SAFI.UNICAST), afiSafiKey(AFI.IPV4, SAFI.MPLS_VPN)]) }),
  'conf-path-information.ci': makeCtx({ as4: true, addPath: new Set([afiSafiKey(AFI.IPV4, SAFI.UNICAST)]) }),
  // api-attributes-path.conf: families ipv4 unicast + ipv6 unicast, "add-path send/receive".
  'api-attributes-path.ci': makeCtx({ as4: true, addPath: new Set([afiSafiKey(AFI.IPV4, SAFI.UNICAST), afiSafiKey(AFI.IPV6, SAFI.UNICAST)]) }),
  // api-open.conf: family ipv4 unicast, "add-path send/receive".
  'api-open.ci': makeCtx({ as4: true, addPath: new Set([afiSafiKey(AFI.IPV4, SAFI.UNICAST)]) }),
};

export function ctxFor(file: string): CodecCtx {
  return CTX_BY_FILE[file] ?? AS4_PLAIN;
}

const AFI_NAME: Readonly<Record<string, number>> = { ipv4: 1, ipv6: 2, l2vpn: 25, 'bgp-ls': 16388 };
const SAFI_NAME: Readonly<Record<string, number>> = {
  unicast: 1,
  multicast: 2,
  'nlri-mpls': 4,
  'mcast-vpn': 5,
  vpls: 65,
  evpn: 70,
  'bgp-ls': 71,
  'bgp-ls-vpn': 72,
  'sr-policy': 73,
  mup: 85,
  'mpls-vpn': 128,
  rtc: 132,
  flow: 133,
  'flow-vpn': 134,
};

/** "ipv4 unicast" -> "1/1". */
function exaFamily(name: string): string {
  const [a = '', s = ''] = name.split(' ');
  const afi = AFI_NAME[a];
  const safi = SAFI_NAME[s];
  if (afi === undefined || safi === undefined) throw new Error(`unknown ExaBGP family ${name}`);
  return familyKey(afi, safi);
}

const PARSED = new Set([familyKey(1, 1), familyKey(1, 2), familyKey(2, 1), familyKey(2, 2)]);
const SEGMENT: Readonly<Record<string, number>> = { 'as-set': 1, 'as-sequence': 2, 'confed-sequence': 3, 'confed-set': 4 };
const ORIGIN_NAME = ['igp', 'egp', 'incomplete'];


/** The message.update object of an ExaBGP JSON line, or null when it is not an UPDATE. */
export function exaUpdate(json: unknown): JsonObject | null {
  if (!isObject(json)) return null;
  const n = field(json, 'neighbor');
  const msg = isObject(n) ? field(n, 'message') : undefined;
  const u = isObject(msg) ? field(msg, 'update') : undefined;
  return isObject(u) ? u : null;
}

function pathIdOf(o: JsonObject): number | null {
  const p = field(o, 'path-information');
  if (p === undefined) return null;
  const parts = asString(p, 'path-information').split('.').map(Number);
  return ((parts[0] ?? 0) * 2 ** 24 + (parts[1] ?? 0) * 65536 + (parts[2] ?? 0) * 256 + (parts[3] ?? 0)) >>> 0;
}

/**
 * ExaBGP's JSON decoding normalised: one key per compared field. `skipped` collects the
 * attribute keys left out (EXA_NOT_COMPARED).
 */
export function expectedFromExabgp(u: JsonObject, skipped: Set<string>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  const attrs = field(u, 'attribute');
  for (const [k, v] of Object.entries(isObject(attrs) ? attrs : {})) {
    if (k === 'origin') out[k] = asString(v, k);
    else if (k === 'med' || k === 'local-preference') out[k] = asNumber(v, k);
    else if (k === 'as-path') {
      out[k] = Object.values(asObject(v, k)).map((seg) => {
        const s = asObject(seg, 'as-path segment');
        return [SEGMENT[asString(field(s, 'element'), 'element')] ?? -1, asArray(field(s, 'value'), 'value').map((n) => asNumber(n, 'asn'))];
      });
    } else if (k === 'community' || k === 'large-community') {
      out[k] = asArray(v, k).map((c) => asArray(c, k).map((n) => asNumber(n, k)));
    } else if (k === 'originator-id' || k === 'aggregator') out[k] = asString(v, k);
    // NEXT_HOP of an UPDATE without IPv4 NLRI (ExaBGP shows it as an attribute then).
    else if (k === 'next-hop') out[k] = normaliseAddress(asString(v, k));
    else if (k === 'cluster-list') out[k] = asArray(v, k).map((c) => asString(c, k));
    else if (k === 'atomic-aggregate') out[k] = v;
    else if (k === 'extended-community') out[k] = asArray(v, k).map((c) => asNumber(field(asObject(c, k), 'value'), k));
    else if (k.startsWith('attribute-0x')) out[k.toLowerCase()] = asString(v, k).toLowerCase();
    else skipped.add(k);
  }
  for (const side of ['announce', 'withdraw'] as const) {
    const fams = field(u, side);
    for (const [name, v] of Object.entries(isObject(fams) ? fams : {})) {
      const fam = exaFamily(name);
      if (!PARSED.has(fam)) {
        out[`${side} ${fam}`] = true;
        continue;
      }
      const routes = (list: unknown): string[] =>
        asArray(list, name).map((r) => {
          const o = asObject(r, name);
          return normaliseRoute(asString(field(o, 'nlri'), 'nlri'), pathIdOf(o));
        });
      if (side === 'withdraw') out[`${side} ${fam}`] = routes(v);
      else {
        const byNh: Record<string, string[]> = {};
        for (const [nh, list] of Object.entries(asObject(v, name))) byNh[normaliseAddress(nh)] = routes(list);
        out[`${side} ${fam}`] = byNh;
      }
    }
  }
  return out;
}

/** Our decoding in the shape of expectedFromExabgp. `only` limits generic attributes to the keys ExaBGP printed. */
export function actualForExabgp(s: UpdateSummary, only: ReadonlySet<string>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const a of s.attributes) {
    switch (a.kind) {
      case 'origin':
        out['origin'] = ORIGIN_NAME[a.value] ?? String(a.value);
        break;
      case 'asPath':
        if (a.value.length > 0) out['as-path'] = asPathPairs(a.value);
        break;
      case 'med':
        out['med'] = a.value;
        break;
      case 'localPref':
        out['local-preference'] = a.value;
        break;
      case 'communities':
        out['community'] = a.value.map((c) => [c >>> 16, c & 0xffff]);
        break;
      case 'largeCommunities': {
        const t: number[][] = [];
        for (let i = 0; i + 2 < a.value.length; i += 3) t.push([a.value[i] ?? 0, a.value[i + 1] ?? 0, a.value[i + 2] ?? 0]);
        out['large-community'] = t;
        break;
      }
      case 'nextHop':
        if (only.has('next-hop')) out['next-hop'] = ipv4ToString(a.value);
        break;
      case 'originatorId':
        out['originator-id'] = ipv4ToString(a.value);
        break;
      case 'clusterList':
        out['cluster-list'] = a.value.map(ipv4ToString);
        break;
      case 'atomicAggregate':
        out['atomic-aggregate'] = true;
        break;
      case 'aggregator':
        out['aggregator'] = `${a.value.asn}:${ipv4ToString(a.value.address)}`;
        break;
      case 'extendedCommunities': {
        const vals: number[] = [];
        for (let i = 0; i + 8 <= a.value.length; i += 8) vals.push(Number(a.value.readBigUInt64BE(i)));
        out['extended-community'] = vals;
        break;
      }
      case 'other': {
        const key = `attribute-0x${a.code.toString(16).padStart(2, '0')}-0x${a.flags.toString(16).padStart(2, '0')}`;
        if (only.has(key)) out[key] = `0x${a.value.toString('hex')}`;
        break;
      }
      default:
        break;
    }
  }
  for (const [fam, byNh] of s.announced) {
    const o: Record<string, string[]> = {};
    for (const [nh, routes] of byNh) o[nh] = routes;
    out[`announce ${fam}`] = o;
  }
  for (const [fam, routes] of s.withdrawn) out[`withdraw ${fam}`] = routes;
  for (const fam of s.opaqueReach) out[`announce ${fam}`] = true;
  for (const fam of s.opaqueUnreach) out[`withdraw ${fam}`] = true;
  return out;
}
