/**
 * `meshrr show` as text: the status API's JSON views laid out the way network engineers
 * read them on routers, FRR's `show bgp summary`, `show bgp neighbors` and
 * `show bgp ipv4 unicast [PREFIX]` (column widths as FRR prints them, so habits and
 * scripts carry over). Pure functions of the views and a clock, so layouts are snapshot
 * tested (test/cli/show-text.test.ts).
 */
import type { DecisionRule } from '../rib/best-path.js';
import { DOWN_REASON_TEXT, type DownReason } from '../session/fsm-types.js';
import type { DiscoveryView } from './discovery-view.js';
import type { ConfigView } from './server.js';
import type { NeighborView, PathView, RoutesView, SummaryView } from './views.js';

/** FRR's peer_uptime(): hh:mm:ss below a day, 1d02h03m below a week, 01w2d03h above. */
export function upDown(ms: number | null): string {
  if (ms === null) return 'never';
  let s = Math.floor(ms / 1000);
  const w = Math.floor(s / 604800);
  s -= w * 604800;
  const d = Math.floor(s / 86400);
  s -= d * 86400;
  const h = Math.floor(s / 3600);
  s -= h * 3600;
  const m = Math.floor(s / 60);
  s -= m * 60;
  const p = (n: number): string => String(n).padStart(2, '0');
  if (w === 0 && d === 0) return `${p(h)}:${p(m)}:${p(s)}`;
  if (w === 0) return `${d}d${p(h)}h${p(m)}m`;
  return `${p(w)}w${d}d${p(h)}h`;
}

const FAMILY_TITLE: Readonly<Record<string, string>> = {
  'ipv4-unicast': 'IPv4 Unicast',
  'ipv6-unicast': 'IPv6 Unicast',
  'l2vpn-evpn': 'L2VPN EVPN',
  'ipv4-vpn': 'IPv4 VPN',
  'ipv6-vpn': 'IPv6 VPN',
  'ipv4-flowspec': 'IPv4 Flowspec',
  'ipv6-flowspec': 'IPv6 Flowspec',
  'ipv4-labeled-unicast': 'IPv4 Labeled Unicast',
  'ipv6-labeled-unicast': 'IPv6 Labeled Unicast',
};

const familyTitle = (f: string): string => FAMILY_TITLE[f] ?? f;

function total(c: NeighborView['messagesReceived']): number {
  return c.open + c.update + c.notification + c.keepalive + c.routeRefresh;
}

/** The families a neighbour row belongs to: negotiated or holding routes, else its address family. */
function rowFamilies(n: NeighborView): string[] {
  const f = Object.keys(n.prefixes);
  if (f.length > 0) return f;
  return [n.remoteAddress.includes(':') ? 'ipv6-unicast' : 'ipv4-unicast'];
}

const MIB = 1024 * 1024;

/** `show bgp summary`: one block per family, FRR's columns. */
export function renderSummary(s: SummaryView): string {
  const out: string[] = [];
  const families = [...new Set([...s.families.filter((f) => f.prefixes > 0).map((f) => f.family), ...s.neighbors.flatMap(rowFamilies)])].sort();
  if (families.length === 0) families.push('ipv4-unicast');
  const width = Math.max(16, ...s.neighbors.map((n) => n.name.length + 1));
  for (const fam of families) {
    const rows = s.neighbors.filter((n) => rowFamilies(n).includes(fam));
    const rib = s.families.find((f) => f.family === fam);
    if (out.length > 0) out.push('');
    out.push(`${familyTitle(fam)} Summary:`);
    out.push(`BGP router identifier ${s.routerId}, local AS number ${s.asn}, cluster IDs ${s.clusterIds.join(' ')}`);
    out.push(`RIB entries ${rib?.prefixes ?? 0}, paths ${rib?.paths ?? 0}, attribute sets ${s.attributeSets}, update groups ${s.updateGroups}`);
    out.push(`Peers ${rows.length}, using ${Math.round(s.memory.rssBytes / MIB)} MiB of memory (RSS), up ${upDown(s.uptimeSeconds * 1000)}`);
    out.push('');
    out.push(`${'Neighbor'.padEnd(width)}V         AS   MsgRcvd   MsgSent   TblVer  InQ OutQ  Up/Down State/PfxRcd   PfxSnt Desc`);
    for (const n of rows) {
      const up = n.state === 'Established' ? n.uptimeMs : n.establishedTransitions === 0 ? null : n.downForMs;
      const c = n.prefixes[fam];
      const statePfx = n.state === 'Established' ? String(c?.accepted ?? 0) : n.state;
      const desc = n.description ?? n.negotiated?.peerHostname ?? 'N/A';
      out.push(
        n.name.padEnd(width) +
          '4' +
          String(n.remoteAs ?? '?').padStart(11) +
          String(total(n.messagesReceived)).padStart(10) +
          String(total(n.messagesSent)).padStart(10) +
          '0'.padStart(9) +
          '0'.padStart(5) +
          '0'.padStart(5) +
          upDown(up).padStart(9) +
          statePfx.padStart(13) +
          (n.state === 'Established' ? String(c?.advertised ?? 0) : '0').padStart(9) +
          ` ${desc}`,
      );
    }
    out.push('');
    out.push(`Total number of neighbors ${rows.length}`);
  }
  return `${out.join('\n')}\n`;
}

