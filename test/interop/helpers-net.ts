/**
 * Network plumbing for the interop tests: each real daemon runs in a namespace of its own,
 * joined to the test process's namespace (where meshrr's Speaker runs) by a veth pair. Link
 * `i` of a file gets the point-to-point subnets 198.51.100.(4i)/30 and 2001:db8::i:0/112
 * (documentation ranges, only ever on these veths): the root end is `.4i+1` / `::i:1`, the
 * daemon end `.4i+2` / `::i:2`. Not 192.0.2.0/24: on this machine that range is the real
 * uplink (eth0 192.0.2.2/24, default gateway 192.0.2.1), and a /30 of it on a veth in the
 * root namespace would hijack the gateway. Each test file owns a disjoint block of link indexes, so the
 * files never collide even when run together.
 *
 * Must not: touch an interface or namespace it did not create; everything goes away in
 * `destroy()` (the namespace delete takes the veth pair with it; the root end is deleted
 * explicitly as well).
 */
import type { Netns } from '../helpers/netns.js';
import { createNetns, run } from '../helpers/netns.js';

export interface Link {
  readonly index: number;
  readonly ns: Netns;
  /** Root-side interface name. */
  readonly rootIf: string;
  /** Root-side (meshrr) addresses. */
  readonly root4: string;
  readonly root6: string;
  /** Daemon-side addresses. */
  readonly peer4: string;
  readonly peer6: string;
  destroy(): Promise<void>;
}

/** IPv4 address of host `host` (1 or 2) on link `i`; extra hosts for /29 links are not used. */
export function linkAddress4(i: number, host: number): string {
  if (i < 0 || i > 63) throw new Error(`link index ${i} out of 0..63`);
  return `198.51.100.${i * 4 + host}`;
}

export function linkAddress6(i: number, host: number): string {
  return `2001:db8::${i.toString(16)}:${host}`;
}

/**
 * Create namespace + veth for link `i`: addresses on both ends, both ends up, `lo` up in the
 * namespace. On failure everything made so far is removed.
 */
export async function createLink(i: number, label: string): Promise<Link> {
  const ns = await createNetns(label);
  const rootIf = `mrr${(process.pid % 100000).toString(36)}l${i}`;
  const root4 = linkAddress4(i, 1);
  const peer4 = linkAddress4(i, 2);
  const root6 = linkAddress6(i, 1);
  const peer6 = linkAddress6(i, 2);
  let destroyed = false;
  const destroy = async (): Promise<void> => {
    if (destroyed) return;
    destroyed = true;
    await ns.destroy();
    await run('ip', ['link', 'del', rootIf], { allowFailure: true });
  };
  try {
    // Never shadow an address or route that already exists in the root namespace.
    const taken = await run('ip', ['-o', 'addr', 'show', 'to', `${linkAddress4(i, 0)}/30`]);
    const routed = await run('ip', ['-4', 'route', 'show', 'match', peer4]);
    if (taken.stdout.trim() !== '' || routed.stdout.split('\n').some((l) => l.trim() !== '' && !l.startsWith('default'))) {
      throw new Error(`link ${i}: ${linkAddress4(i, 0)}/30 is already in use in the root namespace`);
    }
    await run('ip', ['link', 'add', rootIf, 'type', 'veth', 'peer', 'name', 'veth0', 'netns', ns.name]);
    await run('ip', ['addr', 'add', `${root4}/30`, 'dev', rootIf]);
    await run('ip', ['-6', 'addr', 'add', `${root6}/112`, 'dev', rootIf, 'nodad']);
    await run('ip', ['link', 'set', rootIf, 'up']);
    await ns.addAddress('veth0', `${peer4}/30`);
    await ns.addAddress('veth0', `${peer6}/112`);
    await ns.linkUp('veth0');
    // BGP on port 179 inside the namespace needs no extra rights as root; other ports are free.
    await ns.sysctl('net.ipv4.ip_unprivileged_port_start', '0');
  } catch (err) {
    await destroy().catch(() => undefined);
    throw err;
  }
  return { index: i, ns, rootIf, root4, root6, peer4, peer6, destroy };
}

/** A TCP port for meshrr's listener, away from the ranges daemons and other tests use. */
export function randomPort(): number {
  return 30000 + Math.floor(Math.random() * 20000);
}
