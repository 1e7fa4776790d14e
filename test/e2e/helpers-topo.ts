/**
 * An example's cluster on one machine: one network namespace per meshrr pod and per physical
 * router, all joined by veths to a bridge in a `fabric` namespace (one L2 segment; every
 * address is a /32 and the test ranges are on-link routes, so pod, router and anycast
 * addresses of any subnet reach each other), and dnsmasq in the fabric namespace playing
 * CoreDNS: it answers `<service>.meshrr.svc.cluster.local` with the addresses of the Ready
 * pods (one hosts file per Service, rewritten when pods change; dnsmasq's inotify picks it up
 * at once) and NXDOMAIN for everything else.
 *
 * Pods run `node dist/cli/main.js pod` with the workload's ConfigMap files, the environment
 * its manifest sets, POD_IP, a Kubernetes resolv.conf (search list + ndots:5) pointing at
 * the fabric's dnsmasq, and its security context: the pod's sysctls on its namespace, its uid
 * and gid, no_new_privs when it disallows privilege escalation. Meshrr's view of its sessions comes from its log (`fsmTransition`,
 * `peerDecision`), since the status API is not there yet.
 *
 * Must not: touch the root namespace's interfaces, sleep, or kill anything it did not start.
 */
import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { chmod, mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { createNetns, run } from '../helpers/netns.js';
import type { Netns } from '../helpers/netns.js';
import { PollAbort, pollUntil } from '../helpers/poll.js';
import { makeTmpDir } from '../helpers/tmp.js';
import type { TmpDir } from '../helpers/tmp.js';
import { arr, confFiles, containerEnv, loadDocs, obj, podTemplate, str } from '../manifests/helpers-manifests.js';
import type { K8sDoc } from '../manifests/helpers-manifests.js';
import { imageRoot, startPod } from './helpers-pod.js';
import type { LogLine, PodProcess } from './helpers-pod.js';

/** The cluster DNS service address inside the fabric (kube-dns's ClusterIP in a real cluster). */
export const DNS_ADDRESS = '10.96.0.10';
/** Ranges every node reaches on-link. */
const ON_LINK = ['10.0.0.0/8', '172.16.0.0/12', '192.168.0.0/16', '198.51.100.0/24'];

export interface Node {
  readonly name: string;
  readonly ns: Netns;
  /** The primary address (the pod IP, the router's address). */
  readonly address: string;
}

export interface MeshrrPod extends Node {
  readonly process: PodProcess;
  readonly workload: K8sDoc;
}

/** A peer's session state as meshrr logs it. */
export interface SessionView {
  readonly established: boolean;
  /** `time` of the line that made it Established. */
  readonly since: number | undefined;
}

export class Cluster {
  readonly tmp: TmpDir;
  readonly namespace: string;
  readonly docs: K8sDoc[];
  private readonly fabric: Netns;
  private dnsmasq: ChildProcess | null = null;
  private readonly nodes: Node[] = [];
  private readonly pods: MeshrrPod[] = [];
  private readonly killed = new Set<MeshrrPod>();
  private port = 0;

  private constructor(tmp: TmpDir, fabric: Netns, docs: K8sDoc[], namespace: string) {
    this.tmp = tmp;
    this.fabric = fabric;
    this.docs = docs;
    this.namespace = namespace;
  }

  /** The fabric, dnsmasq, and the documents of `examples/<example>` (plus the base manifests). */
  static async create(example: string): Promise<Cluster> {
    const tmp = await makeTmpDir(`e2e-${example}`.slice(0, 20));
    await chmod(tmp.path, 0o755); // pods run as the manifests' uid
    const fabric = await createNetns('fabric');
    const docs = loadDocs([`examples/${example}`]);
    const c = new Cluster(tmp, fabric, docs, 'meshrr');
    try {
      await fabric.ip('link', 'add', 'br0', 'type', 'bridge');
      // A fixed MAC: a bridge otherwise takes its lowest port's, which changes when a pod's
      // veth goes away, and every node's ARP entry for the DNS address goes stale for seconds.
      await fabric.ip('link', 'set', 'br0', 'address', '02:00:5e:00:00:01');
      await fabric.addAddress('br0', `${DNS_ADDRESS}/32`);
      await fabric.linkUp('br0');
      for (const r of ON_LINK) await fabric.addRoute(r, { dev: 'br0' });
      await mkdir(tmp.join('hosts.d'), { recursive: true });
      await c.startDns();
    } catch (e) {
      await c.destroy();
      throw e;
    }
    return c;
  }

  private async startDns(): Promise<void> {
    const argv = this.fabric.command('dnsmasq', [
      '--keep-in-foreground', '--conf-file=/dev/null', '--no-resolv', '--no-hosts', '--no-poll',
      `--listen-address=${DNS_ADDRESS}`, '--bind-interfaces', '--port=53', `--pid-file=${this.tmp.join('dnsmasq.pid')}`, '--user=root',
      '--cache-size=0', '--local-ttl=1', '--local=/#/', `--hostsdir=${this.tmp.join('hosts.d')}`,
    ]);
    const child = spawn(argv.file, argv.args, { stdio: ['ignore', 'ignore', 'ignore'] });
    this.dnsmasq = child;
    await pollUntil(
      async () => {
        if (child.exitCode !== null) throw new Error(`dnsmasq exited with ${child.exitCode}`);
        return (await this.fabric.exec('ss', ['-Hlun', `src ${DNS_ADDRESS}:53`])).stdout.includes(':53');
      },
      { what: 'dnsmasq listening in the fabric', timeoutMs: 10_000 },
    );
  }

  /** A namespace on the fabric with `address` on eth0 and `extra` (anycast/LoadBalancer) on lo. */
  async addNode(name: string, address: string, extra: readonly string[] = []): Promise<Node> {
    const ns = await createNetns(name);
    const i = ++this.port;
    const host = `v${i}`;
    await run('ip', ['link', 'add', 'eth0', 'netns', ns.name, 'type', 'veth', 'peer', 'name', host, 'netns', this.fabric.name]);
    await this.fabric.ip('link', 'set', host, 'master', 'br0');
    await this.fabric.linkUp(host);
    await ns.addAddress('eth0', `${address}/32`);
    await ns.linkUp('eth0');
    for (const a of extra) await ns.addLoopback(`${a}/32`);
    for (const r of ON_LINK) await ns.ip('route', 'add', r, 'dev', 'eth0', 'src', address);
    const node = { name, ns, address };
    this.nodes.push(node);
    return node;
  }

  /** The workload named `name` in the example. */
  workload(name: string): K8sDoc {
    const w = this.docs.find((d) => ['Deployment', 'DaemonSet', 'StatefulSet'].includes(d.kind) && d.name === name);
    if (w === undefined) throw new Error(`no workload ${name}`);
    return w;
  }

  /**
   * Starts a pod of `workload`: its node, its ConfigMap files, its manifest's environment
   * (UPDATE_SECONDS overridden to keep the test short), and waits for `configApplied`.
   */
  async startPod(name: string, workload: string, podIp: string, opts: { extra?: readonly string[]; updateSeconds: number; env?: Record<string, string> }): Promise<MeshrrPod> {
    const w = this.workload(workload);
    const node = await this.addNode(name, podIp, opts.extra ?? []);
    for (const sc of arr(obj(podTemplate(w).spec['securityContext'])['sysctls']).map(obj)) await node.ns.sysctl(str(sc['name']), str(sc['value']));
    // A LoadBalancer address that moved to this pod: MetalLB announces it with a gratuitous
    // ARP; here every other node forgets the old owner's MAC instead.
    for (const a of opts.extra ?? []) {
      for (const n of this.nodes) if (n !== node && !n.ns.destroyed) await n.ns.ip('neigh', 'flush', 'to', a).catch(() => undefined);
    }
    const dir = this.tmp.join('pods', name);
    await mkdir(join(dir, 'conf'), { recursive: true });
    for (const [file, text] of Object.entries(confFiles(this.docs, w))) await writeFile(join(dir, 'conf', file), text);
    const ns = this.namespace;
    await writeFile(join(dir, 'resolv.conf'), `search ${ns}.svc.cluster.local svc.cluster.local cluster.local\nnameserver ${DNS_ADDRESS}\noptions ndots:5 timeout:1 attempts:2\n`);
    const env = {
      ...containerEnv(w).values,
      POD_IP: podIp,
      UPDATE_SECONDS: String(opts.updateSeconds),
      LOG_LEVEL: 'debug',
      MESHRR_CONF: join(dir, 'conf', 'meshrr.conf.yml'),
      MESHRR_TEMPLATE: join(dir, 'conf', 'meshrr.conf.njk'),
      MESHRR_RESOLV_CONF: join(dir, 'resolv.conf'),
      ...opts.env,
    };
    const process = await startPod({ name, netns: node.ns, dir, env, argv: [...securityPrefix(w), 'node', join(await imageRoot(), 'dist', 'cli', 'main.js'), 'pod'] });
    const uid = /--reuid=(\d+)/.exec(securityPrefix(w).join(' '))?.[1];
    if (uid !== undefined) {
      const status = await readFile(`/proc/${process.pid}/status`, 'utf8');
      if (!new RegExp(`^Uid:\\s+${uid}\\s`, 'm').test(status)) throw new Error(`${name}: not running as uid ${uid}:\n${status}`);
    }
    const pod = { ...node, process, workload: w };
    this.pods.push(pod);
    return pod;
  }

  /** What the headless Service `service` answers: one A record per address (Ready pods). */
  async setService(service: string, addresses: readonly string[]): Promise<void> {
    const name = `${service}.${this.namespace}.svc.cluster.local`;
    const file = this.tmp.join('hosts.d', service);
    await writeFile(`${file}.tmp`, addresses.map((a) => `${a} ${name}\n`).join(''));
    await rename(`${file}.tmp`, file);
  }

  /** Kills a pod like a node failure: SIGKILL, then its namespace (and address) disappears. */
  async killPod(pod: MeshrrPod): Promise<void> {
    this.killed.add(pod);
    await pod.process.stop('SIGKILL');
    await pod.ns.destroy();
  }

  /**
   * Inside a poll: fails at once, with its log and stderr, when a pod the test did not kill
   * has exited (a crash would otherwise only show up as a timeout).
   */
  async assertPodsAlive(): Promise<void> {
    for (const p of this.pods) {
      if (p.process.exit !== null && !this.killed.has(p)) throw new PollAbort(`${p.name} exited (${JSON.stringify(p.process.exit)}):\n${await p.process.logTail(5)}`);
    }
  }

  async destroy(opts: { failed?: boolean } = {}): Promise<void> {
    for (const p of this.pods) await p.process.stop('SIGTERM', 3000).catch(() => undefined);
    for (const n of this.nodes) await n.ns.destroy().catch(() => undefined);
    const d = this.dnsmasq;
    if (d !== null && d.exitCode === null && d.pid !== undefined) {
      const gone = new Promise((r) => d.once('exit', r));
      d.kill('SIGTERM');
      await gone;
    }
    await this.fabric.destroy().catch(() => undefined);
    await this.tmp.cleanup(opts);
  }
}

/** Sessions of a pod by peer address, from its fsmTransition lines (any connection Established). */
export function sessions(lines: readonly LogLine[]): Map<string, SessionView> {
  const byConn = new Map<string, { to: string; time: number | undefined }>();
  for (const l of lines) {
    if (l.msg !== 'fsmTransition' || typeof l['peer'] !== 'string') continue;
    byConn.set(`${l['peer']}|${String(l['conn'])}`, { to: String(l['to']), time: l.time });
  }
  const out = new Map<string, SessionView>();
  for (const [k, v] of byConn) {
    const peer = peerAddress(k.split('|')[0] ?? '');
    const prev = out.get(peer);
    if (v.to === 'Established') out.set(peer, { established: true, since: v.time });
    else if (prev === undefined) out.set(peer, { established: false, since: undefined });
  }
  return out;
}

/** `10.42.0.1`, `10.42.0.1:179` or `[::1]:179` -> the address. */
export function peerAddress(key: string): string {
  const m = /^\[(.*)\](?::\d+)?$/.exec(key) ?? /^([^:]+):\d+$/.exec(key);
  return m?.[1] ?? key;
}

/** The peers discovery has in `group` now: added minus removed, from `peerDecision` lines. */
export function groupPeers(lines: readonly LogLine[], group: string): Set<string> {
  const s = new Set<string>();
  for (const l of lines) {
    if (l.msg !== 'peerDecision' || l['group'] !== group) continue;
    const a = String(l['peer']);
    if (l['action'] === 'add' || l['action'] === 'keep' || l['action'] === 'replaceWith') s.add(a);
    if (l['action'] === 'remove' || l['action'] === 'replace') s.delete(a);
  }
  return s;
}

/** The addresses a pod has Established sessions with. */
export async function establishedPeers(pod: MeshrrPod): Promise<Set<string>> {
  const s = new Set<string>();
  for (const [a, v] of sessions(await pod.process.logs())) if (v.established) s.add(a);
  return s;
}

/** Inside a poll: a condition that must hold at every attempt; a violation fails at once. */
export function invariant(ok: boolean, message: string): void {
  if (!ok) throw new PollAbort(message);
}

/**
 * The manifest's security context as a command prefix: `runAsUser`/`runAsGroup` through
 * setpriv, and `allowPrivilegeEscalation: false` as no_new_privs (what the kubelet sets).
 */
export function securityPrefix(w: K8sDoc): string[] {
  const spec = podTemplate(w).spec;
  const psc = obj(spec['securityContext']);
  const c = obj(arr(spec['containers']).map(obj).find((x) => x['name'] === 'meshrr'));
  const sc = obj(c['securityContext']);
  const uid = sc['runAsUser'] ?? psc['runAsUser'];
  const gid = sc['runAsGroup'] ?? psc['runAsGroup'] ?? uid;
  const out: string[] = [];
  if (typeof uid === 'number') out.push('setpriv', `--reuid=${uid}`, `--regid=${String(gid)}`, '--clear-groups', ...(sc['allowPrivilegeEscalation'] === false ? ['--no-new-privs'] : []), '--');
  return out;
}
