/**
 * meshrr's side of the interop tests: a Speaker in the test process with no-op hooks (there
 * is no RIB here: UPDATEs are only decoded and classified), its pino output captured as
 * parsed JSON lines so tests can assert log events, and the session configs the tests use
 * (short timers, every capability meshrr has switched on).
 */
import { writeFile } from 'node:fs/promises';
import { Writable } from 'node:stream';
import { pino } from 'pino';
import { Speaker, type ListenAddress, type NeighborSpec } from '../../src/session/speaker.js';
import {
  DEFAULT_CAPABILITIES,
  DEFAULT_TIMERS,
  defaultPeerConfig,
  IPV4_UNICAST,
  IPV6_UNICAST,
  type PeerSessionConfig,
} from '../../src/session/peer-config.js';
import type { Peer, PeerHooks } from '../../src/session/peer.js';

/** meshrr's AS: every daemon is an iBGP route-reflector client. */
export const MESHRR_AS = 65000;
/** meshrr's BGP identifier 10.255.0.1. */
export const MESHRR_ID = 0x0aff0001;

export interface LogLine {
  readonly level: number;
  readonly msg: string;
  readonly [key: string]: unknown;
}

export interface Meshrr {
  readonly speaker: Speaker;
  /** Every log line so far, parsed. */
  readonly logs: LogLine[];
  readonly port: number;
  /** Add a configured neighbour (group `interop`, origin static). */
  neighbor(address: string, config: PeerSessionConfig, opts?: { port?: number; localAddress?: string }): Peer;
  peer(address: string): Peer;
  shutdown(): Promise<void>;
  /** Write the captured log to `file` (kept with the daemons' logs after a failure). */
  saveLog(file: string): Promise<void>;
}

const noHooks: PeerHooks = {
  onEstablished: () => undefined,
  onDown: () => undefined,
  onUpdate: () => undefined,
  onRouteRefresh: () => undefined,
  onDrain: () => undefined,
  onIdle: () => undefined,
};

/**
 * Start a Speaker listening on `listen` (all on `port`). LOG_LEVEL (default `info`) sets
 * what is captured; with MESHRR_LOG_STDERR set, lines are echoed to stderr as well.
 */
export async function startMeshrr(opts: {
  listen: readonly string[];
  port: number;
  maxDynamicPeers?: number;
  hooks?: Partial<PeerHooks>;
}): Promise<Meshrr> {
  const logs: LogLine[] = [];
  const echo = process.env['MESHRR_LOG_STDERR'] !== undefined;
  const sink = new Writable({
    write(chunk: Buffer, _enc, done) {
      for (const line of chunk.toString('utf8').split('\n')) {
        if (line === '') continue;
        if (echo) process.stderr.write(`${line}\n`);
        try {
          logs.push(JSON.parse(line) as LogLine);
        } catch {
          // pino writes whole JSON lines; anything else is not ours
        }
      }
      done();
    },
  });
  const log = pino({ level: process.env['LOG_LEVEL'] ?? 'info' }, sink);
  const listen: ListenAddress[] = opts.listen.map((address) => ({ address, port: opts.port }));
  const speaker = new Speaker({
    local: { localAs: MESHRR_AS, bgpId: MESHRR_ID, hostname: 'meshrr-interop', domain: '' },
    listen,
    maxDynamicPeers: opts.maxDynamicPeers ?? 16,
    log,
    hooks: { ...noHooks, ...opts.hooks },
  });
  await speaker.listen();
  let down = false;
  return {
    speaker,
    logs,
    port: opts.port,
    neighbor(address, config, o = {}) {
      const spec: NeighborSpec = {
        address,
        port: o.port ?? 179,
        group: 'interop',
        origin: 'static',
        config,
        ...(o.localAddress !== undefined ? { localAddress: o.localAddress } : {}),
      };
      return speaker.addNeighbor(spec);
    },
    peer(address) {
      const p = speaker.getPeer(address);
      if (p === undefined) throw new Error(`meshrr has no peer ${address}`);
      return p;
    },
    async saveLog(file) {
      await writeFile(file, logs.map((l) => JSON.stringify(l)).join('\n') + '\n');
    },
    async shutdown() {
      if (down) return;
      down = true;
      await speaker.shutdown('interop test over');
    },
  };
}

/**
 * The session config the interop tests give meshrr: iBGP, IPv4 + IPv6 unicast, route
 * refresh, enhanced route refresh, 4-octet AS, extended message, graceful restart (N bit,
 * F bit for both families; unless switched off), ADD-PATH send/receive for both families;
 * connect retry 1 s and
 * a short idle hold so that a reset session comes back within seconds.
 */
export function interopConfig(opts: { passive: boolean; holdTime: number; gracefulRestart?: boolean }): PeerSessionConfig {
  const base = defaultPeerConfig({ kind: 'exact', asn: MESHRR_AS });
  return {
    ...base,
    passive: opts.passive,
    timers: { ...DEFAULT_TIMERS, holdTime: opts.holdTime, connectRetryTime: 1, idleHoldTime: 0, maxIdleHoldTime: 2 },
    families: [IPV4_UNICAST, IPV6_UNICAST],
    capabilities: {
      ...DEFAULT_CAPABILITIES,
      extendedMessage: true,
      gracefulRestart: opts.gracefulRestart === false ? null : {
        restartTime: 120,
        notification: true,
        families: [
          { ...IPV4_UNICAST, forwardingPreserved: true },
          { ...IPV6_UNICAST, forwardingPreserved: true },
        ],
      },
      addPath: [
        { ...IPV4_UNICAST, mode: 'both' },
        { ...IPV6_UNICAST, mode: 'both' },
      ],
    },
  };
}

/** Log lines with this `msg`, optionally filtered. */
export function logEvents(logs: readonly LogLine[], msg: string, where: (l: LogLine) => boolean = () => true): LogLine[] {
  return logs.filter((l) => l.msg === msg && where(l));
}
