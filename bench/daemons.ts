/**
 * The reflectors under test, each started inside the bench namespace on 127.0.0.1 port 1790
 * with one route-reflector client group found by a listen range (127.0.0.0/8), AS 64496,
 * router ID and cluster ID 192.0.2.1, hold time 240 s:
 * - meshrr: `meshrr rr --config FILE` (YAML, docs/router-config.md) when the CLI has the rr
 *   command, else bench/meshrr-rr.ts (the RouteReflector with the same settings);
 * - BIRD 2: a dynamic BGP protocol with `neighbor range`, next hops resolved through a
 *   separate IGP table holding 198.18.0.0/15 via lo;
 * - FRR: bgpd alone (-Z, no zebra) with `bgp listen range ... peer-group clients`.
 * `start` resolves once the daemon listens (read from /proc/PID/net/tcp).
 */
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { spawnSync } from 'node:child_process';
import { Child, listening, poll } from './proc.js';
import { BENCH_EXPORT_POLICY } from './rib-core.js';

export const RR_ADDRESS = '127.0.0.1';
export const RR_PORT = 1790;
export const LOCAL_AS = 64496;
const ROUTER_ID = '192.0.2.1';

export type DaemonName = 'meshrr' | 'meshrr+policy' | 'bird' | 'frr';

export interface DaemonStartOptions {
  readonly ns: string;
  /** A scratch directory for configs, sockets and profiles. */
  readonly dir: string;
  /** meshrr only: write a V8 CPU profile (`node --cpu-prof`) as dir/name.cpuprofile. */
  readonly cpuProf?: { readonly dir: string; readonly name: string };
  /** Dynamic peers the daemon must accept (FRR's listen limit). */
  readonly maxPeers: number;
}

export interface Daemon {
  readonly name: DaemonName;
  /** Program and version, e.g. "BIRD 2.0.12"; null when not installed. */
  readonly version: string | null;
  start(o: DaemonStartOptions): Promise<Child>;
}

const BIRD = '/usr/sbin/bird';
const BGPD = '/usr/lib/frr/bgpd';

function versionOf(cmd: string, args: readonly string[], re: RegExp): string | null {
  if (!existsSync(cmd)) return null;
  const r = spawnSync(cmd, args, { encoding: 'utf8' });
  return re.exec(`${r.stdout}\n${r.stderr}`)?.[1] ?? 'unknown';
}

async function started(child: Child): Promise<Child> {
  try {
    await poll(
      () => {
        if (child.exit !== null) throw new Error(`${child.name} exited at start: ${child.tail()}`);
        return listening(child.pid, RR_PORT) ? true : null;
      },
      20000,
      `${child.name} to listen on port ${RR_PORT}`,
    );
  } catch (e) {
    await child.stop();
    throw e;
  }
  return child;
}

/** With `policy`, the client group exports through rib-core.ts's BENCH_EXPORT_POLICY (issue 6's ratio). */
function meshrrYaml(maxPeers: number, policy = false): string {
  return [
    `routerId: ${ROUTER_ID}`,
    `asn: ${LOCAL_AS}`,
    'hostname: bench-rr',
    'listen:',
    `  - address: ${RR_ADDRESS}`,
    `    port: ${RR_PORT}`,
    `maxDynamicPeers: ${maxPeers + 10}`,
    'gracefulRestart:',
    '  enabled: false',
    'groups:',
    '  - name: clients',
    '    role: client',
    '    listenRanges: [127.0.0.0/8]',
    '    families: [ipv4-unicast]',
    '    holdTime: 240',
    ...(policy ? ['    exportPolicy: bench-out', `policies: ${JSON.stringify(BENCH_EXPORT_POLICY)}`] : []),
    '',
  ].join('\n');
}

/** Whether the compiled CLI has the `rr` command yet. */
async function cliHasRr(root: string): Promise<boolean> {
  const main = join(root, 'src/cli/main.js');
  if (!existsSync(main)) return false;
  const m = (await import(main)) as { COMMANDS?: Readonly<Record<string, unknown>> };
  return m.COMMANDS?.['rr'] !== undefined;
}

