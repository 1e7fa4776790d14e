/**
 * Bench entry that runs meshrr's RouteReflector from a RouterConfig built here, for when the
 * `meshrr rr --config FILE` command is not available (fanout.ts prefers the command):
 *   node meshrr-rr.js --address=127.0.0.1 --port=1790 --asn=64496 --range=127.0.0.0/8
 * One client group, listen range, IPv4 unicast, graceful restart off (a fresh process would
 * otherwise be a restarting speaker, RFC 4724 §4.1), log level warn. SIGTERM stops it.
 */
import process from 'node:process';
import { pino } from 'pino';
import { RouteReflector } from '../src/rr/route-reflector.js';
import type { GroupConfig, RouterConfig } from '../src/config/router-config-types.js';
import { ipv4Number } from './bgp-client.js';
import { compilePolicies } from '../src/policy/compile.js';

function arg(name: string, fallback: string): string {
  const p = `--${name}=`;
  return process.argv.find((a) => a.startsWith(p))?.slice(p.length) ?? fallback;
}

const routerIdText = arg('router-id', '192.0.2.1');
const routerId = ipv4Number(routerIdText);
const group: GroupConfig = {
  name: 'clients',
  role: 'client',
  clusterId: routerId,
  clientToClient: true,
  routeServer: false,
  peerAs: { kind: 'internal' },
  passive: true,
  families: ['ipv4-unicast'],
  holdTime: 240,
  keepaliveTime: null,
  connectRetryTime: 30,
  multihopTtl: null,
  listenRanges: [arg('range', '127.0.0.0/8')],
  maxDynamicPeers: null,
  neighbors: [],
  maxPrefix: null,
  addPathSend: 0,
  addPathReceive: false,
  importPolicy: null,
  exportPolicy: null,
  extra: {},
};
const config: RouterConfig = {
  routerId,
  routerIdText,
  asn: Number(arg('asn', '64496')),
  hostname: 'bench-rr',
  listen: [{ address: arg('address', '127.0.0.1'), port: Number(arg('port', '1790')) }],
  maxDynamicPeers: 100000,
  alwaysCompareMed: false,
  deterministicMed: true,
  gracefulRestart: { enabled: false, restartTime: 120, staleRoutesTime: 360, notification: true },
  groups: [group],
  policies: {},
  policySet: compilePolicies({}, 'bench', { localAs: 64496, groups: [group.name] }),
};

const log = pino({ level: arg('log-level', 'warn') });
const rr = new RouteReflector({ config, log });
await rr.start();
let stopping = false;
const stop = (): void => {
  if (stopping) return;
  stopping = true;
  const t = setTimeout(() => process.exit(0), 3000);
  void rr.stop('bench done').then(() => {
    clearTimeout(t);
    process.exit(0);
  });
};
process.once('SIGTERM', stop);
process.once('SIGINT', stop);
