// OPEN building, validation and capability negotiation (RFC 4271 §6.2, RFC 5492, 6286, 6793,
// 4760, 7911, 4724/8538, 8654, 9234), and the peer configuration check.
import { strict as assert } from 'node:assert';
import { describe, it } from 'node:test';
import type { Capability } from '../../src/wire/capabilities.js';
import { hasAddPath } from '../../src/wire/context.js';
import { AS_TRANS, ERR, OPEN_SUB, ROLE } from '../../src/wire/iana.js';
import type { OpenMessage } from '../../src/wire/open.js';
import { capabilitiesOf, decodeOpen, encodeOpen } from '../../src/wire/open.js';
import type { OpenVerdict } from '../../src/session/negotiate.js';
import { validateOpen } from '../../src/session/negotiate.js';
import type { Negotiated } from '../../src/session/negotiated.js';
import { advertisedCapabilities, buildOpen, knownExternal } from '../../src/session/open-build.js';
import type { LocalConfig, PeerSessionConfig } from '../../src/session/peer-config.js';
import { defaultPeerConfig, IPV4_UNICAST, validatePeerConfig } from '../../src/session/peer-config.js';
import { CFG, ip, LOCAL, PEER_CAPS, peerOpen } from './fixtures.js';

const EBGP_LOCAL: LocalConfig = { ...LOCAL, localAs: 65000 };
const EBGP: PeerSessionConfig = defaultPeerConfig({ kind: 'exact', asn: 4_200_000_000 });
const as4Open = (caps: readonly Capability[] = []): OpenMessage =>
  peerOpen({ myAs: AS_TRANS }, [{ kind: 'fourOctetAs', asn: 4_200_000_000 }, ...caps]);

function ok(v: OpenVerdict): Negotiated {
  if (!v.ok) assert.fail(`rejected: ${v.reason} (${v.detail})`);
  return v.negotiated;
}
function refused(v: OpenVerdict, subcode: number): Buffer {
  if (v.ok) assert.fail('accepted');
  assert.equal(v.notification.code, ERR.OPEN_MESSAGE);
  assert.equal(v.notification.subcode, subcode, v.detail);
  return v.notification.data;
}
const withCaps = (cfg: PeerSessionConfig, caps: Partial<PeerSessionConfig['capabilities']>): PeerSessionConfig => ({
  ...cfg,
  capabilities: { ...cfg.capabilities, ...caps },
});

