/**
 * Capability decoder (RFC 5492 §4): the TLV list of a capabilities optional parameter into
 * typed capabilities, and the checks that find malformed values.
 *
 * Malformed values: `decodeCapability` never throws; a known code whose value has the wrong
 * length or shape is kept as `kind: 'unknown'` (a copy of its bytes), so the OPEN still
 * decodes and re-encodes byte for byte. Whether that is fatal is a session decision (it
 * knows which capabilities it relies on): `capabilityProblems` lists such entries and
 * `malformedCapabilityError` gives the NOTIFICATION both FRR (`bgp_capability_parse`,
 * BGP_NOTIFY_OPEN_MALFORMED_ATTR) and BIRD (`bgp_read_capabilities`, `bgp_error(conn, 2, 0)`)
 * send for it: OPEN Message Error / subcode 0 (Unspecific). A truncated capability TLV is
 * different: the rest of the list cannot be located, so `decodeCapabilities` fails.
 * Reserved bits and octets (RFC 4760 §8 reserved octet, RFC 4724 §3 restart flags and
 * per-family flags other than R/N/F, RFC 9494 flags other than F) are ignored on receipt;
 * they are the only bits a round trip drops.
 */
import { CAP, ERR } from './iana.js';
import { wireError } from './errors.js';
import type { WireError } from './errors.js';
import { ADD_PATH_BY_VALUE, FORWARDING_PRESERVED, GR_NOTIFICATION, GR_RESTARTING, GR_TIME_MASK, TYPED_CODES } from './capabilities.js';
import type { AddPathMode, AfiSafi, Capability, ExtendedNextHopEntry, GracefulRestartFamily, LlgrFamily } from './capabilities.js';

/** The UTF-8 text of `v[start, end)`, or null unless it re-encodes to the same bytes. */
function exactUtf8(v: Buffer, start: number, end: number): string | null {
  const bytes = v.subarray(start, end);
  const s = bytes.toString('utf8');
  return Buffer.from(s, 'utf8').equals(bytes) ? s : null;
}

/**
 * Why `value` is not a well-formed value for capability `code`, or null if it is (or if the
 * code has no typed form, which is not an error: RFC 5492 §3 says to ignore it).
 */
export function validateCapability(code: number, value: Buffer): string | null {
  const n = value.length;
  switch (code) {
    case CAP.MULTIPROTOCOL:
    case CAP.FOUR_OCTET_AS:
      return n === 4 ? null : `length ${n}, expected 4`;
    case CAP.ROUTE_REFRESH:
    case CAP.ROUTE_REFRESH_OLD:
    case CAP.ENHANCED_ROUTE_REFRESH:
    case CAP.EXTENDED_MESSAGE:
      // BIRD rejects a non-empty value too; FRR accepts any length for route refresh.
      return n === 0 ? null : `length ${n}, expected 0`;
    case CAP.ROLE:
      return n === 1 ? null : `length ${n}, expected 1`;
    case CAP.GRACEFUL_RESTART:
      return n >= 2 && (n - 2) % 4 === 0 ? null : `length ${n}, expected 2 + 4k`;
    case CAP.ADD_PATH: {
      if (n % 4 !== 0) return `length ${n}, expected 4k`;
      for (let i = 3; i < n; i += 4) {
        const mode = value[i] ?? 0;
        // RFC 7911 §4 defines 1-3 only; BIRD ignores the whole capability, we flag it.
        if (ADD_PATH_BY_VALUE[mode] === undefined) return `send/receive value ${mode}`;
      }
      return null;
    }
    case CAP.EXTENDED_NEXT_HOP:
      return n % 6 === 0 ? null : `length ${n}, expected 6k`;
    case CAP.LONG_LIVED_GRACEFUL_RESTART:
      return n % 7 === 0 ? null : `length ${n}, expected 7k`;
    case CAP.FQDN: {
      const h = value[0];
      if (h === undefined || 1 + h >= n) return 'hostname overruns the value';
      const d = value[1 + h] ?? 0;
      if (2 + h + d !== n) return `domain length ${d} does not end the value`;
      if (exactUtf8(value, 1, 1 + h) === null || exactUtf8(value, 2 + h, n) === null) return 'not UTF-8';
      return null;
    }
    case CAP.SOFTWARE_VERSION: {
      const len = value[0];
      if (len === undefined || 1 + len !== n) return `version length does not match value length ${n}`;
      return exactUtf8(value, 1, n) === null ? 'not UTF-8' : null;
    }
    default:
      return null;
  }
}

/**
 * Decodes one capability value (already cut to its length). Never throws: unknown codes and
 * malformed known ones come back as `kind: 'unknown'` with a copy of the bytes.
 */