const yesNo = (b: boolean): string => (b ? 'negotiated' : 'not negotiated');

/** `show bgp neighbors [ADDR]`: FRR's block per neighbour, shortened to what meshrr knows. */
export function renderNeighbors(list: readonly NeighborView[], localAs: number, routerId: string): string {
  const out: string[] = [];
  for (const n of list) {
    if (out.length > 0) out.push('');
    const remoteAs = n.remoteAs ?? '?';
    out.push(`BGP neighbor is ${n.name}, remote AS ${remoteAs}, local AS ${localAs}, ${remoteAs === localAs ? 'internal' : 'external'} link`);
    if (n.description !== null) out.push(` Description: ${n.description}`);
    const found = n.foundBy === 'listenRange' ? 'listen range' : n.foundBy === 'discovery' ? 'DNS discovery' : n.foundBy;
    out.push(`  Group ${n.group} (${n.role ?? 'unknown role'}), found by ${found}`);
    out.push(`  BGP version 4, remote router ID ${n.negotiated?.peerBgpId ?? '0.0.0.0'}, local router ID ${routerId}`);
    if (n.state === 'Established') out.push(`  BGP state = Established, up for ${upDown(n.uptimeMs)}`);
    else out.push(`  BGP state = ${n.state}, ${n.establishedTransitions === 0 ? 'never established' : `down for ${upDown(n.downForMs)}`}`);
    const neg = n.negotiated;
    if (neg !== null) {
      out.push(`  Hold time is ${neg.holdTime}${n.configuredHoldTime !== null ? ` (configured ${n.configuredHoldTime})` : ''}, keepalive interval is ${neg.keepaliveTime} seconds`);
    } else if (n.configuredHoldTime !== null) out.push(`  Configured hold time is ${n.configuredHoldTime} seconds`);
    out.push(`  Local host: ${n.localAddress ?? 'none'}, remote host: ${n.remoteAddress}`);
    if (neg !== null) {
      out.push('  Neighbor capabilities:');
      out.push(`    4 Byte AS: ${yesNo(neg.fourOctetAs)}`);
      out.push(`    Route refresh: ${yesNo(neg.routeRefresh)}; enhanced route refresh: ${yesNo(neg.enhancedRouteRefresh)}`);
      out.push(`    Graceful restart: ${neg.gracefulRestart === null ? 'not negotiated' : `restart time ${neg.gracefulRestart.restartTime} s${neg.gracefulRestart.notification ? ', N bit' : ''}`}`);
      out.push(`    Extended message: ${yesNo(neg.extendedMessage)}`);
      out.push(`    Add-path: send ${neg.addPathSend.join(', ') || 'none'}; receive ${neg.addPathReceive.join(', ') || 'none'}`);
      out.push(`    Address families: ${neg.families.join(', ')}`);
      out.push(`    Peer capability codes: ${neg.peerCapabilityCodes.join(' ')}`);
      if (neg.peerHostname !== null) out.push(`    Hostname: ${neg.peerHostname}`);
    }
    out.push('  Message statistics:');
    out.push(`    ${''.padEnd(20)}${'Sent'.padStart(10)}${'Rcvd'.padStart(10)}`);
    const r = n.messagesReceived;
    const t = n.messagesSent;
    for (const [label, a, b] of [
      ['Opens:', t.open, r.open],
      ['Notifications:', t.notification, r.notification],
      ['Updates:', t.update, r.update],
      ['Keepalives:', t.keepalive, r.keepalive],
      ['Route Refresh:', t.routeRefresh, r.routeRefresh],
      ['Total:', total(t), total(r)],
    ] as const) {
      out.push(`    ${label.padEnd(20)}${String(a).padStart(10)}${String(b).padStart(10)}`);
    }
    out.push(`  Prefixes:${''.padEnd(15)}${'Received'.padStart(10)}${'Accepted'.padStart(10)}${'Advertised'.padStart(11)}`);
    for (const [fam, c] of Object.entries(n.prefixes)) {
      out.push(`    ${fam.padEnd(20)}${String(c.received).padStart(10)}${String(c.accepted).padStart(10)}${String(c.advertised).padStart(11)}`);
    }
    out.push(`  Connections established ${n.establishedTransitions}; dropped ${n.droppedTransitions}`);
    const reset = n.lastDownReason === null ? 'never' : (DOWN_REASON_TEXT[n.lastDownReason as DownReason] ?? n.lastDownReason);
    out.push(`  Last reset: ${reset}`);
    out.push(`  Last notification sent: ${n.lastNotificationSent?.text ?? 'none'}`);
    out.push(`  Last notification received: ${n.lastNotificationReceived?.text ?? 'none'}`);
    out.push(`  RFC 7606 errors: ${n.updateErrors.treatAsWithdraw} treat-as-withdraw, ${n.updateErrors.attributeDiscard} attribute discard`);
  }
  return `${out.join('\n')}\n`;
}

