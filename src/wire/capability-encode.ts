/**
 * Capability encoder (RFC 5492 §4): the length of each capability and its code, length and
 * value written into a caller's buffer. Reserved bits and octets (RFC 4760 §8 reserved octet,
 * RFC 4724 §3 restart flags and per-family flags other than R/N/F, RFC 9494 flags other than
 * F) are written as zero, as those RFCs require. Throws RangeError only for caller bugs (a
 * value that does not fit its field), never for wire input: this module decodes nothing.
 */
import {
  ADD_PATH_MODE,
  FORWARDING_PRESERVED,
  GR_NOTIFICATION,
  GR_RESTARTING,
  GR_TIME_MASK,
  MAX_VALUE_LENGTH,
  capabilityCode,
} from './capabilities.js';
import type { Capability } from './capabilities.js';

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
