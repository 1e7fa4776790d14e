/**
 * A test's real-daemon "lab": one temp dir, the namespaces and the daemons a test starts, and
 * one teardown that stops every daemon, destroys every namespace and removes the temp dir.
 * On failure the teardown first prints each daemon's log tail, then keeps the files (and
 * prints where) so the configs and full logs can be read.
 *
 *     await withLab('rr-basic', async (lab) => {
 *       const ns = await lab.netns();
 *       const b = await lab.start(bird.start, { name: 'b1', netns: ns, ... });
 *       ...
 *     });
 *
 * Must not: leave a process or namespace behind on any path, including a failed start.
 */
import type { Netns } from '../netns.js';
import { createNetns } from '../netns.js';
import type { TmpDir } from '../tmp.js';
import { makeTmpDir } from '../tmp.js';
import type { PeerHandle, PeerOptions } from './types.js';

export interface Lab {
  readonly tmp: TmpDir;
  /** The temp dir path (each daemon gets `<dir>/<name>/`). */
  readonly dir: string;
  /** A new namespace (`lo` up), destroyed with the lab. */
  netns(label?: string): Promise<Netns>;
  /** Start a daemon with `dir` filled in, and track it. */
  start<O extends PeerOptions, P extends PeerHandle>(starter: (opts: O) => Promise<P>, opts: Omit<O, 'dir'>): Promise<P>;
  /** Track a daemon started elsewhere. */
  add<P extends PeerHandle>(peer: P): P;
  readonly peers: readonly PeerHandle[];
  readonly namespaces: readonly Netns[];
  /** Stop everything (idempotent); `failed` prints log tails and keeps the files. */
  close(opts?: { failed?: boolean }): Promise<void>;
}

export async function createLab(label: string): Promise<Lab> {
  const tmp = await makeTmpDir(label);
  const peers: PeerHandle[] = [];
  const namespaces: Netns[] = [];
  let closed = false;
  const lab: Lab = {
    tmp,
    dir: tmp.path,
    peers,
    namespaces,
    async netns(nsLabel) {
      const ns = await createNetns(nsLabel ?? label);
      namespaces.push(ns);
      return ns;
    },
    async start(starter, opts) {
      // `O` is only known to extend PeerOptions, so the spread needs the cast back to O.
      const peer = await starter({ ...opts, dir: tmp.path } as Parameters<typeof starter>[0]);
      peers.push(peer);
      return peer;
    },
    add(peer) {
      peers.push(peer);
      return peer;
    },
    async close(opts) {
      if (closed) return;
      closed = true;
      const failed = opts?.failed === true;
      if (failed) {
        for (const p of peers) process.stderr.write(`# --- ${p.kind} ${p.name} (${p.logFile}) ---\n${await p.logTail(40)}\n`);
      }
      const errors: unknown[] = [];
      for (const p of [...peers].reverse()) await p.stop({ keepFiles: failed }).catch((e: unknown) => errors.push(e));
      for (const ns of namespaces) await ns.destroy().catch((e: unknown) => errors.push(e));
      await tmp.cleanup({ failed });
      if (errors.length > 0) throw new AggregateError(errors, `lab ${label}: teardown failed`);
    },
  };
  return lab;
}

/** Run `fn` in a fresh lab and tear it down afterwards (keeping files when `fn` threw). */
export async function withLab<T>(label: string, fn: (lab: Lab) => Promise<T>): Promise<T> {
  const lab = await createLab(label);
  let result: T;
  try {
    result = await fn(lab);
  } catch (err) {
    // Keep the test's own error; a teardown problem on top of it is only printed.
    await lab.close({ failed: true }).catch((e: unknown) => process.stderr.write(`# lab ${label} teardown: ${String(e)}\n`));
    throw err;
  }
  await lab.close();
  return result;
}
