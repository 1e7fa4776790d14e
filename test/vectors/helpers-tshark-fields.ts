/**
 * The fields tshark reports for a BGP message, and ours, in one comparable shape (a record
 * of normalised values, one key per compared field). tshark 4.0's JSON names: bgp.type,
 * bgp.length, bgp.open.*, bgp.cap.type, bgp.notify.*, bgp.route_refresh.*,
 * bgp.update.path_attribute.* (see `tshark -G fields | grep bgp.`).
 */
import type { Message } from '../../src/wire/message.js';
import { capabilitiesOf } from '../../src/wire/open.js';
import { capabilityCode } from '../../src/wire/capabilities.js';
import { isParsedFamily, ipv4ToString, ipv6ToString } from '../../src/wire/nlri.js';
import { attributeLength } from '../../src/wire/attributes.js';
import type { CodecCtx } from '../../src/wire/context.js';
import { FLAG } from '../../src/wire/iana.js';
import { asInt, asString, field, isObject, type JsonObject } from './helpers-json.js';
import { many } from './helpers-tshark.js';
import { asPathPairs, blockRoutes, communityText, familyKey, largeCommunityTexts, nextHopText, normaliseAddress, normaliseRoute, sorted } from './helpers-summary.js';

export type Fields = Record<string, unknown>;

const PA = 'bgp.update.path_attribute.';
const MSG_TYPE: Readonly<Record<Message['type'], number>> = { open: 1, update: 2, notification: 3, keepalive: 4, routeRefresh: 5 };

function obj(v: unknown): JsonObject {
  return isObject(v) ? v : {};
}

/** Every object value below `v` (through arrays) that has `key`. */
function collect(v: unknown, key: string, out: JsonObject[] = []): JsonObject[] {
  if (Array.isArray(v)) for (const x of v) collect(x, key, out);
  else if (isObject(v)) {
    if (field(v, key) !== undefined) out.push(v);
    else for (const [k, x] of Object.entries(v)) if (!k.endsWith('_raw')) collect(x, key, out);
  }
  return out;
}

/** Prefix entries under a tshark NLRI container ("a.b.c.d/n": {bgp.prefix_length, <prefixKey>}). */
function tsharkPrefixes(container: unknown, prefixKey: string): string[] {
  return sorted(
    collect(container, 'bgp.prefix_length')
      .filter((p) => field(p, prefixKey) !== undefined)
      .map((p) => {
        const id = field(p, 'bgp.nlri_path_id');
        return normaliseRoute(`${asString(field(p, prefixKey), prefixKey)}/${asInt(field(p, 'bgp.prefix_length'), 'prefix_length')}`, id === undefined ? null : asInt(id, 'path id'));
      }),
  );
}

function tsharkAsPath(a: JsonObject): [number, number[]][] {
  return many(field(a, `${PA}as_path_segment`)).map((s) => {
    const seg = obj(s);
    const asns = many(field(seg, `${PA}as_path_segment.as4`) ?? field(seg, `${PA}as_path_segment.as2`)).map((n) => asInt(n, 'asn'));
    return [asInt(field(seg, `${PA}as_path_segment.type`), 'segment type'), asns];
  });
}

