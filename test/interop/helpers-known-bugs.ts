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
  // Both bugs found by the collision tests are fixed (src/session/peer.ts parks an outbound
  // connection that falls back while another connection is Established, and takes the
  // graceful-restart branch only for inbound OPENs; src/session/fsm-connecting.ts releases a
  // connection stopped in Idle so the peer can start a new one).
];

/** The known bug covering (file, row, check), if any. */
export function knownBug(file: string, row: Row, check: string): KnownBug | undefined {
  return KNOWN_BUGS.find((b) => b.file === file && b.rows.includes(row) && b.checks.includes(check));
}
