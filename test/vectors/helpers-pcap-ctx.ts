/**
 * The codec context of each direction of each TCP session in a capture, negotiated the way a
 * session would (RFC 6793 §4 4-octet AS, RFC 7911 §4 ADD-PATH send/receive, RFC 8654
 * extended messages) from the OPENs found in the capture. A capture that starts mid-session
 * has no OPEN; the context is then read from tshark's own decoding (the AS width it used in
 * AS_PATH, the path identifiers it showed), as the brief for this test allows.
 */
import { makeCtx, type CodecCtx } from '../../src/wire/context.js';
import { afiSafiKey } from '../../src/wire/iana.js';
import { decodeMessage } from '../../src/wire/message.js';
import { capabilitiesOf, type OpenMessage } from '../../src/wire/open.js';
import type { Capability } from '../../src/wire/capabilities.js';
import { DEFAULT_CTX } from '../../src/wire/context.js';
import { field, isObject, type JsonObject } from './helpers-json.js';
import type { TsharkMessage } from './helpers-tshark.js';

interface Side {
  readonly as4: boolean;
  readonly asn: number;
  readonly extendedMessage: boolean;
  /** afiSafiKey -> 1 receive, 2 send, 3 both. */
  readonly addPath: ReadonlyMap<number, number>;
}

const MODE = { receive: 1, send: 2, both: 3 } as const;

function side(open: OpenMessage): Side {
  const caps: Capability[] = capabilitiesOf(open);
  const addPath = new Map<number, number>();
  let as4: number | null = null;
  let extendedMessage = false;
  for (const c of caps) {
    if (c.kind === 'fourOctetAs') as4 = c.asn;
    else if (c.kind === 'extendedMessage') extendedMessage = true;
    else if (c.kind === 'addPath') for (const f of c.families) addPath.set(afiSafiKey(f.afi, f.safi), MODE[f.mode]);
  }
  return { as4: as4 !== null, asn: as4 ?? open.myAs, extendedMessage, addPath };
}

/** Every object below `v` holding `key` is reported through `cb`. */
function walk(v: unknown, cb: (o: JsonObject, k: string) => void): void {
  if (Array.isArray(v)) for (const x of v) walk(x, cb);
  else if (isObject(v)) {
    for (const [k, x] of Object.entries(v)) {
      if (!k.endsWith('_raw')) {
        cb(v, k);
        walk(x, cb);
      }
    }
  }
}

/** What tshark's decoding of the messages of one direction implies, for captures without OPEN. */
function fromTshark(msgs: readonly TsharkMessage[]): CodecCtx {
  let as4: boolean | null = null;
  const addPath = new Set<number>();
  for (const m of msgs) {
    walk(m.tree, (o, k) => {
      if (k === 'bgp.update.path_attribute.type_code' && field(o, k) === '2') {
        const seg = JSON.stringify(field(o, 'bgp.update.path_attribute.as_path_segment') ?? '');
        if (seg.includes('as_path_segment.as4"')) as4 = true;
        else if (seg.includes('as_path_segment.as2"')) as4 ??= false;
      }
      if (k === 'bgp.nlri_path_id') {
        // tshark shows path ids on IPv4 NLRI/withdrawn and on MP_REACH/MP_UNREACH prefixes
        // alike; the prefix field name says the family.
        if (field(o, 'bgp.mp_reach_nlri_ipv6_prefix') !== undefined || field(o, 'bgp.mp_unreach_nlri_ipv6_prefix') !== undefined) addPath.add(afiSafiKey(2, 1));
        else addPath.add(afiSafiKey(1, 1));
      }
    });
  }
  return makeCtx({ as4: as4 ?? true, addPath, extendedMessage: true });
}

/** The receive context for the messages of each direction ("stream:src:port") of a capture. */
export function contextsOf(msgs: readonly TsharkMessage[]): Map<string, CodecCtx> {
  const sides = new Map<string, Side>();
  for (const m of msgs) {
    if (m.tree['bgp.type'] !== '1') continue;
    const r = decodeMessage(m.raw, DEFAULT_CTX);
    if (r.ok && r.message.type === 'open') sides.set(m.direction, side(r.message.open));
  }
  const byDirection = new Map<string, TsharkMessage[]>();
  for (const m of msgs) {
    const list = byDirection.get(m.direction);
    if (list === undefined) byDirection.set(m.direction, [m]);
    else list.push(m);
  }
  const out = new Map<string, CodecCtx>();
  for (const [dir, list] of byDirection) {
    const me = sides.get(dir);
    const stream = dir.split(':')[0];
    const peerDir = [...byDirection.keys(), ...sides.keys()].find((d) => d !== dir && d.split(':')[0] === stream);
    const peer = peerDir === undefined ? undefined : sides.get(peerDir);
    if (me === undefined) {
      out.set(dir, fromTshark(list));
      continue;
    }
    const addPath = new Set<number>();
    for (const [k, mode] of me.addPath) {
      const peerMode = peer?.addPath.get(k);
      // RFC 7911 §4: the sender sends path ids when it said "send" and the receiver "receive".
      if ((mode & MODE.send) !== 0 && (peer === undefined || (peerMode !== undefined && (peerMode & MODE.receive) !== 0))) addPath.add(k);
    }
    out.set(
      dir,
      makeCtx({
        as4: me.as4 && (peer === undefined || peer.as4),
        addPath,
        extendedMessage: me.extendedMessage && (peer === undefined || peer.extendedMessage),
        external: peer !== undefined && peer.asn !== me.asn,
      }),
    );
  }
  return out;
}