describe('negotiate: buildOpen', () => {
  it('a 2-octet AS goes in My AS, with the capabilities of the config in order', () => {
    const open = buildOpen(LOCAL, CFG);
    assert.deepEqual([open.version, open.myAs, open.holdTime, open.bgpId, open.extendedParams], [4, 65000, 90, LOCAL.bgpId, false]);
    assert.deepEqual(
      capabilitiesOf(open).map((c) => c.kind),
      ['multiprotocol', 'multiprotocol', 'routeRefresh', 'enhancedRouteRefresh', 'fourOctetAs'],
    );
  });

  it('a 4-octet AS sends AS_TRANS in My AS and the real AS in the capability (RFC 6793 §4.1)', () => {
    const open = buildOpen({ ...LOCAL, localAs: 4_200_000_001 }, CFG);
    assert.equal(open.myAs, AS_TRANS);
    assert.deepEqual(capabilitiesOf(open).find((c) => c.kind === 'fourOctetAs'), { kind: 'fourOctetAs', asn: 4_200_000_001 });
  });

  it('every optional capability, GR with the R bit on request', () => {
    const cfg = withCaps(EBGP, {
      extendedMessage: true,
      fqdn: true,
      gracefulRestart: { restartTime: 120, notification: true, families: [{ ...IPV4_UNICAST, forwardingPreserved: false }] },
      addPath: [{ ...IPV4_UNICAST, mode: 'send' }],
      role: { role: ROLE.RS, strict: false },
    });
    const caps = advertisedCapabilities(LOCAL, cfg, true);
    assert.deepEqual(caps.map((c) => c.kind), [
      'multiprotocol',
      'multiprotocol',
      'routeRefresh',
      'enhancedRouteRefresh',
      'fourOctetAs',
      'gracefulRestart',
      'addPath',
      'extendedMessage',
      'fqdn',
      'role',
    ]);
    const gr = caps.find((c) => c.kind === 'gracefulRestart');
    assert.ok(gr?.kind === 'gracefulRestart' && gr.restarting && gr.notification && gr.restartTime === 120);
    assert.deepEqual(caps.find((c) => c.kind === 'fqdn'), { kind: 'fqdn', hostname: 'rr1', domain: 'example.net' });
  });

  it('the role is not sent on a known iBGP session (RFC 9234 §4)', () => {
    const cfg = withCaps(CFG, { role: { role: ROLE.RS, strict: true } });
    assert.ok(!advertisedCapabilities(LOCAL, cfg).some((c) => c.kind === 'role'));
    assert.equal(knownExternal({ kind: 'ranges', ranges: [{ min: 64512, max: 65534 }] }, 65000), null);
    assert.equal(knownExternal({ kind: 'ranges', ranges: [{ min: 65001, max: 65100 }] }, 65000), true);
    assert.equal(knownExternal({ kind: 'ranges', ranges: [{ min: 65000, max: 65000 }] }, 65000), false);
  });

  it('our OPEN survives the codec and is accepted by a peer configured as our mirror', () => {
    const cfg = withCaps(CFG, {
      extendedMessage: true,
      fqdn: true,
      gracefulRestart: { restartTime: 120, notification: true, families: [{ ...IPV4_UNICAST, forwardingPreserved: false }] },
      addPath: [{ ...IPV4_UNICAST, mode: 'both' }],
    });
    for (const local of [LOCAL, { ...LOCAL, hostname: 'h'.repeat(120), domain: 'd'.repeat(120) }]) {
      const wire = encodeOpen(buildOpen(local, cfg));
      const back = decodeOpen(wire.subarray(19));
      if (!back.ok) assert.fail(back.error.detail);
      assert.deepEqual(back.open, buildOpen(local, cfg));
      const mirror: LocalConfig = { ...local, bgpId: ip('10.0.0.2') };
      const n = ok(validateOpen(back.open, cfg, mirror));
      assert.deepEqual([n.peerAs, n.holdTime, n.as4, n.extendedMessage], [65000, 90, true, true]);
      assert.deepEqual(n.addPath, { send: [IPV4_UNICAST], receive: [IPV4_UNICAST] });
      assert.equal(n.gracefulRestart?.notification, true);
    }
  });

  it('switches to RFC 9072 extended parameters past 255 octets', () => {
    const long = { ...LOCAL, hostname: 'h'.repeat(120), domain: 'd'.repeat(120) };
    assert.equal(buildOpen(long, withCaps(CFG, { fqdn: true })).extendedParams, true);
    assert.equal(buildOpen(LOCAL, withCaps(CFG, { fqdn: true })).extendedParams, false);
  });
});

