/**
 * Text an engineer reads from `meshrr demo`: (a) the mesh, one `show bgp summary`-like
 * block per route reflector; (b) each router's received routes with NEXT_HOP,
 * ORIGINATOR_ID, CLUSTER_LIST and communities; (c) a short "what happened" note built from
 * the actual paths; and the one-line heartbeat printed when something changes.
 *
 * Owns: wording and layout. Must not: read live objects (it formats DemoSnapshots only).
 */
import type { DemoSnapshot, ReflectorView, RouterView, SessionRow, StopReport } from './mesh.js';
import type { RouterPath } from './router.js';
import { COMMUNITY_LOW_PREF_UPSTREAM, COMMUNITY_REGION_ONLY, nodeName, originOf } from './topology.js';

/** hh:mm:ss, like the Up/Down column of `show bgp summary`. */
export function duration(ms: number): string {
  const s = Math.floor(ms / 1000);
  const pad = (n: number): string => String(n).padStart(2, '0');
  return `${pad(Math.floor(s / 3600))}:${pad(Math.floor(s / 60) % 60)}:${pad(s % 60)}`;
}

/** Left-aligned columns, two spaces apart; numeric columns (given by index) right-aligned. */
function table(rows: readonly (readonly string[])[], right: readonly number[] = [], indent = '  '): string {
  const widths: number[] = [];
  for (const r of rows) r.forEach((c, i) => (widths[i] = Math.max(widths[i] ?? 0, c.length)));
  return rows
    .map((r) => indent + r.map((c, i) => (i === r.length - 1 && !right.includes(i) ? c : right.includes(i) ? c.padStart(widths[i] ?? 0) : c.padEnd(widths[i] ?? 0))).join('  '))
    .join('\n');
}

function sessionCells(s: SessionRow): string[] {
  const upDown = s.state === 'Established' && s.uptimeMs !== null ? duration(s.uptimeMs) : s.lastDownReason ?? 'never';
  return [s.peer, s.peerName, s.group, s.role, s.state, upDown, String(s.updatesReceived), String(s.updatesSent)];
}

function reflectorBlock(r: ReflectorView): string {
  const where = r.tier === 'core' ? 'core' : `region ${r.region ?? ''}`;
  const head = `${r.name}  ${r.address}  ${where}, cluster ${r.clusterId}, Loc-RIB ${r.locRib.prefixes} prefixes / ${r.locRib.paths} paths`;
  const rows = [['Neighbor', 'Name', 'Group', 'Role', 'State', 'Up/Down', 'UpdRcvd', 'UpdSent'], ...r.sessions.map(sessionCells)];
  return `${head}\n${table(rows, [6, 7])}`;
}

function pathCells(p: RouterPath): string[] {
  return [
    p.best ? '*>' : '* ',
    p.prefix,
    p.nextHop,
    nodeName(p.from),
    p.originatorId ?? '-',
    String(p.clusterList.length),
    p.clusterList.length === 0 ? '-' : p.clusterList.join(' '),
    String(p.localPref ?? '-'),
    p.communities.length === 0 ? '-' : p.communities.join(' '),
  ];
}

function routerBlock(r: RouterView): string {
  const own = r.announces.map((a) => `${a.prefix}${a.communities.length > 0 ? ` [${a.communities.join(' ')}]` : ''}`).join(', ');
  const nh = [...new Set(r.announces.map((a) => a.nextHop))].join(', ');
  const head = `${r.name}  ${r.address}  announces ${own} (next hop ${nh})`;
  const rows = [['  ', 'Prefix', 'Next hop', 'From', 'ORIGINATOR_ID', 'Len', 'CLUSTER_LIST (newest first)', 'LocPrf', 'Communities'], ...r.paths.map(pathCells)];
  const loops = r.loopsDropped > 0 ? `\n  (${r.loopsDropped} route(s) carrying our own ORIGINATOR_ID dropped, RFC 4456 §8)` : '';
  return `${head}\n${table(rows, [5, 7])}${loops}`;
}

/** Wraps `text` at `width` columns; continuation lines get `indent`. */
function wrap(text: string, first: string, indent: string, width = 100): string {
  const lines: string[] = [];
  let line = first;
  for (const word of text.split(' ')) {
    const sep = line === first || line === indent ? '' : ' ';
    if (line.length + sep.length + word.length > width && line !== first && line !== indent) {
      lines.push(line);
      line = indent + word;
    } else {
      line += sep + word;
    }
  }
  lines.push(line);
  return lines.join('\n');
}

