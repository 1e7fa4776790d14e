/**
 * The operations options shared by `meshrr rr` and `meshrr pod` (docs/operations.md), from
 * flags first, then the environment, then defaults:
 *
 * | flag | env | default |
 * |---|---|---|
 * | --status-address HOST:PORT, `off` | STATUS_ADDRESS | 127.0.0.1:8080 |
 * | --probe-address HOST:PORT | PROBE_ADDRESS | pod: POD_IP:8081; rr: none |
 * | --ready-min-sessions N | READY_MIN_SESSIONS | 1 |
 * | --ready-groups G1,G2 | READY_GROUPS | every group |
 * | --health-max-lag-ms MS | HEALTH_MAX_LAG_MS | 2000 |
 * | --bmp-collector HOST:PORT | BMP_COLLECTOR | none |
 * | --k8s-events on/off | MESHRR_K8S_EVENTS | on (off outside a cluster) |
 * | --mrt-dump FILE | MRT_DUMP_FILE | none |
 * | --mrt-dump-seconds N | MRT_DUMP_SECONDS | 3600 (with a file) |
 */
import { parseHostPort, type HostPort } from './server.js';

export interface OperationsOptions {
  readonly statusAddress: HostPort | null;
  /** The status address was given (flag or env): failing to bind it fails the start. */
  readonly statusAddressExplicit: boolean;
  readonly probeAddress: HostPort | null;
  readonly readyMinSessions: number;
  readonly readyGroups: readonly string[];
  readonly maxLagMs: number;
  readonly bmpCollector: HostPort | null;
  readonly k8sEvents: boolean;
  /** Periodic TABLE_DUMP_V2 dump of the RIB: the file and the interval. */
  readonly mrtDump: { readonly file: string; readonly seconds: number } | null;
}

const FLAGS = ['--status-address', '--probe-address', '--ready-min-sessions', '--ready-groups', '--health-max-lag-ms', '--bmp-collector', '--k8s-events', '--mrt-dump', '--mrt-dump-seconds'] as const;
type Flag = (typeof FLAGS)[number];

export const OPERATIONS_USAGE =
  '[--status-address HOST:PORT|off] [--probe-address HOST:PORT] [--ready-min-sessions N] [--ready-groups G,...] [--health-max-lag-ms MS] [--bmp-collector HOST:PORT] [--k8s-events on|off] [--mrt-dump FILE] [--mrt-dump-seconds N]';

/**
 * Takes the operations flags out of `args`; returns the other arguments and the options, or
 * an error message for a bad value. `probeDefault` is the pod's POD_IP:8081.
 */
export function takeOperationsArgs(
  args: readonly string[],
  env: NodeJS.ProcessEnv,
  probeDefault: HostPort | null = null,
): { rest: string[]; options: OperationsOptions } | { error: string } {
  const rest: string[] = [];
  const given = new Map<Flag, string>();
  for (let i = 0; i < args.length; i++) {
    const a = args[i] as string;
    if ((FLAGS as readonly string[]).includes(a)) {
      const v = args[++i];
      if (v === undefined) return { error: `${a} needs a value` };
      given.set(a as Flag, v);
    } else rest.push(a);
  }
  const pick = (flag: Flag, name: string): string | undefined => given.get(flag) ?? (env[name] !== undefined && env[name] !== '' ? env[name] : undefined);
  const addr = (flag: Flag, name: string, dflt: HostPort | null): HostPort | null | string => {
    const v = pick(flag, name);
    if (v === undefined) return dflt;
    if (v === 'off' || v === 'none') return null;
    return parseHostPort(v) ?? `${flag} (${name}): ${v} is not HOST:PORT`;
  };
  const num = (flag: Flag, name: string, dflt: number): number | string => {
    const v = pick(flag, name);
    if (v === undefined) return dflt;
    return /^\d+$/.test(v) ? Number(v) : `${flag} (${name}): ${v} is not a number`;
  };
  const status = addr('--status-address', 'STATUS_ADDRESS', { host: '127.0.0.1', port: 8080 });
  const probe = addr('--probe-address', 'PROBE_ADDRESS', probeDefault);
  const bmp = addr('--bmp-collector', 'BMP_COLLECTOR', null);
  const minSessions = num('--ready-min-sessions', 'READY_MIN_SESSIONS', 1);
  const maxLag = num('--health-max-lag-ms', 'HEALTH_MAX_LAG_MS', 2000);
  const dumpEvery = num('--mrt-dump-seconds', 'MRT_DUMP_SECONDS', 3600);
  const dumpFile = pick('--mrt-dump', 'MRT_DUMP_FILE');
  if (dumpEvery === 0) return { error: '--mrt-dump-seconds (MRT_DUMP_SECONDS): must be at least 1' };
  for (const v of [status, probe, bmp, minSessions, maxLag, dumpEvery]) if (typeof v === 'string') return { error: v };
  const k8s = pick('--k8s-events', 'MESHRR_K8S_EVENTS') ?? 'on';
  if (k8s !== 'on' && k8s !== 'off') return { error: `--k8s-events (MESHRR_K8S_EVENTS): ${k8s} is not on or off` };
  const groups = (pick('--ready-groups', 'READY_GROUPS') ?? '')
    .split(',')
    .map((g) => g.trim())
    .filter((g) => g !== '');
  return {
    rest,
    options: {
      statusAddress: status as HostPort | null,
      statusAddressExplicit: pick('--status-address', 'STATUS_ADDRESS') !== undefined,
      probeAddress: probe as HostPort | null,
      readyMinSessions: minSessions as number,
      readyGroups: groups,
      maxLagMs: maxLag as number,
      bmpCollector: bmp as HostPort | null,
      k8sEvents: k8s === 'on',
      mrtDump: dumpFile === undefined ? null : { file: dumpFile, seconds: dumpEvery as number },
    },
  };
}
