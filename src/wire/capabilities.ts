/**
 * BGP capabilities (RFC 5492) carried in OPEN optional parameters: the typed forms.
 * Encoders and decoders for each capability live below the types. Unknown capabilities are
 * kept as code + bytes so they can be logged and re-encoded unchanged.
 *
 * RFCs: 4760 (multiprotocol), 2918 (route refresh), 7313 (enhanced route refresh),
 * 6793 (4-octet AS), 4724 + 8538 (graceful restart, N bit), 7911 (add-path),
 * 8654 (extended message), draft-walton-bgp-hostname (FQDN), 9234 (role),
 * 9494 (long-lived graceful restart), 8950 (extended next hop),
 * draft-abraitis-bgp-version-capability (software version).
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
 * per-family flags other than R/N/F, RFC 9494 flags other than F) are ignored on receipt
 * and written as zero, as those RFCs require; they are the only bits a round trip drops.
 * This module does no negotiation: intersecting what both sides sent is the session's job.
 */
import { CAP, ERR } from './iana.js';
import { wireError } from './errors.js';
import type { WireError } from './errors.js';

export interface AfiSafi {
  readonly afi: number;
  readonly safi: number;
}

/** RFC 7911 §4 Send/Receive field. */
export type AddPathMode = 'receive' | 'send' | 'both';

export interface GracefulRestartFamily extends AfiSafi {
  /** F bit: forwarding state preserved (RFC 4724 §3). */
  readonly forwardingPreserved: boolean;
}

export interface LlgrFamily extends AfiSafi {
  /** F bit (RFC 9494 §3). */
  readonly forwardingPreserved: boolean;
  /** Long-lived stale time in seconds (24 bits). */
  readonly staleTime: number;
}

export interface ExtendedNextHopEntry extends AfiSafi {
  readonly nextHopAfi: number;
}

export type Capability =
  | { readonly kind: 'multiprotocol'; readonly afi: number; readonly safi: number }
  | { readonly kind: 'routeRefresh' }
  /** Cisco's pre-standard route refresh, code 128: same meaning, kept distinct for re-encoding. */
  | { readonly kind: 'routeRefreshOld' }
  | { readonly kind: 'enhancedRouteRefresh' }
  | { readonly kind: 'fourOctetAs'; readonly asn: number }
  | {
      readonly kind: 'gracefulRestart';
      /** R bit: the sender has restarted (RFC 4724 §3). */
      readonly restarting: boolean;
      /** N bit: the sender supports graceful NOTIFICATION handling (RFC 8538 §2). */
      readonly notification: boolean;
      /** Restart time in seconds (12 bits). */
      readonly restartTime: number;
      readonly families: readonly GracefulRestartFamily[];
    }
  | { readonly kind: 'addPath'; readonly families: readonly (AfiSafi & { readonly mode: AddPathMode })[] }
  | { readonly kind: 'extendedMessage' }
  | { readonly kind: 'extendedNextHop'; readonly entries: readonly ExtendedNextHopEntry[] }
  | { readonly kind: 'fqdn'; readonly hostname: string; readonly domain: string }
  | { readonly kind: 'role'; readonly role: number }
  | { readonly kind: 'longLivedGracefulRestart'; readonly families: readonly LlgrFamily[] }
  | { readonly kind: 'softwareVersion'; readonly version: string }
  /** Any other code, and any known code whose value we could not parse, kept byte-exact. */
  | { readonly kind: 'unknown'; readonly code: number; readonly value: Buffer };

export type CapabilityKind = Capability['kind'];

// ===== codec =====

type KnownKind = Exclude<CapabilityKind, 'unknown'>;

/** The capability code of each typed kind. */
const KIND_CODE: Readonly<Record<KnownKind, number>> = {
  multiprotocol: CAP.MULTIPROTOCOL,
  routeRefresh: CAP.ROUTE_REFRESH,
  routeRefreshOld: CAP.ROUTE_REFRESH_OLD,
  enhancedRouteRefresh: CAP.ENHANCED_ROUTE_REFRESH,
  fourOctetAs: CAP.FOUR_OCTET_AS,
  gracefulRestart: CAP.GRACEFUL_RESTART,
  addPath: CAP.ADD_PATH,
  extendedMessage: CAP.EXTENDED_MESSAGE,
  extendedNextHop: CAP.EXTENDED_NEXT_HOP,
  fqdn: CAP.FQDN,
  role: CAP.ROLE,
  longLivedGracefulRestart: CAP.LONG_LIVED_GRACEFUL_RESTART,
  softwareVersion: CAP.SOFTWARE_VERSION,
};

/** Codes that have a typed kind; any other code is `unknown` without being malformed. */
const TYPED_CODES: ReadonlySet<number> = new Set(Object.values(KIND_CODE));

const GR_RESTARTING = 0x8000; // R bit (RFC 4724 §3)
const GR_NOTIFICATION = 0x4000; // N bit (RFC 8538 §2)
const GR_TIME_MASK = 0x0fff;
const FORWARDING_PRESERVED = 0x80; // F bit (RFC 4724 §3, RFC 9494 §3)
const MAX_VALUE_LENGTH = 255; // Capability Length is one octet (RFC 5492 §4)

const ADD_PATH_MODE: Readonly<Record<AddPathMode, number>> = { receive: 1, send: 2, both: 3 };
const ADD_PATH_BY_VALUE: readonly (AddPathMode | undefined)[] = [undefined, 'receive', 'send', 'both'];

