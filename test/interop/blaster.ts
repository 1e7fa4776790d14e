/**
 * Child process of stall.test.ts: a raw BGP speaker that pushes a full table at meshrr as
 * fast as TCP allows. Before connecting it builds every UPDATE with the codec: PREFIXES
 * distinct IPv4 /24s (1.0.0.0/24 upwards), spread round-robin over SETS attribute sets
 * (ORIGIN, a 4-octet AS_PATH, NEXT_HOP, LOCAL_PREF and COMMUNITIES differing per set), each
 * UPDATE packed with as many /24s of one set as fit in 4096 octets. Then it opens the
 * session (OPEN with hold time 0: no KEEPALIVEs needed while it writes), writes everything
 * with back-pressure (waits for 'drain' whenever write() returns false) and stays connected
 * until killed (SIGTERM) or its stdin closes (the parent is gone).
 *
 * Protocol with the parent, one JSON object per stdout line:
 *   {"built":{"messages":M,"prefixes":P,"bytes":B}}   after building
 *   {"sent":{"messages":M,"ms":T}}                    after the last write was flushed
 *
 * Usage: node --import tsx test/interop/blaster.ts HOST PORT LOCAL_ADDRESS BGP_ID PREFIXES SETS [PER_UPDATE]
 * (PER_UPDATE: most /24s per UPDATE; default as many as fit, 1 = one per UPDATE as GoBGP does)
 */
import { once } from 'node:events';
import type { PathAttribute } from '../../src/wire/attribute-types.js';
import { MAX_MESSAGE_LENGTH } from '../../src/wire/iana.js';
import { encodeKeepalive } from '../../src/wire/keepalive.js';
import { encodeUpdateInto, makeUpdate, updateLength } from '../../src/wire/update.js';
import { makeCtx } from '../../src/wire/context.js';
import { RawPeer, rawOpen } from './helpers-raw.js';

const [host = '', portText = '', localAddress = '', idText = '', prefixText = '1000000', setText = '300', perText = '0'] = process.argv.slice(2);
const PREFIXES = Number(prefixText);
const SETS = Number(setText);
/** Most /24s per UPDATE; 0: as many as fit in 4096 octets. */
const PER_UPDATE = Number(perText);
const CTX = makeCtx({ as4: true });
const CHUNK = 256 * 1024;

function attributeSet(k: number): PathAttribute[] {
  return [
    { kind: 'origin', code: 1, flags: 0x40, value: 0 },
    { kind: 'asPath', code: 2, flags: 0x40, value: [{ type: 2, asns: [64512 + (k % 100), 4200000000 + k] }] },
    { kind: 'nextHop', code: 3, flags: 0x40, value: 0xc6120002 },
    { kind: 'localPref', code: 5, flags: 0x40, value: 100 + k },
    { kind: 'communities', code: 8, flags: 0xc0, value: [((65000 << 16) | k) >>> 0] },
  ];
}

/** Every UPDATE, concatenated into chunks of about CHUNK octets. */
function build(): { chunks: Buffer[]; messages: number; bytes: number } {
  const chunks: Buffer[] = [];
  let chunk = Buffer.allocUnsafe(CHUNK + MAX_MESSAGE_LENGTH);
  let at = 0;
  let messages = 0;
  let bytes = 0;
  for (let k = 0; k < SETS; k++) {
    const attributes = attributeSet(k);
    const empty = makeUpdate({ attributes });
    const fit = Math.floor((MAX_MESSAGE_LENGTH - updateLength(empty, CTX)) / 4);
    const room = PER_UPDATE > 0 ? Math.min(PER_UPDATE, fit) : fit;
    for (let first = k; first < PREFIXES; first += room * SETS) {
      const nlri: number[] = [];
      for (let i = first; i < PREFIXES && nlri.length < room * 4; i += SETS) nlri.push(24, 1 + (i >> 16), (i >> 8) & 255, i & 255);
      const u = makeUpdate({ attributes, nlri: { afi: 1, safi: 1, addPath: false, bytes: Buffer.from(nlri) } });
      const end = encodeUpdateInto(u, chunk, at, CTX);
      bytes += end - at;
      at = end;
      messages++;
      if (at >= CHUNK) {
        chunks.push(chunk.subarray(0, at));
        chunk = Buffer.allocUnsafe(CHUNK + MAX_MESSAGE_LENGTH);
        at = 0;
      }
    }
  }
  if (at > 0) chunks.push(chunk.subarray(0, at));
  return { chunks, messages, bytes };
}

const out = (o: unknown): void => {
  process.stdout.write(`${JSON.stringify(o)}\n`);
};

const { chunks, messages, bytes } = build();
out({ built: { messages, prefixes: PREFIXES, bytes } });
const peer = await RawPeer.connect({ host, port: Number(portText), localAddress });
peer.send(rawOpen(Number(idText), { holdTime: 0 }));
await peer.next('OPEN', 30_000);
await peer.next('KEEPALIVE', 30_000);
peer.send(encodeKeepalive());
const t0 = performance.now();
for (const c of chunks) {
  if (!peer.socket.write(c)) await once(peer.socket, 'drain');
}
// 'drain' after the last write: everything is in the kernel.
if (peer.socket.writableLength > 0) await once(peer.socket, 'drain');
out({ sent: { messages, ms: Math.round(performance.now() - t0) } });
const quit = (): void => {
  peer.destroy();
  process.exit(0);
};
process.on('SIGTERM', quit);
// The parent holds our stdin: when it goes away, so do we.
process.stdin.on('close', quit);
process.stdin.resume();
