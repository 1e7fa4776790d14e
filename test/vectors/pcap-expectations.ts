/**
 * Hand-analysed outcomes for the capture messages where tshark and a clean decode do not
 * simply agree: every message tshark marks "Malformed Packet", and every message tshark
 * dissects cleanly but that we classify (or the reverse). Outcome strings are those of
 * pcap-tshark.test.ts: "clean", an RFC 7606 action, or "reset code/subcode". Message
 * numbers are the index among the BGP messages tshark dissected in the capture.
 */
import type { Fields } from './helpers-tshark-fields.js';

export interface Expectation {
  readonly file: string;
  readonly messages: readonly number[];
  readonly outcome: string;
  readonly why: string;
  /** Fields to compare ours with instead of tshark's, when tshark's dissection is wrong. */
  readonly fields?: Fields;
}

const T = 'tcpdump-tests/';

const BAD_MARKER = 'the 16-octet marker is not all ones: Message Header Error / Connection Not Synchronized (RFC 4271 §6.1)';
const ATTR_LEN_OVERRUNS_MESSAGE = 'Total Path Attribute Length runs past the end of the message: the NLRI cannot be located, so session reset with Malformed Attribute List (RFC 4271 §6.3, RFC 7606 §4)';
const VPN_TOO_SHORT =
  'MP_REACH_NLRI for IPv4 MPLS VPN (SAFI 128) whose last NLRI has prefix length 52, less than label + RD (88 bits): the VPN routes cannot be located, so RFC 7606 §5.3 makes it a session reset (MP_REACH_NLRI error, Optional Attribute Error 3/9); tshark flags it too.';
const BGPSEC =
  'BGPsec UPDATE: BGPsec_PATH (33) replaces AS_PATH (RFC 8205 §3). Without BGPsec negotiated (meshrr never offers it) AS_PATH is a missing well-known attribute: treat-as-withdraw (RFC 7606 §3d). tshark does not check for it.';