/** The "what happened" note, told along one real inter-region path of the snapshot. */
export function whatHappened(s: DemoSnapshot): string {
  const items: string[] = [];
  const [first, ...rest] = s.routers;
  const far = rest.find((r) => first !== undefined && r.region !== first.region);
  const example = far === undefined ? undefined : first?.paths.find((p) => p.best && originOf(p.prefix)?.name === far.name);
  const near = first === undefined ? undefined : rest.find((r) => r.region === first.region);
  const local = near === undefined ? undefined : first?.paths.find((p) => p.best && originOf(p.prefix)?.name === near.name);
  if (first !== undefined && far !== undefined && example !== undefined && example.clusterList.length === 3) {
    const [atRegional, atCore, atOrigin] = example.clusterList.map((c) => `${nodeName(c)} (${c})`);
    items.push(
      `${far.name} announced ${example.prefix} (next hop ${example.nextHop}) to the two reflectors of its region only: it is their RR client and has no other session.`,
      `${atOrigin ?? '?'} reflected it to the other router of its region and, as a client of the core, upstream to core-1 and core-2, setting ORIGINATOR_ID ${example.originatorId ?? '?'} (${far.name}'s router ID) and CLUSTER_LIST [its own cluster ID].`,
      `${atCore ?? '?'} reflected it to its other clients, among them the reflectors of the other region, prepending its cluster ID: CLUSTER_LIST is now 2 long.`,
      `${atRegional ?? '?'} reflected it to ${first.name} with CLUSTER_LIST 3 long. Routes cross regions through the core; CLUSTER_LIST grows by one at each reflection, ORIGINATOR_ID never changes, and the next hop stays the originating router's.`,
    );
  }
  if (first !== undefined && near !== undefined && local !== undefined) {
    items.push(`Inside a region one reflection is enough: ${first.name} has ${local.prefix} of ${near.name} with CLUSTER_LIST [${local.clusterList.join(' ')}].`);
  }
  items.push(
    'Every router gets each route twice, once per regional reflector (redundancy); "*>" marks the one it would use (shorter CLUSTER_LIST, then lower neighbour address, RFC 4456 §9).',
    'No loops: a reflector ignores a route whose CLUSTER_LIST holds its own cluster ID, a router one carrying its own ORIGINATOR_ID (RFC 4456 §8), and routes learned from a non-client are reflected to clients only.',
  );
  const lines = ['(c) What happened', ...items.map((t, i) => wrap(t, `  ${i + 1}. `, '     '))];
  lines.push(
    wrap(`${s.policy.note}.`, '  ', '  '),
    wrap(`(As in the example's regional template: ${COMMUNITY_REGION_ONLY} means "keep in the region" and ${COMMUNITY_LOW_PREF_UPSTREAM} "LOCAL_PREF 20 upstream"; \`meshrr demo --print-config lothlorien-a\` shows the policy, \`meshrr policy test\` runs it on one route.)`, '  ', '  '),
  );
  return lines.join('\n');
}

/** The full report printed once the mesh is up. */
export function renderSnapshot(s: DemoSnapshot): string {
  const out = [
    `meshrr demo: Juniper meshrr's 2regions-hrr example on one machine (AS 65000, 127.0.0.0/8, port ${s.port}, no root)`,
    `up in ${(s.elapsedMs / 1000).toFixed(1)} s: ${s.sessionsUp}/${s.sessionsExpected} sessions Established, every router has every other router's prefixes`,
    '',
    '(a) The mesh: each route reflector and its sessions',
    '',
    s.reflectors.map(reflectorBlock).join('\n\n'),
    '',
    "(b) Each router's received routes (*> = the path it would use)",
    '',
    s.routers.map(routerBlock).join('\n\n'),
    '',
    whatHappened(s),
    '',
  ];
  return out.join('\n');
}

/** The heartbeat: one line naming what changed between two snapshots, or null. */
export function describeChanges(prev: DemoSnapshot, next: DemoSnapshot): string | null {
  const changes: string[] = [];
  const states = (s: DemoSnapshot): Map<string, SessionRow> => new Map(s.reflectors.flatMap((r) => r.sessions.map((x) => [`${r.name}<->${x.peerName}`, x] as const)));
  const before = states(prev);
  const after = states(next);
  for (const [k, x] of after) {
    const old = before.get(k);
    if (old === undefined) changes.push(`${k} new ${x.group} peer, ${x.state}`);
    else if (old.state !== x.state) changes.push(`${k} ${old.state} -> ${x.state}${x.state === 'Established' || x.lastDownReason === null ? '' : ` (${x.lastDownReason})`}`);
  }
  for (const k of before.keys()) if (!after.has(k)) changes.push(`${k} gone`);
  for (const r of next.routers) {
    const old = prev.routers.find((o) => o.name === r.name);
    const key = (p: RouterPath): string => `${p.prefix} ${p.from} ${p.clusterList.join(',')}`;
    const was = new Set(old?.paths.map(key) ?? []);
    const now = new Set(r.paths.map(key));
    const added = [...now].filter((x) => !was.has(x)).length;
    const removed = [...was].filter((x) => !now.has(x)).length;
    if (added + removed > 0) changes.push(`${r.name} ${r.paths.length} paths (+${added} -${removed})`);
  }
  if (changes.length === 0) return null;
  const clock = new Date().toISOString().slice(11, 19);
  return `${clock} ${next.sessionsUp}/${next.sessionsExpected} sessions up; ${changes.join('; ')}`;
}

export function renderStop(r: StopReport): string {
  const clean = r.closedWithCease === r.sessions && r.sessionsLeft === 0;
  return `stopped in ${r.stopMs} ms: ${r.closedWithCease}/${r.sessions} sessions closed with Cease/Administrative Shutdown, ${r.sessionsLeft} left open${clean ? '' : ' (NOT CLEAN)'}\n`;
}
