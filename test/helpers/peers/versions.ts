/**
 * Versions of the real daemons the harness runs, as each prints it (`bird --version`,
 * `bgpd --version`, `gobgpd --version`, OpenBGPD's `bgpd -V`, `exabgp --version`), for the
 * interop matrix and closing notes; and `missingPrerequisites()`, which tells a test file why
 * it cannot run real daemons here (not root, or a binary missing) so it can skip.
 */
import { access, constants } from 'node:fs/promises';
import { delimiter, join } from 'node:path';
import { run } from '../netns.js';
import { BIRD, BIRDC } from './bird.js';
import { EXABGP } from './exabgp.js';
import { FRR_BGPD, VTYSH } from './frr.js';
import { GOBGP, GOBGPD } from './gobgp.js';
import { BGPCTL, OPENBGPD } from './openbgpd.js';
import type { PeerKind } from './types.js';

export interface DaemonVersion {
  /** Product name (`BIRD`, `FRR`, ...). */
  name: string;
  /** Version number, or `not installed`. */
  version: string;
  /** The command that printed it. */
  command: string;
}

const PROBES: Record<PeerKind, { name: string; cmd: string; args: string[]; pattern: RegExp }> = {
  bird: { name: 'BIRD', cmd: BIRD, args: ['--version'], pattern: /BIRD version (\S+)/ },
  frr: { name: 'FRR', cmd: FRR_BGPD, args: ['--version'], pattern: /bgpd version (\S+)/ },
  gobgp: { name: 'GoBGP', cmd: GOBGPD, args: ['--version'], pattern: /gobgpd version (\S+)/ },
  openbgpd: { name: 'OpenBGPD', cmd: OPENBGPD, args: ['-V'], pattern: /OpenBGPD (\S+)/ },
  exabgp: { name: 'ExaBGP', cmd: EXABGP, args: ['--version'], pattern: /ExaBGP : (\S+)/ },
};

/** The installed version of every daemon the harness knows. */
export async function versions(): Promise<Record<PeerKind, DaemonVersion>> {
  const entries = await Promise.all(
    (Object.entries(PROBES) as [PeerKind, (typeof PROBES)[PeerKind]][]).map(async ([kind, p]) => {
      const command = [p.cmd, ...p.args].join(' ');
      const res = await run(p.cmd, p.args, { allowFailure: true, timeoutMs: 10_000 }).catch(() => undefined);
      const version = res === undefined ? undefined : p.pattern.exec(`${res.stdout}\n${res.stderr}`)?.[1];
      return [kind, { name: p.name, version: version ?? 'not installed', command }] as const;
    }),
  );
  return Object.fromEntries(entries) as Record<PeerKind, DaemonVersion>;
}

/** One line: `BIRD 2.0.12, FRR 8.4.4, GoBGP 3.10.0, OpenBGPD 7.7, ExaBGP 4.2.21`. */
export function formatVersions(v: Record<PeerKind, DaemonVersion>): string {
  return Object.values(v)
    .map((d) => `${d.name} ${d.version}`)
    .join(', ');
}

async function executable(cmd: string): Promise<boolean> {
  const candidates = cmd.includes('/') ? [cmd] : (process.env['PATH'] ?? '').split(delimiter).map((d) => join(d, cmd));
  for (const c of candidates) {
    if (await access(c, constants.X_OK).then(() => true, () => false)) return true;
  }
  return false;
}

/**
 * Checks what real-daemon tests need: root (network namespaces, port 179) and every daemon
 * and CLI the harness drives. A missing prerequisite is a loud failure naming it (never a
 * silent skip: `.ci/run` installs all of them).
 */
export async function missingPrerequisites(kinds: readonly PeerKind[] = ['bird', 'frr', 'gobgp', 'openbgpd', 'exabgp']): Promise<void> {
  const why = await whyNot(kinds);
  if (why !== undefined) throw new Error(`real-daemon tests cannot run: ${why} (run as root after .ci/run's apt-get install)`);
}

async function whyNot(kinds: readonly PeerKind[]): Promise<string | undefined> {
  if (process.getuid?.() !== 0) return 'real-daemon tests need root (network namespaces)';
  const needs: Record<PeerKind, string[]> = {
    bird: [BIRD, BIRDC],
    frr: [FRR_BGPD, VTYSH],
    gobgp: [GOBGPD, GOBGP],
    openbgpd: [OPENBGPD, BGPCTL],
    exabgp: [EXABGP, '/usr/bin/tail'],
  };
  const missing: string[] = [];
  for (const cmd of ['ip', ...kinds.flatMap((k) => needs[k])]) if (!(await executable(cmd))) missing.push(cmd);
  return missing.length === 0 ? undefined : `not installed: ${missing.join(', ')}`;
}