export const EXPECTATIONS: readonly Expectation[] = [
  {
    file: `${T}bgp-addpath.pcap`,
    messages: [0],
    outcome: 'reset 3/1',
    why: 'hand-made UPDATE with every attribute flagged 0x40: NEXT_HOP of length 0 (what tshark flags; RFC 7606 §7.3 treat-as-withdraw), then MP_REACH_NLRI with flags 0x40 instead of 0x80 (Attribute Flags Error: RFC 7606 §3c treat-as-withdraw, the NLRI still being locatable), then MP_REACH and MP_UNREACH a second time: a duplicate MP attribute is a session reset with Malformed Attribute List (RFC 7606 §3g).',
  },
  {
    file: `${T}bgp-aigp-oobr.pcap`,
    messages: [0],
    outcome: 'treatAsWithdraw',
    why: 'AS_PATH type code fuzzed to 171 with flags 0x40: an unrecognised well-known attribute, and AS_PATH missing (RFC 7606 §3d); tshark shows attribute 171 as unknown without flagging it',
  },
  { file: `${T}bgp-aigp-oobr.pcap`, messages: [1], outcome: 'reset 1/1', why: BAD_MARKER },
  {
    file: `${T}bgp-aigp-oobr.pcap`,
    messages: [2],
    outcome: 'treatAsWithdraw',
    why: 'AS_PATH type code fuzzed to 114 (unrecognised well-known, AS_PATH then missing: RFC 7606 §3d)',
  },
  {
    file: `${T}bgp-aigp-oobr.pcap`,
    messages: [4, 8],
    outcome: 'treatAsWithdraw',
    why: 'AIGP TLV length 4352 overruns the attribute (RFC 7311 §3.1 / RFC 7606: attribute discard) and ORIGINATOR_ID length 1196 overruns the attribute field (RFC 7606 §4: treat-as-withdraw, the stronger action wins)',
  },
  { file: `${T}bgp-as-path-oobr.pcap`, messages: [1], outcome: 'reset 3/9', why: VPN_TOO_SHORT },
  {
    file: `${T}bgp-as-path-oobr.pcap`,
    messages: [2],
    outcome: 'treatAsWithdraw',
    why: 'CLUSTER_LIST of 37 octets, not a multiple of 4 (RFC 7606 §7.10), then attribute 73 overrunning the attribute field (RFC 7606 §4)',
  },
  { file: `${T}bgp-as-path-oobr.pcap`, messages: [4], outcome: 'reset 3/1', why: ATTR_LEN_OVERRUNS_MESSAGE },
  {
    file: `${T}bgp-as-path-oobr.pcap`,
    messages: [5],
    outcome: 'treatAsWithdraw',
    why: 'attribute code 0 with the Optional bit clear (unrecognised well-known) and AS4_PATH overrunning the attribute field (RFC 7606 §4)',
  },
  {
    file: `${T}bgp-as-path-oobr.pcap`,
    messages: [6],
    outcome: 'treatAsWithdraw',
    why: 'LOCAL_PREF of 12 octets (RFC 7606 §7.5), attribute 0 twice (§3g: later copy discarded), attribute 172 overrunning the field (§4)',
  },
  { file: `${T}bgp-as-path-oobr.pcap`, messages: [8, 14], outcome: 'reset 1/1', why: BAD_MARKER },
  {
    file: `${T}bgp-as-path-oobr.pcap`,
    messages: [10],
    outcome: 'treatAsWithdraw',
    why: 'ORIGIN with the Extended Length bit and length 29442, overrunning the attribute field (RFC 7606 §4)',
  },
  {
    file: `${T}bgp-as-path-oobr.pcap`,
    messages: [11],
    outcome: 'treatAsWithdraw',
    why: 'AS4_PATH with flags 0xac (Optional/Transitive conflict: §3c, discard for AS4_PATH), attribute 128 as well-known, ORIGIN overrunning the field (§4)',
  },
  {
    file: `${T}bgp-as-path-oobr.pcap`,
    messages: [13],
    outcome: 'treatAsWithdraw',
    why: 'EXTENDED_COMMUNITIES with length 2048 overrunning the attribute field (RFC 7606 §4)',
  },
  {
    file: `${T}bgp-bgp_capabilities_print-oobr-1.pcap`,
    messages: [0],
    outcome: 'reset 2/1',
    why: 'OPEN version 255: Unsupported Version Number (RFC 4271 §6.2), checked before the capabilities tshark trips on',
  },
  {
    file: `${T}bgp-bgp_capabilities_print-oobr-2.pcap`,
    messages: [0],
    outcome: 'reset 2/1',
    why: 'OPEN version 255: Unsupported Version Number (RFC 4271 §6.2)',
  },
  {
    file: `${T}bgp-extended-optional-parameters-length.pcapng`,
    messages: [0],
    outcome: 'clean',
    why: 'OPEN with RFC 9072 extended optional parameters (Non-Ext OP Len 255, Type 255, length 108): tshark 4.0 does not know RFC 9072 and flags it; we decode it. Fields below are from tcpdump`s expected output bgp-extended-optional-parameters-length.out.',
    fields: { type: 1, length: 140, version: 4, myAs: 174, holdTime: 180, bgpId: '6.6.6.6', capabilities: [1, 1, 128, 2, 70, 65, 6, 69, 73, 64, 71] },
  },
  {
    file: `${T}bgp-infinite-loop.pcap`,
    messages: [0, 1, 2, 3, 4],
    outcome: 'reset 1/2',
    why: 'UPDATE with length 19, shorter than the 23 octets of an empty UPDATE: Message Header Error / Bad Message Length (RFC 4271 §6.1); tshark shows an empty UPDATE',
  },
  {
    file: `${T}bgp-orf.pcapng`,
    messages: [0, 1],
    outcome: 'clean',
    why: 'ROUTE-REFRESH carrying an Address Prefix ORF (type 64, RFC 5292); tshark 4.0 calls ORF type 64 unknown. We keep ORF entries raw (RFC 5291 is out of scope); AFI, SAFI and subtype still compared with tshark',
  },
  { file: `${T}bgp-ub.pcap`, messages: [0], outcome: 'reset 3/9', why: VPN_TOO_SHORT },
  {
    file: `${T}bgp-ub.pcap`,
    messages: [1],
    outcome: 'treatAsWithdraw',
    why: 'CLUSTER_LIST of 37 octets (RFC 7606 §7.10) and attribute 73 overrunning the field (§4)',
  },
  { file: `${T}bgp-ub.pcap`, messages: [3], outcome: 'reset 3/1', why: ATTR_LEN_OVERRUNS_MESSAGE },
  { file: `${T}bgp-ub.pcap`, messages: [4], outcome: 'reset 1/1', why: `${BAD_MARKER} (tshark reads 3609 octets of garbage as message type 0)` },
  { file: `${T}bgp_mp_reach_nlri-oobr.pcap`, messages: [0], outcome: 'reset 3/1', why: ATTR_LEN_OVERRUNS_MESSAGE },
  { file: `${T}bgp_mvpn_6_and_7_oobr.pcap`, messages: [0], outcome: 'reset 3/1', why: ATTR_LEN_OVERRUNS_MESSAGE },
  { file: `${T}bgp_mvpn_6_and_7_oobr.pcap`, messages: [1], outcome: 'reset 1/1', why: `${BAD_MARKER} (tail of the segment, type 20)` },
  { file: `${T}bgp_pmsi_tunnel-oobr.pcap`, messages: [0], outcome: 'reset 3/1', why: ATTR_LEN_OVERRUNS_MESSAGE },
  { file: `${T}bgp_vpn_rt-oobr.pcap`, messages: [0], outcome: 'reset 3/1', why: ATTR_LEN_OVERRUNS_MESSAGE },
  { file: `${T}bgp-bgpsec.pcap`, messages: [5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 21, 22, 23, 24, 25, 26, 27, 28, 29, 30], outcome: 'treatAsWithdraw', why: BGPSEC },
  { file: `${T}bgpsec_invalid_signature_block_length.pcap`, messages: [0], outcome: 'treatAsWithdraw', why: BGPSEC },
];

/** Expectations by "file#index". */
export function expectationIndex(): Map<string, Expectation> {
  const m = new Map<string, Expectation>();
  for (const e of EXPECTATIONS) {
    for (const i of e.messages) {
      const key = `${e.file}#${i}`;
      if (m.has(key)) throw new Error(`duplicate expectation ${key}`);
      m.set(key, e);
    }
  }
  return m;
}