function tsharkUpdate(t: JsonObject, out: Fields): void {
  out['withdrawn 1/1'] = tsharkPrefixes(field(t, 'bgp.update.withdrawn_routes'), 'bgp.withdrawn_prefix');
  out['nlri 1/1'] = tsharkPrefixes(field(t, 'bgp.update.nlri'), 'bgp.nlri_prefix');
  const attrs = many(field(obj(field(t, 'bgp.update.path_attributes')), PA.slice(0, -1))).map(obj);
  out['attributes'] = attrs.map((a) => `${asInt(field(a, `${PA}type_code`), 'type_code')}/${asString(field(a, `${PA}flags`), 'flags')}/${asInt(field(a, `${PA}length`), 'length')}`);
  for (const a of attrs) {
    switch (asInt(field(a, `${PA}type_code`), 'type_code')) {
      case 1:
        out['origin'] = asInt(field(a, `${PA}origin`), 'origin');
        break;
      case 2:
        out['asPath'] = tsharkAsPath(a);
        break;
      case 3:
        out['nextHop'] = asString(field(a, `${PA}next_hop`), 'next_hop');
        break;
      case 4:
        out['med'] = asInt(field(a, `${PA}multi_exit_disc`), 'med');
        break;
      case 5:
        out['localPref'] = asInt(field(a, `${PA}local_pref`), 'local_pref');
        break;
      case 7:
        out['aggregator'] = `${asInt(field(a, `${PA}aggregator_as`), 'aggregator_as')} ${asString(field(a, `${PA}aggregator_origin`), 'aggregator_origin')}`;
        break;
      case 8:
        out['communities'] = collect(a, `${PA}community_as`).map((c) => `${asInt(field(c, `${PA}community_as`), 'as')}:${asInt(field(c, `${PA}community_value`), 'value')}`);
        break;
      case 9:
        out['originatorId'] = asString(field(a, `${PA}originator_id`), 'originator_id');
        break;
      case 10:
        out['clusterList'] = many(field(obj(field(a, 'bgp.path_attribute.cluster_list')), 'bgp.path_attribute.cluster_id')).map((c) => asString(c, 'cluster_id'));
        break;
      case 14: {
        const afi = asInt(field(a, `${PA}mp_reach_nlri.afi`), 'afi');
        const safi = asInt(field(a, `${PA}mp_reach_nlri.safi`), 'safi');
        if (!isParsedFamily(afi, safi)) break;
        const nh = obj(field(a, `${PA}mp_reach_nlri.next_hop_tree`));
        const v4 = field(nh, `${PA}mp_reach_nlri.next_hop.ipv4`);
        const v6 = field(nh, `${PA}mp_reach_nlri.next_hop.ipv6`);
        const ll = field(nh, `${PA}mp_reach_nlri.next_hop.ipv6.link_local`);
        const fam = familyKey(afi, safi);
        out[`mpReach ${fam} nextHop`] = v4 !== undefined ? asString(v4, 'ipv4') : normaliseAddress(asString(v6, 'ipv6'));
        if (ll !== undefined) out[`mpReach ${fam} linkLocal`] = normaliseAddress(asString(ll, 'link_local'));
        out[`mpReach ${fam}`] = tsharkPrefixes(field(a, `${PA}mp_reach_nlri`), afi === 1 ? 'bgp.mp_reach_nlri_ipv4_prefix' : 'bgp.mp_reach_nlri_ipv6_prefix');
        break;
      }
      case 15: {
        const afi = asInt(field(a, `${PA}mp_unreach_nlri.afi`), 'afi');
        const safi = asInt(field(a, `${PA}mp_unreach_nlri.safi`), 'safi');
        if (!isParsedFamily(afi, safi)) break;
        out[`mpUnreach ${familyKey(afi, safi)}`] = tsharkPrefixes(field(a, `${PA}mp_unreach_nlri`), afi === 1 ? 'bgp.mp_unreach_nlri_ipv4_prefix' : 'bgp.mp_unreach_nlri_ipv6_prefix');
        break;
      }
      case 32:
        out['largeCommunities'] = collect(a, 'bgp.large_communities.ga').map(
          (c) => `${asInt(field(c, 'bgp.large_communities.ga'), 'ga')}:${asInt(field(c, 'bgp.large_communities.ldp1'), 'ldp1')}:${asInt(field(c, 'bgp.large_communities.ldp2'), 'ldp2')}`,
        );
        break;
      default:
        break;
    }
  }
}

/** The fields tshark reports for one message. */
export function tsharkFields(t: JsonObject): Fields {
  const out: Fields = { type: asInt(field(t, 'bgp.type'), 'bgp.type'), length: asInt(field(t, 'bgp.length'), 'bgp.length') };
  switch (out['type']) {
    case 1:
      out['version'] = asInt(field(t, 'bgp.open.version'), 'version');
      out['myAs'] = asInt(field(t, 'bgp.open.myas'), 'myas');
      out['holdTime'] = asInt(field(t, 'bgp.open.holdtime'), 'holdtime');
      out['bgpId'] = asString(field(t, 'bgp.open.identifier'), 'identifier');
      out['capabilities'] = collect(t, 'bgp.cap.type').map((c) => asInt(field(c, 'bgp.cap.type'), 'cap type'));
      break;
    case 2:
      tsharkUpdate(t, out);
      break;
    case 3: {
      out['code'] = asInt(field(t, 'bgp.notify.major_error'), 'major_error');
      const minor = Object.keys(t).find((k) => k.startsWith('bgp.notify.minor_error') && !k.endsWith('_raw'));
      if (minor !== undefined) out['subcode'] = asInt(field(t, minor), minor);
      break;
    }
    case 5:
      out['afi'] = asInt(field(t, 'bgp.route_refresh.afi'), 'afi');
      out['safi'] = asInt(field(t, 'bgp.route_refresh.safi'), 'safi');
      out['subtype'] = asInt(field(t, 'bgp.route_refresh.subtype'), 'subtype');
      break;
    default:
      break;
  }
  return out;
}