export function decodeCapability(code: number, value: Buffer): Capability {
  if (!TYPED_CODES.has(code) || validateCapability(code, value) !== null) {
    return { kind: 'unknown', code, value: Buffer.from(value) };
  }
  const n = value.length;
  switch (code) {
    case CAP.MULTIPROTOCOL:
      return { kind: 'multiprotocol', afi: value.readUInt16BE(0), safi: value.readUInt8(3) };
    case CAP.ROUTE_REFRESH:
      return { kind: 'routeRefresh' };
    case CAP.ROUTE_REFRESH_OLD:
      return { kind: 'routeRefreshOld' };
    case CAP.ENHANCED_ROUTE_REFRESH:
      return { kind: 'enhancedRouteRefresh' };
    case CAP.EXTENDED_MESSAGE:
      return { kind: 'extendedMessage' };
    case CAP.FOUR_OCTET_AS:
      return { kind: 'fourOctetAs', asn: value.readUInt32BE(0) };
    case CAP.ROLE:
      return { kind: 'role', role: value.readUInt8(0) };
    case CAP.GRACEFUL_RESTART: {
      const head = value.readUInt16BE(0);
      const families: GracefulRestartFamily[] = [];
      for (let i = 2; i < n; i += 4) {
        const forwardingPreserved = (value.readUInt8(i + 3) & FORWARDING_PRESERVED) !== 0;
        families.push({ afi: value.readUInt16BE(i), safi: value.readUInt8(i + 2), forwardingPreserved });
      }
      return {
        kind: 'gracefulRestart',
        restarting: (head & GR_RESTARTING) !== 0,
        notification: (head & GR_NOTIFICATION) !== 0,
        restartTime: head & GR_TIME_MASK,
        families,
      };
    }
    case CAP.ADD_PATH: {
      const families: (AfiSafi & { readonly mode: AddPathMode })[] = [];
      for (let i = 0; i < n; i += 4) {
        const mode = ADD_PATH_BY_VALUE[value.readUInt8(i + 3)] ?? 'both'; // validated above
        families.push({ afi: value.readUInt16BE(i), safi: value.readUInt8(i + 2), mode });
      }
      return { kind: 'addPath', families };
    }
    case CAP.EXTENDED_NEXT_HOP: {
      const entries: ExtendedNextHopEntry[] = [];
      for (let i = 0; i < n; i += 6) {
        entries.push({ afi: value.readUInt16BE(i), safi: value.readUInt16BE(i + 2), nextHopAfi: value.readUInt16BE(i + 4) });
      }
      return { kind: 'extendedNextHop', entries };
    }
    case CAP.LONG_LIVED_GRACEFUL_RESTART: {
      const families: LlgrFamily[] = [];
      for (let i = 0; i < n; i += 7) {
        const forwardingPreserved = (value.readUInt8(i + 3) & FORWARDING_PRESERVED) !== 0;
        const staleTime = value.readUIntBE(i + 4, 3);
        families.push({ afi: value.readUInt16BE(i), safi: value.readUInt8(i + 2), forwardingPreserved, staleTime });
      }
      return { kind: 'longLivedGracefulRestart', families };
    }
    case CAP.FQDN: {
      const h = value.readUInt8(0);
      return { kind: 'fqdn', hostname: value.toString('utf8', 1, 1 + h), domain: value.toString('utf8', 2 + h, n) };
    }
    case CAP.SOFTWARE_VERSION:
      return { kind: 'softwareVersion', version: value.toString('utf8', 1, n) };
    default:
      return { kind: 'unknown', code, value: Buffer.from(value) };
  }
}

/** A known capability whose value could not be parsed. */
export interface CapabilityProblem {
  readonly code: number;
  readonly value: Buffer;
  readonly detail: string;
}

export type CapabilitiesResult =
  | { readonly ok: true; readonly capabilities: Capability[]; readonly problems: CapabilityProblem[] }
  | { readonly ok: false; readonly error: WireError };

/**
 * Decodes the TLV list inside a capabilities optional parameter (RFC 5492 §4). A TLV that
 * overruns the list is an OPEN Message Error / 0 result (FRR: "Capability length error",
 * BIRD: `bgp_read_capabilities` goto err); malformed values are listed in `problems` and
 * kept as `unknown` (see the module comment). Never throws.
 */
export function decodeCapabilities(buf: Buffer): CapabilitiesResult {
  const capabilities: Capability[] = [];
  let at = 0;
  while (at < buf.length) {
    if (buf.length - at < 2) return truncated(`capability header truncated at ${at}`);
    const code = buf.readUInt8(at);
    const len = buf.readUInt8(at + 1);
    const end = at + 2 + len;
    if (end > buf.length) return truncated(`capability ${code} length ${len} overruns the parameter`);
    capabilities.push(decodeCapability(code, buf.subarray(at + 2, end)));
    at = end;
  }
  return { ok: true, capabilities, problems: capabilityProblems(capabilities) };
}

function truncated(detail: string): CapabilitiesResult {
  return { ok: false, error: wireError('badCapability', 'sessionReset', ERR.OPEN_MESSAGE, 0, detail) };
}

/** Known-code capabilities in `caps` that were kept as `unknown` because they are malformed. */
export function capabilityProblems(caps: readonly Capability[]): CapabilityProblem[] {
  const out: CapabilityProblem[] = [];
  for (const c of caps) {
    if (c.kind === 'unknown' && TYPED_CODES.has(c.code)) {
      out.push({ code: c.code, value: c.value, detail: validateCapability(c.code, c.value) ?? 'malformed' });
    }
  }
  return out;
}

/**
 * The NOTIFICATION for a malformed capability the session relies on: OPEN Message Error,
 * subcode 0 (Unspecific), no data, as FRR and BIRD send (see the module comment).
 */
export function malformedCapabilityError(p: CapabilityProblem): WireError {
  return wireError('badCapability', 'sessionReset', ERR.OPEN_MESSAGE, 0, `capability ${p.code}: ${p.detail}`);
}