/** meshrr; `entry` 'cli' or 'direct' forces how it starts (default: cli when available). */
export async function meshrrDaemon(root: string, entry: string | undefined, policy = false): Promise<Daemon> {
  const useCli = policy || entry === 'cli' || (entry !== 'direct' && (await cliHasRr(root)));
  return {
    name: policy ? 'meshrr+policy' : 'meshrr',
    version: `meshrr${policy ? ' with an export policy' : ''} (${useCli ? 'meshrr rr --config' : 'bench/meshrr-rr.js'}, node ${process.version})`,
    async start(o) {
      const prof = o.cpuProf === undefined ? [] : ['--cpu-prof', `--cpu-prof-dir=${o.cpuProf.dir}`, `--cpu-prof-name=${o.cpuProf.name}.cpuprofile`];
      let args: string[];
      if (useCli) {
        const file = join(o.dir, 'meshrr.yml');
        writeFileSync(file, meshrrYaml(o.maxPeers, policy));
        args = [join(root, 'src/cli/main.js'), 'rr', '--config', file, '--log-level', 'warn'];
      } else {
        args = [join(root, 'bench/meshrr-rr.js'), `--address=${RR_ADDRESS}`, `--port=${RR_PORT}`, `--asn=${LOCAL_AS}`, '--range=127.0.0.0/8'];
      }
      return started(new Child('meshrr', 'ip', ['netns', 'exec', o.ns, process.execPath, ...prof, ...args]));
    },
  };
}

function birdConf(): string {
  return `router id ${ROUTER_ID};
log stderr { warning, error, fatal, bug };
ipv4 table igp4;
protocol device { }
protocol static igpstatic {
  ipv4 { table igp4; };
  route 198.18.0.0/15 via "lo";
}
protocol bgp clients {
  local ${RR_ADDRESS} port ${RR_PORT} as ${LOCAL_AS};
  neighbor range 127.0.0.0/8 internal;
  dynamic name "c";
  strict bind;
  rr client;
  rr cluster id ${ROUTER_ID};
  hold time 240;
  ipv4 {
    import all;
    export all;
    igp table igp4;
  };
}
`;
}

/**
 * BIRD and FRR get glibc's huge-page malloc (the C counterpart of meshrr's advised arrays,
 * native/memory.c), so every reflector in a run is measured with huge pages available;
 * BENCH_C_DAEMON_THP=0 runs them with glibc's defaults.
 */
const C_DAEMON_ENV: Readonly<Record<string, string>> = process.env['BENCH_C_DAEMON_THP'] === '0' ? {} : { GLIBC_TUNABLES: 'glibc.malloc.hugetlb=1' };

export function birdDaemon(): Daemon {
  const v = versionOf(BIRD, ['--version'], /BIRD version (\S+)/);
  return {
    name: 'bird',
    version: v === null ? null : `BIRD ${v}`,
    async start(o) {
      const conf = join(o.dir, 'bird.conf');
      writeFileSync(conf, birdConf());
      const args = ['netns', 'exec', o.ns, BIRD, '-f', '-c', conf, '-s', join(o.dir, 'bird.ctl'), '-P', join(o.dir, 'bird.pid')];
      return started(new Child('bird', 'ip', args, C_DAEMON_ENV));
    },
  };
}

function frrConf(maxPeers: number): string {
  return `frr defaults traditional
hostname bench-rr
log stdout critical
!
router bgp ${LOCAL_AS}
 bgp router-id ${ROUTER_ID}
 bgp cluster-id ${ROUTER_ID}
 no bgp default ipv4-unicast
 bgp listen limit ${Math.min(65535, maxPeers + 10)}
 neighbor clients peer-group
 neighbor clients remote-as internal
 neighbor clients timers 80 240
 bgp listen range 127.0.0.0/8 peer-group clients
 !
 address-family ipv4 unicast
  neighbor clients activate
  neighbor clients route-reflector-client
 exit-address-family
!
`;
}

export function frrDaemon(): Daemon {
  const v = versionOf(BGPD, ['--version'], /bgpd version (\S+)/);
  return {
    name: 'frr',
    version: v === null ? null : `FRR ${v}`,
    async start(o) {
      const conf = join(o.dir, 'frr.conf');
      writeFileSync(conf, frrConf(o.maxPeers));
      const vty = join(o.dir, 'vty');
      mkdirSync(vty, { recursive: true });
      const args = ['netns', 'exec', o.ns, BGPD, '-Z', '-S', '-n', '-f', conf, '-i', join(o.dir, 'bgpd.pid'), '-z', join(o.dir, 'zserv.api')];
      args.push('--vty_socket', vty, '-l', RR_ADDRESS, '-p', String(RR_PORT), '-P', '0', '--limit-fds', '20000', '--log', 'stdout', '--log-level', 'critical');
      return started(new Child('frr', 'ip', args, C_DAEMON_ENV));
    },
  };
}