/**
 * Our decoding of the same message in the shape of tsharkFields. `clean`: the UPDATE decoded
 * without any RFC 7606 error (so no attribute was dropped).
 */
export function ourFields(m: Message, length: number, want: ReadonlySet<string>, clean: boolean, ctx: CodecCtx): Fields {
  const out: Fields = { type: MSG_TYPE[m.type], length };
  switch (m.type) {
    case 'open':
      out['version'] = m.open.version;
      out['myAs'] = m.open.myAs;
      out['holdTime'] = m.open.holdTime;
      out['bgpId'] = ipv4ToString(m.open.bgpId);
      out['capabilities'] = capabilitiesOf(m.open).map(capabilityCode);
      break;
    case 'notification':
      out['code'] = m.notification.code;
      if (want.has('subcode')) out['subcode'] = m.notification.subcode;
      break;
    case 'routeRefresh':
      out['afi'] = m.routeRefresh.afi;
      out['safi'] = m.routeRefresh.safi;
      out['subtype'] = m.routeRefresh.subtype;
      break;
    case 'update':
      updateFields(m.update, clean, ctx, out);
      break;
    case 'keepalive':
      break;
    default: {
      const never: never = m;
      throw new Error(`unhandled ${JSON.stringify(never)}`);
    }
  }
  return out;
}

function updateFields(u: Extract<Message, { type: 'update' }>['update'], clean: boolean, ctx: CodecCtx, out: Fields): void {
  out['withdrawn 1/1'] = sorted(blockRoutes(u.withdrawn));
  out['nlri 1/1'] = sorted(blockRoutes(u.nlri));
  // Attributes as on the wire (code/flags/value length); only when none was dropped.
  if (clean) {
    out['attributes'] = u.attributes.map((a) => {
      const len = attributeLength(a, ctx);
      const valueLen = len - ((a.flags & FLAG.EXTENDED_LENGTH) !== 0 || len - 3 > 255 ? 4 : 3);
      return `${a.code}/0x${a.flags.toString(16).padStart(2, '0')}/${valueLen}`;
    });
  }
  for (const a of u.attributes) {
    switch (a.kind) {
      case 'origin':
        out['origin'] = a.value;
        break;
      case 'asPath':
        out['asPath'] = asPathPairs(a.value);
        break;
      case 'nextHop':
        out['nextHop'] = ipv4ToString(a.value);
        break;
      case 'med':
        out['med'] = a.value;
        break;
      case 'localPref':
        out['localPref'] = a.value;
        break;
      case 'aggregator':
        out['aggregator'] = `${a.value.asn} ${ipv4ToString(a.value.address)}`;
        break;
      case 'communities':
        out['communities'] = a.value.map(communityText);
        break;
      case 'originatorId':
        out['originatorId'] = ipv4ToString(a.value);
        break;
      case 'clusterList':
        out['clusterList'] = a.value.map(ipv4ToString);
        break;
      case 'largeCommunities':
        out['largeCommunities'] = largeCommunityTexts(a.value);
        break;
      case 'mpReach': {
        const m = a.value;
        if (!isParsedFamily(m.afi, m.safi)) break;
        const fam = familyKey(m.afi, m.safi);
        out[`mpReach ${fam} nextHop`] = nextHopText(m.nextHop);
        if (m.nextHop.length === 32) out[`mpReach ${fam} linkLocal`] = ipv6ToString(m.nextHop.subarray(16));
        out[`mpReach ${fam}`] = sorted(blockRoutes(m.nlri));
        break;
      }
      case 'mpUnreach': {
        const m = a.value;
        if (!isParsedFamily(m.afi, m.safi)) break;
        out[`mpUnreach ${familyKey(m.afi, m.safi)}`] = sorted(blockRoutes(m.withdrawn));
        break;
      }
      default:
        break;
    }
  }
}