const ORIGIN_CODE: Readonly<Record<string, string>> = { IGP: 'i', EGP: 'e', INCOMPLETE: '?' };

/** FRR's words for the decision step (bgp_path_selection_reason2str). */
export const REASON_TEXT: Readonly<Record<DecisionRule, string>> = {
  onlyPath: 'Only path',
  localPref: 'Local Pref',
  asPathLength: 'AS Path',
  origin: 'Origin',
  med: 'MED',
  ebgpOverIbgp: 'Peer Type',
  routerId: 'Router ID',
  clusterListLength: 'Cluster length',
  peerAddress: 'Neighbor IP',
  pathId: 'Path ID',
};

function statusCodes(p: PathView): string {
  return `*${p.best ? '>' : ' '}${p.external ? ' ' : 'i'}`;
}

/** `show bgp ipv4 unicast`: the table, or the detail of each path when one prefix was asked for. */
export function renderRoutes(v: RoutesView, routerId: string, localAs: number): string {
  if (v.query !== null && v.routes.length > 0 && v.view === 'rib') return renderRouteDetail(v);
  const out: string[] = [];
  const what = v.view === 'advertised' ? `advertised to ${v.peer ?? ''}` : v.view === 'received' ? `received from ${v.peer ?? ''}` : 'Loc-RIB';
  out.push(`BGP table (${what}), local router ID is ${routerId}, local AS ${localAs}`);
  out.push('Default local pref 100');
  out.push('Status codes:  * valid, > best, i internal');
  out.push('Origin codes:  i - IGP, e - EGP, ? - incomplete');
  out.push('');
  out.push('   Network          Next Hop            Metric LocPrf Weight Path');
  let paths = 0;
  for (const r of v.routes) {
    r.paths.forEach((p, i) => {
      paths++;
      const a = p.attributes;
      let line = statusCodes(p);
      const net = i === 0 ? r.prefix : '';
      line += net.length > 16 ? `${net}\n${''.padEnd(20)}` : net.padEnd(17);
      line += a.nextHop.length > 16 ? `${a.nextHop}\n${''.padEnd(36)}` : a.nextHop.padEnd(16);
      line += (a.med === null ? '' : String(a.med)).padStart(10);
      line += (a.localPref === null ? '' : String(a.localPref)).padStart(7);
      line += '0'.padStart(7);
      line += ` ${a.asPath === '' ? '' : `${a.asPath} `}${ORIGIN_CODE[a.origin ?? ''] ?? '?'}`;
      out.push(line);
    });
  }
  out.push('');
  out.push(`Displayed  ${v.routes.length} routes and ${paths} total paths`);
  return `${out.join('\n')}\n`;
}