describe('negotiate: validateOpen refusals (RFC 4271 §6.2)', () => {
  it('Bad Peer AS: wrong AS, AS 0, AS_TRANS without the capability, capability vs My AS', () => {
    refused(validateOpen(peerOpen({ myAs: 65001 }, []), CFG, LOCAL), OPEN_SUB.BAD_PEER_AS);
    refused(validateOpen(peerOpen({ myAs: 0 }, []), CFG, LOCAL), OPEN_SUB.BAD_PEER_AS);
    refused(validateOpen(peerOpen({ myAs: AS_TRANS }, []), CFG, LOCAL), OPEN_SUB.BAD_PEER_AS);
    refused(validateOpen(peerOpen({ myAs: 65000 }, [{ kind: 'fourOctetAs', asn: 0 }]), CFG, LOCAL), OPEN_SUB.BAD_PEER_AS);
    refused(validateOpen(peerOpen({ myAs: AS_TRANS }, [{ kind: 'fourOctetAs', asn: AS_TRANS }]), CFG, LOCAL), OPEN_SUB.BAD_PEER_AS);
    // 4-octet AS with a real AS in My AS, and a 2-octet AS hidden behind AS_TRANS.
    refused(validateOpen(peerOpen({ myAs: 65000 }, [{ kind: 'fourOctetAs', asn: 4_200_000_000 }]), EBGP, LOCAL), OPEN_SUB.BAD_PEER_AS);
    refused(validateOpen(peerOpen({ myAs: AS_TRANS }, [{ kind: 'fourOctetAs', asn: 65000 }]), CFG, LOCAL), OPEN_SUB.BAD_PEER_AS);
  });

  it('the peer AS comes from the 4-octet AS capability when present', () => {
    const n = ok(validateOpen(as4Open(), EBGP, EBGP_LOCAL));
    assert.equal(n.peerAs, 4_200_000_000);
    assert.equal(n.external, true);
    assert.equal(n.as4, true);
    // An old (2-octet) speaker: My AS is the AS, and no as4 in the codec contexts.
    const old = ok(validateOpen(peerOpen({}, [{ kind: 'multiprotocol', afi: 1, safi: 1 }]), CFG, LOCAL));
    assert.equal(old.peerAs, 65000);
    assert.equal(old.as4, false);
    assert.equal(old.decodeCtx.as4, false);
  });

  it('dynamic peers: the AS must fall in a range of the group; internal/external specs', () => {
    const dyn = defaultPeerConfig({ kind: 'ranges', ranges: [{ min: 64512, max: 64520 }, { min: 4_200_000_000, max: 4_200_000_100 }] });
    assert.equal(ok(validateOpen(peerOpen({ myAs: 64515 }, [{ kind: 'fourOctetAs', asn: 64515 }]), dyn, LOCAL)).peerAs, 64515);
    ok(validateOpen(as4Open(), dyn, LOCAL));
    refused(validateOpen(peerOpen({ myAs: 64521 }, []), dyn, LOCAL), OPEN_SUB.BAD_PEER_AS);
    ok(validateOpen(peerOpen(), defaultPeerConfig({ kind: 'internal' }), LOCAL));
    refused(validateOpen(peerOpen(), defaultPeerConfig({ kind: 'external' }), LOCAL), OPEN_SUB.BAD_PEER_AS);
  });

  it('Unacceptable Hold Time for 1 and 2, and under the configured floor', () => {
    refused(validateOpen(peerOpen({ holdTime: 1 }), CFG, LOCAL), OPEN_SUB.UNACCEPTABLE_HOLD_TIME);
    refused(validateOpen(peerOpen({ holdTime: 2 }), CFG, LOCAL), OPEN_SUB.UNACCEPTABLE_HOLD_TIME);
    const floor = { ...CFG, timers: { ...CFG.timers, minHoldTime: 10 } };
    refused(validateOpen(peerOpen({ holdTime: 9 }), floor, LOCAL), OPEN_SUB.UNACCEPTABLE_HOLD_TIME);
    assert.deepEqual(
      [0, 3, 90].map((h) => ok(validateOpen(peerOpen({ holdTime: h }), CFG, LOCAL))).map((n) => [n.holdTime, n.keepaliveTime]),
      [[0, 0], [3, 1], [90, 30]],
    );
  });

  it('Bad BGP Identifier: zero, or ours on iBGP; ours is fine on eBGP (RFC 6286 §2.2)', () => {
    refused(validateOpen(peerOpen({ bgpId: 0 }), CFG, LOCAL), OPEN_SUB.BAD_BGP_IDENTIFIER);
    refused(validateOpen(peerOpen({ bgpId: LOCAL.bgpId }), CFG, LOCAL), OPEN_SUB.BAD_BGP_IDENTIFIER);
    ok(validateOpen(peerOpen({ myAs: AS_TRANS, bgpId: LOCAL.bgpId }, [{ kind: 'fourOctetAs', asn: 4_200_000_000 }]), EBGP, LOCAL));
    assert.equal(ok(validateOpen(peerOpen({ bgpId: ip('255.0.0.1') }), CFG, LOCAL)).peerBgpId, ip('255.0.0.1'));
  });

  it('Unsupported Optional Parameter for a parameter other than capabilities', () => {
    const open = { ...peerOpen(), params: [{ type: 'other' as const, code: 1, value: Buffer.from([1]) }] };
    refused(validateOpen(open, CFG, LOCAL), OPEN_SUB.UNSUPPORTED_OPTIONAL_PARAMETER);
  });

  it('Unsupported Capability lists every missing required capability as we encode it (RFC 5492 §5)', () => {
    const cfg: PeerSessionConfig = {
      ...withCaps(CFG, {
        extendedMessage: true,
        addPath: [{ ...IPV4_UNICAST, mode: 'receive' }],
        gracefulRestart: { restartTime: 90, notification: false, families: [] },
      }),
      families: [IPV4_UNICAST, { afi: 2, safi: 1 }, { afi: 1, safi: 128 }],
      required: [
        { kind: 'routeRefresh' },
        { kind: 'multiprotocol', afi: 1, safi: 128 },
        { kind: 'fourOctetAs' },
        { kind: 'addPath', afi: 1, safi: 1 },
        { kind: 'gracefulRestart' },
        { kind: 'extendedMessage' },
      ],
    };
    const caps: Capability[] = [{ kind: 'multiprotocol', afi: 1, safi: 1 }, { kind: 'routeRefresh' }, { kind: 'fourOctetAs', asn: 65000 }];
    const data = refused(validateOpen(peerOpen({}, caps), cfg, LOCAL), OPEN_SUB.UNSUPPORTED_CAPABILITY);
    assert.equal(
      data.toString('hex'),
      [
        '0104 0001 0080', // MP IPv4 / MPLS VPN (128)
        '4504 0001 0101', // ADD-PATH IPv4 unicast receive
        '4002 005a', // graceful restart, time 90
        '0600', // extended message
      ]
        .join('')
        .replace(/ /g, ''),
    );
    // The peer sending add-path "receive" only does not satisfy our "receive" (we need it to send).
    const ap: Capability = { kind: 'addPath', families: [{ ...IPV4_UNICAST, mode: 'receive' }] };
    const cfg2: PeerSessionConfig = { ...cfg, required: [{ kind: 'addPath', afi: 1, safi: 1 }] };
    refused(validateOpen(peerOpen({}, [...PEER_CAPS, ap]), cfg2, LOCAL), OPEN_SUB.UNSUPPORTED_CAPABILITY);
    const ap2: Capability = { kind: 'addPath', families: [{ ...IPV4_UNICAST, mode: 'send' }] };
    ok(validateOpen(peerOpen({}, [...PEER_CAPS, ap2]), cfg2, LOCAL));
  });

  it('route refresh is satisfied by the old Cisco code too; IPv4 unicast by no MP capability', () => {
    const cfg: PeerSessionConfig = { ...CFG, required: [{ kind: 'routeRefresh' }, { kind: 'multiprotocol', afi: 1, safi: 1 }] };
    const n = ok(validateOpen(peerOpen({}, [{ kind: 'routeRefreshOld' }]), cfg, LOCAL));
    assert.equal(n.routeRefresh, true);
  });

  it('Role Mismatch (RFC 9234 §4.2): wrong pair, several roles, missing role in strict mode', () => {
    const cfg = withCaps(EBGP, { role: { role: ROLE.PROVIDER, strict: false } });
    const strict = withCaps(EBGP, { role: { role: ROLE.PROVIDER, strict: true } });
    const role = (r: number): Capability => ({ kind: 'role', role: r });
    refused(validateOpen(as4Open([role(ROLE.PEER)]), cfg, LOCAL), OPEN_SUB.ROLE_MISMATCH);
    refused(validateOpen(as4Open([role(ROLE.CUSTOMER), role(ROLE.PEER)]), cfg, LOCAL), OPEN_SUB.ROLE_MISMATCH);
    refused(validateOpen(as4Open(), strict, LOCAL), OPEN_SUB.ROLE_MISMATCH);
    assert.equal(ok(validateOpen(as4Open(), cfg, LOCAL)).role, null);
    assert.deepEqual(ok(validateOpen(as4Open([role(ROLE.CUSTOMER), role(ROLE.CUSTOMER)]), strict, LOCAL)).role, {
      local: ROLE.PROVIDER,
      peer: ROLE.CUSTOMER,
    });
    // iBGP: roles do not apply, even in strict mode.
    const ibgp = withCaps(CFG, { role: { role: ROLE.RS, strict: true } });
    assert.equal(ok(validateOpen(peerOpen({}, [...PEER_CAPS, role(ROLE.PEER)]), ibgp, LOCAL)).role, null);
  });
});

