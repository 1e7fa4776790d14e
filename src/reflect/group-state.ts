/**
 * The state shapes of an update group, shared by update-group.ts (the log and members) and
 * catch-up.ts (state-based resends).
 *
 * Owns: types only.
 */
import type { NlriTable } from '../rib/nlri-table.js';
import type { AddPathOut } from './add-path-out.js';
import type { PendingAnnouncements } from './pending-announce.js';

export interface MemberPort {
  /** RIB peer index of the member. */
  readonly index: number;
  write(msg: Buffer): boolean;
  readonly writable: boolean;
  /** Batch the writes of one pump into one system call (socket cork/uncork), when supported. */
  cork?(): void;
  uncork?(): void;
}

export interface GroupFamily {
  readonly afi: number;
  readonly safi: number;
  readonly table: NlriTable;
  /** RFC 7911 add-path send: 0 (off), N best paths, or 'all'. */
  readonly addPath: number | 'all';
}

export interface Packet {
  readonly buf: Buffer;
  /** Member index not to send to, or -1. */
  readonly skip: number;
  /** Member index this packet is only for, or -1. */
  readonly only: number;
}

export interface CatchUp {
  walkPos: number;
  walkEnd: number;
  readonly dirty: Set<number>;
  owedWithdraw: Buffer[];
  /** Written before the first catch-up packet (BoRR, RFC 7313), or null. */
  start: Buffer | null;
  /** Written after the last one: End-of-RIB (RFC 4724), EoRR (RFC 7313), or null. */
  end: Buffer | null;
}

export interface Member {
  readonly port: MemberPort;
  /** Index into the log (absolute sequence number). */
  cursor: number;
  /** Per family; null when in sync with the log. */
  readonly catchUp: (CatchUp | null)[];
}

export interface FamilyState {
  readonly fam: GroupFamily;
  /** Adj-RIB-Out: export entry per prefix id, -1 none. */
  out: Int32Array;
  /** The peer the advertised route came from, -1 none. */
  outSource: Int32Array;
  /** Announcements owed since the last flush, by (entry, skip). */
  readonly pend: PendingAnnouncements;
  pendWd: Buffer[];
  pendWdOnly: Map<number, Buffer[]>;
  /** Set when the family sends path identifiers (add-path); the arrays above are then unused. */
  addPath: AddPathOut | null;
}