function renderRouteDetail(v: RoutesView): string {
  const out: string[] = [];
  for (const r of v.routes) {
    if (out.length > 0) out.push('');
    out.push(`BGP routing table entry for ${r.prefix}`);
    out.push(`Paths: (${r.paths.length} available, best #1)`);
    for (const p of r.paths) {
      const a = p.attributes;
      out.push(`  ${a.asPath === '' ? 'Local' : a.asPath}`);
      out.push(`    ${a.nextHop} from ${p.peer} (${p.peerRouterId ?? '0.0.0.0'})${p.pathId !== 0 ? ` path-id ${p.pathId}` : ''}`);
      const parts = [`Origin ${a.origin ?? 'INCOMPLETE'}`];
      if (a.med !== null) parts.push(`metric ${a.med}`);
      parts.push(`localpref ${a.localPref ?? 100}`, 'valid', p.external ? 'external' : 'internal');
      parts.push(p.best ? `best (${REASON_TEXT[p.reason]})` : `not best (lost on ${REASON_TEXT[p.reason]})`);
      out.push(`      ${parts.join(', ')}`);
      if (a.communities.length > 0) out.push(`      Community: ${a.communities.join(' ')}`);
      if (a.largeCommunities.length > 0) out.push(`      Large Community: ${a.largeCommunities.join(' ')}`);
      if (a.extendedCommunities.length > 0) out.push(`      Extended Community: ${a.extendedCommunities.join(' ')}`);
      if (a.originatorId !== null || a.clusterList.length > 0) {
        out.push(`      Originator: ${a.originatorId ?? 'none'}, Cluster list: ${a.clusterList.join(' ') || 'none'}`);
      }
      if (a.aggregator !== null) out.push(`      Aggregator: AS ${a.aggregator.asn} ${a.aggregator.address}${a.atomicAggregate ? ', atomic-aggregate' : ''}`);
      for (const o of a.other) out.push(`      Attribute ${o.code} flags 0x${o.flags.toString(16)}: ${o.hex}`);
    }
  }
  return `${out.join('\n')}\n`;
}

export function renderDiscovery(d: DiscoveryView): string {
  const out: string[] = [];
  out.push(`DNS lookups ${d.lookups}, failed ${d.failures}, last ${d.lastLookupAt ?? 'never'}`);
  out.push('');
  out.push(`${'Hostname'.padEnd(40)} ${'Result'.padEnd(9)} ${'ms'.padStart(7)}  Addresses`);
  for (const a of d.answers) {
    out.push(`${a.hostname.padEnd(40)} ${a.result.padEnd(9)} ${String(a.ms).padStart(7)}  ${a.error ?? a.addresses.join(' ')}`);
  }
  out.push('');
  out.push('Peers applied:');
  for (const [g, peers] of Object.entries(d.peers)) out.push(`  ${g}: ${peers.join(' ') || 'none'}`);
  if (Object.keys(d.peers).length === 0) out.push('  none yet');
  const ranges = Object.entries(d.listenRanges);
  if (ranges.length > 0) {
    out.push('Listen ranges:');
    for (const [g, r] of ranges) out.push(`  ${g}: ${r.join(' ') || 'none'}`);
  }
  const run = d.lastRun ?? null;
  if (run !== null) {
    out.push('', `Last run ${run.at}${run.error !== null ? `: DNS failed, everything kept (${run.error})` : ''}`);
    for (const g of run.groups) {
      out.push(`  ${g.group} (${g.hostname}, DNS ${g.dns}${g.answer.length > 0 ? `: ${g.answer.join(' ')}` : ''})`);
      for (const dec of g.decisions) out.push(`    ${dec.action.padEnd(8)} ${dec.address.padEnd(39)} ${dec.reason}`);
    }
  }
  return `${out.join('\n')}\n`;
}

export function renderConfig(c: ConfigView): string {
  const head = [`# source: ${c.source}`];
  if (c.template !== null) head.push(`# template: ${c.template}`);
  head.push(`# applied: ${c.appliedAt ?? 'not yet'}`);
  return `${head.join('\n')}\n${c.text.endsWith('\n') ? c.text : `${c.text}\n`}`;
}