describe('negotiate: the Negotiated result', () => {
  it('families are the intersection of MP capabilities, in our order (RFC 4760 §8)', () => {
    const caps: Capability[] = [{ kind: 'multiprotocol', afi: 2, safi: 1 }, { kind: 'multiprotocol', afi: 25, safi: 70 }];
    assert.deepEqual(ok(validateOpen(peerOpen({}, caps), CFG, LOCAL)).families, [{ afi: 2, safi: 1 }]);
  });

  it('no MP capability at all implies IPv4 unicast (RFC 4760 §1)', () => {
    assert.deepEqual(ok(validateOpen(peerOpen({}, []), CFG, LOCAL)).families, [IPV4_UNICAST]);
    const v6only = { ...CFG, families: [{ afi: 2, safi: 1 }] };
    assert.deepEqual(ok(validateOpen(peerOpen({}, []), v6only, LOCAL)).families, []);
  });

  it('add-path per family and direction, reflected in the two codec contexts (RFC 7911 §4)', () => {
    const cfg = withCaps(CFG, { addPath: [{ ...IPV4_UNICAST, mode: 'both' }, { afi: 2, safi: 1, mode: 'send' }] });
    const peerAp: Capability = {
      kind: 'addPath',
      families: [
        { afi: 1, safi: 1, mode: 'send' },
        { afi: 2, safi: 1, mode: 'send' },
        { afi: 1, safi: 128, mode: 'both' },
      ],
    };
    const n = ok(validateOpen(peerOpen({}, [...PEER_CAPS, peerAp]), cfg, LOCAL));
    assert.deepEqual(n.addPath, { send: [], receive: [IPV4_UNICAST] });
    assert.equal(hasAddPath(n.decodeCtx, 1, 1), true);
    assert.equal(hasAddPath(n.encodeCtx, 1, 1), false);
    assert.equal(hasAddPath(n.decodeCtx, 2, 1), false);
    const both: Capability = { kind: 'addPath', families: [{ afi: 1, safi: 1, mode: 'both' }, { afi: 2, safi: 1, mode: 'receive' }] };
    const m = ok(validateOpen(peerOpen({}, [...PEER_CAPS, both]), cfg, LOCAL));
    assert.deepEqual(m.addPath, { send: [IPV4_UNICAST, { afi: 2, safi: 1 }], receive: [IPV4_UNICAST] });
  });

  it('graceful restart: peer time and F bits on negotiated families; N only when both send it', () => {
    const gr = (n: boolean): Capability => ({
      kind: 'gracefulRestart',
      restarting: true,
      notification: n,
      restartTime: 200,
      families: [
        { afi: 1, safi: 1, forwardingPreserved: true },
        { afi: 1, safi: 128, forwardingPreserved: true },
      ],
    });
    const cfg = (n: boolean): PeerSessionConfig => withCaps(CFG, { gracefulRestart: { restartTime: 120, notification: n, families: [] } });
    assert.deepEqual(ok(validateOpen(peerOpen({}, [...PEER_CAPS, gr(true)]), cfg(true), LOCAL)).gracefulRestart, {
      restartTime: 200,
      peerRestarting: true,
      families: [{ afi: 1, safi: 1, forwardingPreserved: true }],
      notification: true,
    });
    assert.equal(ok(validateOpen(peerOpen({}, [...PEER_CAPS, gr(false)]), cfg(true), LOCAL)).gracefulRestart?.notification, false);
    assert.equal(ok(validateOpen(peerOpen({}, [...PEER_CAPS, gr(true)]), cfg(false), LOCAL)).gracefulRestart?.notification, false);
    assert.equal(ok(validateOpen(peerOpen({}, [...PEER_CAPS, gr(true)]), CFG, LOCAL)).gracefulRestart, null);
  });

  it('extended message, enhanced route refresh and 4-octet AS need both sides; FQDN is recorded', () => {
    const cfg = withCaps(CFG, { extendedMessage: true });
    const caps: Capability[] = [...PEER_CAPS, { kind: 'extendedMessage' }, { kind: 'fqdn', hostname: 'frr1', domain: 'lab' }];
    const n = ok(validateOpen(peerOpen({}, caps), cfg, LOCAL));
    assert.deepEqual([n.extendedMessage, n.decodeCtx.extendedMessage, n.encodeCtx.extendedMessage], [true, true, true]);
    assert.deepEqual(n.peerFqdn, { hostname: 'frr1', domain: 'lab' });
    assert.equal(n.enhancedRouteRefresh, true);
    const m = ok(validateOpen(peerOpen({}, caps), withCaps(CFG, { enhancedRouteRefresh: false, fourOctetAs: false }), LOCAL));
    assert.deepEqual([m.extendedMessage, m.enhancedRouteRefresh, m.as4, m.external, m.encodeCtx.external], [false, false, false, false, false]);
    assert.equal(m.peerCapabilities.length, caps.length);
  });

  it('extended next hop (RFC 8950 §4): advertised for carried families, negotiated when both sides send the pair', () => {
    const v4v6 = { afi: 1, safi: 1, nextHopAfi: 2 };
    const cfg = withCaps(CFG, { extendedNextHop: [v4v6, { afi: 1, safi: 2, nextHopAfi: 2 }] });
    // IPv4 multicast is not among CFG's families: only the IPv4 unicast pair is sent.
    assert.deepEqual(advertisedCapabilities(LOCAL, cfg).find((c) => c.kind === 'extendedNextHop'), { kind: 'extendedNextHop', entries: [v4v6] });
    assert.equal(advertisedCapabilities(LOCAL, CFG).some((c) => c.kind === 'extendedNextHop'), false, 'off by default');
    const both = ok(validateOpen(peerOpen({}, [...PEER_CAPS, { kind: 'extendedNextHop', entries: [v4v6] }]), cfg, LOCAL));
    assert.deepEqual(both.extendedNextHop, [v4v6]);
    const peerOnly = ok(validateOpen(peerOpen({}, [...PEER_CAPS, { kind: 'extendedNextHop', entries: [v4v6] }]), CFG, LOCAL));
    assert.deepEqual(peerOnly.extendedNextHop, [], 'we did not advertise it');
    const oursOnly = ok(validateOpen(peerOpen({}, PEER_CAPS), cfg, LOCAL));
    assert.deepEqual(oursOnly.extendedNextHop, [], 'the peer did not advertise it');
    const otherAfi = ok(validateOpen(peerOpen({}, [...PEER_CAPS, { kind: 'extendedNextHop', entries: [{ ...v4v6, nextHopAfi: 25 }] }]), cfg, LOCAL));
    assert.deepEqual(otherAfi.extendedNextHop, [], 'another next-hop AFI is another pair');
  });
});

describe('peer-config: validatePeerConfig', () => {
  it('accepts the defaults', () => {
    assert.deepEqual(validatePeerConfig(CFG, LOCAL), []);
  });

  it('lists every inconsistency', () => {
    const bad: PeerSessionConfig = {
      ...withCaps(CFG, { fourOctetAs: false, addPath: [{ afi: 1, safi: 128, mode: 'send' }] }),
      timers: { ...CFG.timers, holdTime: 2, minHoldTime: 1 },
      required: [{ kind: 'extendedMessage' }],
    };
    const problems = validatePeerConfig(bad, { ...LOCAL, localAs: 4_200_000_000, bgpId: 0 });
    assert.equal(problems.length, 6, problems.join('\n'));
  });
});
