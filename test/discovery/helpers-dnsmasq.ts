/**
 * A dnsmasq that plays CoreDNS for discovery tests (flags from shared/TESTING-PEERS.md): it
 * listens on a 127.x address and a random port, answers from a hosts file plus a hosts
 * directory (a file added to or removed from it is picked up at once via inotify), and
 * answers NXDOMAIN for every other name (`--local=/#/`, so no query leaves the machine and
 * names outside cluster.local are NXDOMAIN, as CoreDNS + upstream would say). Stopped by PID.
 */
import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { promises as dnsPromises } from 'node:dns';
import { rm, writeFile } from 'node:fs/promises';
import { pollUntil } from '../helpers/poll.js';
import type { TmpDir } from '../helpers/tmp.js';

export interface Dnsmasq {
  readonly address: string;
  readonly port: number;
  /** `ADDRESS:PORT` for Resolver.setServers / MESHRR_DNS_SERVERS. */
  readonly server: string;
  readonly pid: number;
  /** Writes `hostsdir/NAME` with one `ADDRESS NAME` line per entry. */
  setHosts(file: string, entries: readonly (readonly [string, string])[]): Promise<void>;
  removeHosts(file: string): Promise<void>;
  /** SIGTERM by PID; resolves when the process has exited. */
  stop(): Promise<void>;
  /** Starts it again on the same address and port. */
  restart(): Promise<void>;
}

const DNSMASQ = '/usr/sbin/dnsmasq';

export async function startDnsmasq(dir: TmpDir, opts: { hosts: readonly (readonly [string, string])[]; txt?: readonly string[]; address?: string }): Promise<Dnsmasq> {
  const address = opts.address ?? `127.0.53.${1 + Math.floor(Math.random() * 250)}`;
  const hostsFile = dir.join('hosts');
  const hostsDir = dir.join('hosts.d');
  await writeFile(hostsFile, opts.hosts.map(([a, n]) => `${a} ${n}\n`).join(''));
  const { mkdir } = await import('node:fs/promises');
  await mkdir(hostsDir, { recursive: true });
  let port = 0;
  let child: ChildProcess | null = null;

  const launch = async (p: number): Promise<ChildProcess> => {
    const args = [
      '--keep-in-foreground', '--conf-file=/dev/null', '--no-resolv', '--no-hosts', '--no-poll',
      `--listen-address=${address}`, '--bind-interfaces', `--port=${p}`, `--pid-file=${dir.join('dnsmasq.pid')}`, '--user=root',
      '--cache-size=0', '--local-ttl=1', '--local=/#/', `--addn-hosts=${hostsFile}`, `--hostsdir=${hostsDir}`,
      ...(opts.txt ?? []).map((n) => `--txt-record=${n},meshrr-test`),
    ];
    const c = spawn(DNSMASQ, args, { stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    c.stderr?.on('data', (b: Buffer) => (stderr += b.toString()));
    const exited = new Promise<number>((resolve) => c.once('exit', (code) => resolve(code ?? -1)));
    const r = new dnsPromises.Resolver({ timeout: 200, tries: 1 });
    r.setServers([`${address}:${p}`]);
    const ready = await Promise.race([
      pollUntil(async () => {
        try {
          await r.resolve4('ready.invalid');
        } catch (e) {
          if ((e as { code?: string }).code === 'ENOTFOUND') return true;
        }
        return false;
      }, { what: `dnsmasq on ${address}:${p}`, timeoutMs: 5000, intervalMs: 50 }),
      exited.then((code) => code),
    ]);
    if (ready !== true) throw new Error(`dnsmasq exited (${String(ready)}): ${stderr.trim()}`);
    return c;
  };

  for (let attempt = 0; ; attempt++) {
    port = 20000 + Math.floor(Math.random() * 40000);
    try {
      child = await launch(port);
      break;
    } catch (e) {
      if (attempt >= 5) throw e;
    }
  }

  const stop = async (): Promise<void> => {
    const c = child;
    if (c === null || c.pid === undefined || c.exitCode !== null) return;
    const gone = new Promise<void>((resolve) => c.once('exit', () => resolve()));
    process.kill(c.pid, 'SIGTERM');
    await gone;
    child = null;
  };
  return {
    address,
    port,
    server: `${address}:${port}`,
    get pid() {
      return child?.pid ?? -1;
    },
    setHosts: (file, entries) => writeFile(`${hostsDir}/${file}`, entries.map(([a, n]) => `${a} ${n}\n`).join('')),
    removeHosts: (file) => rm(`${hostsDir}/${file}`, { force: true }),
    stop,
    restart: async () => {
      await stop();
      child = await launch(port);
    },
  };
}

/** A Kubernetes pod's resolv.conf for namespace `ns`, pointing at `server`. */
export function k8sResolvConf(server: string, ns = 'default'): string {
  return `search ${ns}.svc.cluster.local svc.cluster.local cluster.local\nnameserver ${server}\noptions ndots:5\n`;
}
