/**
 * meshrr's session layer against five real daemons (issue 4, "Proof"): for BIRD, FRR, GoBGP,
 * OpenBGPD and ExaBGP, each in namespaces of its own joined to this process by veth pairs:
 * Established with meshrr passive and active over IPv4 and IPv6 transport, the negotiated
 * capabilities from both sides' views, hold timer expiry against a frozen peer (Hold Timer
 * Expired sent, state left Established) and re-establishment after a restart (collision.test.ts
 * has the connection collision). The five daemons run concurrently (helpers-sessions.ts
 * has the checks); the matrix is printed at the end.
 */
import { after, before, describe, it } from 'node:test';
import { sweepStaleNetns } from '../helpers/netns.js';
import type { Lab, PeerKind } from '../helpers/peers/index.js';
import { createLab, missingPrerequisites } from '../helpers/peers/index.js';
import { KINDS } from './helpers-daemons.js';
import { Matrix, teardown } from './helpers-matrix.js';
import { startMeshrr, type Meshrr } from './helpers-meshrr.js';
import { createLink, randomPort, type Link } from './helpers-net.js';
import { sessionChecks, type SessionEnv } from './helpers-sessions.js';

// Fails loudly, naming what is missing (never a silent skip).
await missingPrerequisites();
/** Links 0..9 of 198.51.100.0/24: two per daemon kind. */
const LINK_BASE = 0;

describe('interop: sessions with five real daemons', { concurrency: true }, () => {
  const matrix = new Matrix('sessions');
  const links: Link[] = [];
  let lab: Lab | undefined;
  let meshrr: Meshrr | undefined;
  let env: SessionEnv | undefined;
  let failed = false;

  before(async () => {
    await sweepStaleNetns();
    lab = await createLab('interop-sessions');
    const byKind = await Promise.all(
      KINDS.map(async (kind, k) => {
        const ls = await Promise.all(
          [0, 1].map(async (j) => {
            const l = await createLink(LINK_BASE + k * 2 + j, `${kind.slice(0, 4)}${j}`);
            links.push(l);
            return l;
          }),
        );
        return [kind, [ls[0], ls[1]]] as const;
      }),
    );
    meshrr = await startMeshrr({ listen: links.flatMap((l) => [l.root4, l.root6]), port: randomPort() });
    const byKindMap = new Map<PeerKind, readonly [Link, Link]>();
    for (const [kind, [a, b]] of byKind) if (a !== undefined && b !== undefined) byKindMap.set(kind, [a, b]);
    env = { lab, meshrr, matrix, links: byKindMap };
  });

  after(() =>
    teardown([
      () => matrix.print(),
      () => meshrr?.shutdown(),
      () => (failed && lab !== undefined ? meshrr?.saveLog(`${lab.dir}/meshrr.log`) : undefined),
      () => lab?.close({ failed }),
      ...links.map((l) => () => l.destroy()),
    ]),
  );

  for (const kind of KINDS) {
    it(kind, async () => {
      if (env === undefined) throw new Error('setup failed');
      try {
        await sessionChecks(env, kind);
      } catch (err) {
        failed = true;
        throw err;
      }
    });
  }
});
