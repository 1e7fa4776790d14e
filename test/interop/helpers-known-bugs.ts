/**
 * meshrr bugs these interop tests found and that are not fixed yet, as strict expected
 * failures (STYLE.md §7): a listed (file, daemon, check) must fail; once it passes, the check
 * fails with "fixed? remove the entry", so the table never outlives the bug. Each entry says
 * what goes wrong and where the fix belongs.
 */
import type { Row } from './helpers-matrix.js';

export interface KnownBug {
  readonly id: string;
  readonly file: string;
  readonly rows: readonly Row[];
  readonly checks: readonly string[];
  readonly reason: string;
}

export const KNOWN_BUGS: readonly KnownBug[] = [
  {
    id: 'outbound-retries-while-established',
    file: 'collision',
    rows: ['bird', 'openbgpd', 'gobgp'],
    checks: ['collision-one-session'],
    reason:
      'src/session/peer.ts: when the inbound connection wins the collision, the outbound FSM (in OpenSent, ' +
      'closed by the daemon) falls back to Active and its ConnectRetryTimer keeps opening new connections while ' +
      'the peer is Established (every second with connect retry 1 s); connectionStates() never drops to one. ' +
      'With graceful restart negotiated, the OPEN on such a connection even takes the "peer restarted" branch ' +
      'of onOpenReceived and drops the Established session (seen with BIRD and OpenBGPD)',
  },
  {
    id: 'stopped-idle-outbound-never-finishes',
    file: 'collision',
    rows: ['frr'],
    checks: ['collision-one-session', 'collision-then-reconnect'],
    reason:
      'src/session/peer.ts onEstablished stops the outbound FSM while it waits in Idle on its IdleHoldTimer ' +
      '(FRR sent it Cease/Connection Collision Resolution): ManualStop in Idle only cancels the timer, ' +
      'onFinished never runs, the dead FSM stays in connectionStates() and blocks ensureOutbound(), so meshrr ' +
      'never connects to this peer again',
  },
];

/** The known bug covering (file, row, check), if any. */
export function knownBug(file: string, row: Row, check: string): KnownBug | undefined {
  return KNOWN_BUGS.find((b) => b.file === file && b.rows.includes(row) && b.checks.includes(check));
}