/** The wire code of a capability. */
export function capabilityCode(c: Capability): number {
  return c.kind === 'unknown' ? c.code : KIND_CODE[c.kind];
}

/** Whether this code has a typed form (so `unknown` with this code means malformed). */
export function isTypedCapabilityCode(code: number): boolean {
  return TYPED_CODES.has(code);
}

function valueLength(c: Capability): number {
  switch (c.kind) {
    case 'multiprotocol':
    case 'fourOctetAs':
      return 4;
    case 'routeRefresh':
    case 'routeRefreshOld':
    case 'enhancedRouteRefresh':
    case 'extendedMessage':
      return 0;
    case 'gracefulRestart':
      return 2 + 4 * c.families.length;
    case 'addPath':
      return 4 * c.families.length;
    case 'extendedNextHop':
      return 6 * c.entries.length;
    case 'fqdn':
      return 2 + Buffer.byteLength(c.hostname, 'utf8') + Buffer.byteLength(c.domain, 'utf8');
    case 'role':
      return 1;
    case 'longLivedGracefulRestart':
      return 7 * c.families.length;
    case 'softwareVersion':
      return 1 + Buffer.byteLength(c.version, 'utf8');
    case 'unknown':
      return c.value.length;
  }
}

/**
 * Octets the capability takes on the wire: code, length and value. Throws RangeError (a
 * caller bug, not a wire error) if the value does not fit the one-octet length.
 */
export function capabilityLength(c: Capability): number {
  const n = valueLength(c);
  if (n > MAX_VALUE_LENGTH) throw new RangeError(`capability ${capabilityCode(c)} value is ${n} octets (max 255)`);
  return 2 + n;
}

/** Sum of `capabilityLength` over a list. */
export function capabilitiesLength(caps: readonly Capability[]): number {
  let n = 0;
  for (const c of caps) n += capabilityLength(c);
  return n;
}

/** Writes code, length and value at `offset`; returns the offset after it. */
export function encodeCapabilityInto(c: Capability, buf: Buffer, offset: number): number {
  const len = capabilityLength(c) - 2;
  buf.writeUInt8(capabilityCode(c), offset);
  buf.writeUInt8(len, offset + 1);
  let at = offset + 2;
  switch (c.kind) {
    case 'multiprotocol':
      at = buf.writeUInt16BE(c.afi, at);
      at = buf.writeUInt8(0, at); // reserved (RFC 4760 §8)
      return buf.writeUInt8(c.safi, at);
    case 'routeRefresh':
    case 'routeRefreshOld':
    case 'enhancedRouteRefresh':
    case 'extendedMessage':
      return at;
    case 'fourOctetAs':
      return buf.writeUInt32BE(c.asn, at);
    case 'gracefulRestart': {
      if (c.restartTime > GR_TIME_MASK) throw new RangeError(`restart time ${c.restartTime} exceeds 12 bits`);
      const flags = (c.restarting ? GR_RESTARTING : 0) | (c.notification ? GR_NOTIFICATION : 0);
      at = buf.writeUInt16BE(flags | c.restartTime, at);
      for (const f of c.families) {
        at = buf.writeUInt16BE(f.afi, at);
        at = buf.writeUInt8(f.safi, at);
        at = buf.writeUInt8(f.forwardingPreserved ? FORWARDING_PRESERVED : 0, at);
      }
      return at;
    }
    case 'addPath':
      for (const f of c.families) {
        at = buf.writeUInt16BE(f.afi, at);
        at = buf.writeUInt8(f.safi, at);
        at = buf.writeUInt8(ADD_PATH_MODE[f.mode], at);
      }
      return at;
    case 'extendedNextHop':
      for (const e of c.entries) {
        at = buf.writeUInt16BE(e.afi, at);
        at = buf.writeUInt16BE(e.safi, at);
        at = buf.writeUInt16BE(e.nextHopAfi, at);
      }
      return at;
    case 'fqdn':
      at = writeShortString(buf, at, c.hostname);
      return writeShortString(buf, at, c.domain);
    case 'role':
      return buf.writeUInt8(c.role, at);
    case 'longLivedGracefulRestart':
      for (const f of c.families) {
        if (f.staleTime > 0xffffff) throw new RangeError(`stale time ${f.staleTime} exceeds 24 bits`);
        at = buf.writeUInt16BE(f.afi, at);
        at = buf.writeUInt8(f.safi, at);
        at = buf.writeUInt8(f.forwardingPreserved ? FORWARDING_PRESERVED : 0, at);
        at = buf.writeUIntBE(f.staleTime, at, 3);
      }
      return at;
    case 'softwareVersion':
      return writeShortString(buf, at, c.version);
    case 'unknown':
      return at + c.value.copy(buf, at);
  }
}

/** Writes a list of capabilities back to back (the value of a capabilities parameter). */
export function encodeCapabilitiesInto(caps: readonly Capability[], buf: Buffer, offset: number): number {
  let at = offset;
  for (const c of caps) at = encodeCapabilityInto(c, buf, at);
  return at;
}

function writeShortString(buf: Buffer, offset: number, s: string): number {
  const n = Buffer.byteLength(s, 'utf8');
  buf.writeUInt8(n, offset);
  return offset + 1 + buf.write(s, offset + 1, n, 'utf8');
}

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
