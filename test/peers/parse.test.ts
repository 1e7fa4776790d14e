/**
 * The harness's CLI parsers against output captured from the real daemons on this machine
 * (BIRD 2.0.12, FRR 8.4.4, GoBGP 3.10.0, OpenBGPD 7.7, ExaBGP 4.2.21, trimmed to the parts the
 * parsers read), plus pollUntil's contract. Runs without root or daemons, so a parser
 * regression shows up even where smoke.test.ts is skipped.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { parseBirdPrefixes, parseBirdProtocol, parseBirdRoutes } from '../helpers/peers/bird-parse.js';
import { exabgpCapabilities, exabgpRoutes, exabgpState, parseExabgpDump } from '../helpers/peers/exabgp-parse.js';
import { parseFrrNeighbor, parseFrrPrefix } from '../helpers/peers/frr-parse.js';
import { parseGobgpCapabilities, parseGobgpNeighbor, parseGobgpRib } from '../helpers/peers/gobgp-parse.js';
import { normalizeAddress, parseJsonSequence } from '../helpers/peers/json.js';
import { parseBgpctlNeighbor, parseBgpctlRib } from '../helpers/peers/openbgpd-parse.js';
import { PollAbort, PollTimeoutError, pollUntil } from '../helpers/poll.js';

const BIRD_PROTOCOL = `BIRD 2.0.12 ready.
Name       Proto      Table      State  Since         Info
n1         BGP        ---        up     2026-12-01 19:53:43.250  Established   
  BGP state:          Established
    Neighbor address: 198.18.0.2
    Local capabilities
      Multiprotocol
        AF announced: ipv4 ipv6
      Route refresh
      Graceful restart
      4-octet AS numbers
      ADD-PATH
        RX: ipv4
        TX:
      Enhanced refresh
    Neighbor capabilities
      Multiprotocol
        AF announced: ipv4 ipv6
      Route refresh
      Extended message
      Graceful restart
      4-octet AS numbers
      ADD-PATH
        RX: ipv4 ipv6
        TX: ipv4 ipv6
      Enhanced refresh
      Hostname: frr1
    Session:          external multihop AS4
    Hold timer:       76.674/90
  Channel ipv4
    State:          UP
`;

const BIRD_ROUTES = `BIRD 2.0.12 ready.
Table master4:
203.0.113.0/24       unicast [n0 20:14:58.052 from 198.18.0.10] * (100/?) [i]
\tvia 198.18.0.1 on lo
\tType: BGP univ
\tBGP.origin: IGP
\tBGP.as_path: 
\tBGP.next_hop: 198.18.0.2
\tBGP.local_pref: 120
\tBGP.community: (1,2) (65000,101)
\tBGP.large_community: (65000, 1, 2)
\tBGP.originator_id: 198.18.0.2
\tBGP.cluster_list: 1.1.1.1
                     unicast [n0 20:15:02.220 from 198.18.0.10] (100/?) [i]
\tvia 198.18.0.1 on lo
\tType: BGP univ
\tBGP.origin: IGP
\tBGP.as_path: 65001 65002
\tBGP.next_hop: 198.18.0.3
\tBGP.med: 7
198.51.100.0/24      blackhole [ann4 20:14:19.064] * (200)
\tType: static univ
`;

describe('BIRD parsers', () => {
  test('show protocols all: state, since, negotiated capabilities', () => {
    const info = parseBirdProtocol(BIRD_PROTOCOL, 'n1');
    assert.equal(info.state, 'Established');
    assert.equal(info.since?.getTime(), new Date('2026-12-01T19:53:43.250').getTime());
    const c = info.capabilities;
    assert.ok(c !== undefined);
    assert.deepEqual([c.fourOctetAs, c.routeRefresh, c.enhancedRouteRefresh, c.gracefulRestart, c.extendedMessage], [true, true, true, true, false]);
    assert.deepEqual(c.families, ['ipv4-unicast', 'ipv6-unicast']);
    assert.deepEqual(c.addPath, [{ family: 'ipv4-unicast', send: false, receive: true }]);
    assert.equal(c.holdTime, 90);
  });

  test('show protocols all of a session that is down has no capabilities', () => {
    const text = 'BIRD 2.0.12 ready.\nName       Proto      Table      State  Since         Info\nn0         BGP        ---        start  2026-12-01 19:59:20.408  Idle          \n  BGP state:          Idle\n';
    const info = parseBirdProtocol(text, 'n0');
    assert.deepEqual([info.state, info.capabilities], ['Idle', undefined]);
  });

  test('show route all: ADD-PATH continuation lines, attributes, statics skipped', () => {
    const routes = parseBirdRoutes(BIRD_ROUTES, (p) => (p === 'n0' ? '198.18.0.10' : undefined));
    assert.equal(routes.length, 2);
    const [a, b] = routes;
    assert.deepEqual(a, {
      family: 'ipv4-unicast',
      prefix: '203.0.113.0/24',
      nextHop: '198.18.0.2',
      asPath: [],
      origin: 'igp',
      communities: ['1:2', '65000:101'],
      largeCommunities: ['65000:1:2'],
      localPref: 120,
      originatorId: '198.18.0.2',
      clusterList: ['1.1.1.1'],
      peer: '198.18.0.10',
      best: true,
    });
    assert.deepEqual([b?.prefix, b?.nextHop, b?.asPath, b?.med, b?.best], ['203.0.113.0/24', '198.18.0.3', [65001, 65002], 7, false]);
    assert.deepEqual(parseBirdPrefixes(BIRD_ROUTES), ['203.0.113.0/24', '198.51.100.0/24']);
  });
});

describe('FRR parsers', () => {
  test('show bgp neighbors json: ADD-PATH direction from TX/RX flags', () => {
    const doc = {
      '198.18.0.1': {
        bgpState: 'Established',
        bgpTimerUpMsec: 12000,
        bgpTimerHoldTimeMsecs: 90000,
        neighborCapabilities: {
          '4byteAs': 'advertisedAndReceived',
          extendedMessage: 'advertised',
          addPath: { ipv4Unicast: { txAdvertised: true, rxAdvertisedAndReceived: true }, ipv6Unicast: { txAdvertised: true, rxAdvertised: true } },
          routeRefresh: 'advertisedAndReceivedNew',
          enhancedRouteRefresh: 'advertisedAndReceived',
          multiprotocolExtensions: { ipv4Unicast: { advertisedAndReceived: true }, ipv6Unicast: { advertisedAndReceived: true } },
          gracefulRestart: 'advertisedAndReceived',
        },
      },
    };
    const info = parseFrrNeighbor(doc, '198.18.0.1');
    assert.deepEqual([info.state, info.upSeconds], ['Established', 12]);
    const c = info.capabilities;
    assert.deepEqual([c.fourOctetAs, c.routeRefresh, c.enhancedRouteRefresh, c.gracefulRestart, c.extendedMessage], [true, true, true, true, false]);
    assert.deepEqual(c.families, ['ipv4-unicast', 'ipv6-unicast']);
    assert.deepEqual(c.addPath, [{ family: 'ipv4-unicast', send: true, receive: false }]);
    assert.equal(c.holdTime, 90);
  });

  test('per-prefix json: received paths with attributes, local paths skipped', () => {
    const doc = {
      prefix: '203.0.113.0/24',
      paths: [
        {
          aspath: { string: '65001', segments: [{ type: 'as-sequence', list: [65001] }], length: 1 },
          origin: 'IGP',
          metric: 10,
          locPrf: 120,
          bestpath: { overall: true },
          community: { string: '65000:101', list: ['65000:101'] },
          largeCommunity: { string: '65000:1:2', list: ['65000:1:2'] },
          originatorId: '198.18.0.1',
          clusterList: { list: ['1.1.1.1'] },
          addpathRxId: 2,
          nexthops: [{ ip: '198.18.0.1', afi: 'ipv4' }],
          peer: { peerId: '198.18.0.10', routerId: '198.18.0.10', type: 'internal' },
        },
        { aspath: { segments: [] }, origin: 'IGP', local: true, sourced: true, nexthops: [{ ip: '198.18.0.2' }], peer: { peerId: '0.0.0.0' } },
      ],
    };
    assert.deepEqual(parseFrrPrefix(doc), [
      {
        family: 'ipv4-unicast',
        prefix: '203.0.113.0/24',
        nextHop: '198.18.0.1',
        asPath: [65001],
        origin: 'igp',
        med: 10,
        localPref: 120,
        communities: ['65000:101'],
        largeCommunities: ['65000:1:2'],
        originatorId: '198.18.0.1',
        clusterList: ['1.1.1.1'],
        pathId: 2,
        peer: '198.18.0.10',
        best: true,
      },
    ]);
    assert.deepEqual(parseJsonSequence('{\n "a": "}"\n}\n{"b":[1]}\n', 'x'), [{ a: '}' }, { b: [1] }]);
  });
});

const GOBGP_NEIGHBOR = `BGP neighbor is 198.18.0.4, remote AS 65004
  BGP version 4, remote router ID 198.18.0.4
  BGP state = ESTABLISHED, up for 00:00:04
  Hold time is 90, keepalive interval is 30 seconds
  
  Neighbor capabilities:
    multiprotocol:
        ipv4-unicast:\tadvertised and received
        ipv6-unicast:\tadvertised
    route-refresh:\tadvertised and received
    graceful-restart:\treceived
        Remote: restart flag set
    4-octet-as:\tadvertised and received
    add-path:\tadvertised and received
      Local:
         ipv4-unicast:\treceive/send
      Remote:
         ipv4-unicast:\treceive
    fqdn:\tadvertised
  Message statistics:
                         Sent       Rcvd
`;

describe('GoBGP parsers', () => {
  test('neighbor text: capabilities advertised and received', () => {
    const c = parseGobgpCapabilities(GOBGP_NEIGHBOR);
    assert.deepEqual([c.fourOctetAs, c.routeRefresh, c.gracefulRestart], [true, true, false]);
    assert.deepEqual(c.families, ['ipv4-unicast']);
    assert.deepEqual(c.addPath, [{ family: 'ipv4-unicast', send: true, receive: false }]);
    assert.equal(c.holdTime, 90);
  });

  test('neighbor -j: state and up time', () => {
    const doc = { state: { session_state: 6 }, timers: { state: { uptime: { seconds: 1000 } } } };
    assert.deepEqual(parseGobgpNeighbor(doc, 1_010_000), { state: 'Established', upSeconds: 10 });
    assert.deepEqual(parseGobgpNeighbor({ state: { session_state: 3 } }, 0), { state: 'Active', upSeconds: undefined });
  });

  test('global rib -j: attributes by type code, local paths skipped', () => {
    const doc = JSON.parse(
      '{"198.51.100.0/24":[{"nlri":{"prefix":"198.51.100.0/24"},"age":1,"best":true,"attrs":[{"type":1,"value":0},{"type":2,"as_paths":[{"segment_type":2,"num":1,"asns":[65004]}]},{"type":3,"nexthop":"198.18.0.4"},{"type":4,"metric":44},{"type":8,"communities":[4259840404]},{"type":9,"value":"198.18.0.9"},{"type":10,"value":["1.1.1.1"]},{"type":32,"value":[{"ASN":65000,"LocalData1":4,"LocalData2":4}]}],"stale":false,"source-id":"198.18.0.4","neighbor-ip":"198.18.0.4"}],' +
        '"10.1.0.0/16":[{"nlri":{"prefix":"10.1.0.0/16"},"age":1,"best":true,"attrs":[{"type":1,"value":2},{"type":3,"nexthop":"198.18.0.3"}],"stale":false}]}',
    ) as unknown;
    assert.deepEqual(parseGobgpRib(doc), [
      {
        family: 'ipv4-unicast',
        prefix: '198.51.100.0/24',
        nextHop: '198.18.0.4',
        asPath: [65004],
        origin: 'igp',
        med: 44,
        communities: ['65000:404'],
        largeCommunities: ['65000:4:4'],
        originatorId: '198.18.0.9',
        clusterList: ['1.1.1.1'],
        peer: '198.18.0.4',
        best: true,
      },
    ]);
  });
});

describe('OpenBGPD parsers', () => {
  test('bgpctl -j show neighbor: negotiated session capabilities', () => {
    const doc = {
      neighbors: [
        {
          remote_addr: '198.18.0.3',
          state: 'Established',
          last_updown_sec: 9,
          session: {
            holdtime: 90,
            capabilities: {
              as4byte: true,
              refresh: true,
              enhanced_refresh: false,
              multiprotocol: ['IPv4 unicast', 'IPv6 unicast'],
              graceful_restart: { eor: true, restart: false },
              'add-path': [{ family: 'IPv4 unicast', mode: 'recv' }],
            },
          },
        },
      ],
    };
    const info = parseBgpctlNeighbor(doc, '198.18.0.3');
    assert.deepEqual([info.state, info.upSeconds], ['Established', 9]);
    const c = info.capabilities;
    assert.deepEqual([c?.fourOctetAs, c?.routeRefresh, c?.enhancedRouteRefresh, c?.gracefulRestart], [true, true, false, true]);
    assert.deepEqual(c?.families, ['ipv4-unicast', 'ipv6-unicast']);
    assert.deepEqual(c?.addPath, [{ family: 'ipv4-unicast', send: false, receive: true }]);
  });

  test('bgpctl -j show rib detail: attributes, path id, LOCAL skipped', () => {
    const doc = {
      rib: [
        {
          prefix: '10.1.0.0/16',
          aspath: '65003 65100',
          exit_nexthop: '198.18.0.3',
          neighbor: { remote_addr: '198.18.0.3', bgp_id: '198.18.0.3' },
          path_id: 1,
          best: true,
          origin: 'incomplete',
          metric: 33,
          localpref: 100,
          communities: ['65000:303'],
          large_communities: ['65000:3:3'],
          attributes: [{ type: 'ORIGINATOR_ID', originator: '198.18.0.9' }, { type: 'CLUSTER_LIST', cluster_list: ['1.1.1.1', '2.2.2.2'] }],
        },
        { prefix: '198.51.100.0/24', aspath: '', exit_nexthop: '198.18.0.4', neighbor: { description: 'LOCAL', remote_addr: '???' } },
      ],
    };
    assert.deepEqual(parseBgpctlRib(doc), [
      {
        family: 'ipv4-unicast',
        prefix: '10.1.0.0/16',
        nextHop: '198.18.0.3',
        asPath: [65003, 65100],
        origin: 'incomplete',
        med: 33,
        localPref: 100,
        pathId: 1,
        communities: ['65000:303'],
        largeCommunities: ['65000:3:3'],
        originatorId: '198.18.0.9',
        clusterList: ['1.1.1.1', '2.2.2.2'],
        peer: '198.18.0.3',
        best: true,
      },
    ]);
  });
});

const NB = '"neighbor": { "address": { "local": "198.18.0.5", "peer": "198.18.0.4" }, "asn": { "local": 65005, "peer": 65004 }';
const EXA_DUMP = [
  `{ "exabgp": "4.0.1", "time": 100.5, "type": "state", ${NB}, "state": "connected" } }`,
  `{ "exabgp": "4.0.1", "time": 100.6, "type": "open", ${NB}, "direction": "send", "open": { "version": 4, "asn": 65005, "hold_time": 90, "router_id": "198.18.0.5", "capabilities": { "multiprotocol": { "name": "multiprotocol", "families": [ "ipv4/unicast", "ipv6/unicast" ] }, "asn4": { "name": "asn4", "asn4": 65005 }, "add-path": { "name": "addpath", "ipv4/unicast": "send/receive","ipv6/unicast": "send/receive" }, "route-refresh": { "name": "route-refresh", "variant": "RFC" } } } } }`,
  `{ "exabgp": "4.0.1", "time": 100.7, "type": "open", ${NB}, "direction": "receive", "open": { "version": 4, "asn": 65004, "hold_time": 30, "router_id": "198.18.0.4", "capabilities": { "1": { "name": "multiprotocol", "families": [ "ipv4/unicast" ] }, "2": { "name": "route-refresh", "variant": "RFC" }, "64": { "name": "graceful restart", "time": 0, "address-family-flags": { }, "restart-flags": [ ] }, "65": { "name": "asn4", "asn4": 65004 }, "69": { "name": "addpath", "ipv4/unicast": "receive" } } } } }`,
  `{ "exabgp": "4.0.1", "time": 100.8, "type": "state", ${NB}, "state": "up" } }`,
  `{ "exabgp": "4.0.1", "time": 101, "type": "update", ${NB}, "direction": "receive", "message": { "update": { "attribute": { "origin": "igp", "as-path": [ 65004 ], "confederation-path": [], "med": 44, "community": [ [ 65000, 404 ] ], "large-community": [ [ 65000, 4 , 4 ] ], "originator-id": "198.18.0.9", "cluster-list": [ "1.1.1.1" ] }, "announce": { "ipv4 unicast": { "198.18.0.4": [ { "nlri": "198.51.100.0/24", "path-information": "0.0.0.2" }, { "nlri": "192.0.2.0/24", "path-information": "0.0.0.2" } ] } } } } } }`,
  `{ "exabgp": "4.0.1", "time": 102, "type": "update", ${NB}, "direction": "receive", "message": { "update": { "withdraw": { "ipv4 unicast": [ { "nlri": "192.0.2.0/24", "path-information": "0.0.0.2" } ] } } } } }`,
  `{ "exabgp": "4.0.1", "time": 102.5, "type": "update", ${NB}, "direction": "receive", "message": { "eor": { "afi" : "ipv4", "safi" : "unicast" } } } }`,
  '{ "exabgp": "4.0.1", "time": 10',
].join('\n');

describe('ExaBGP JSON dump parsers', () => {
  const msgs = parseExabgpDump(EXA_DUMP);

  test('state and negotiated capabilities from the OPENs of the current session', () => {
    assert.equal(msgs.length, 7);
    assert.deepEqual(exabgpState(msgs, '198.18.0.4'), { state: 'Established', since: 100.8 });
    assert.deepEqual(exabgpState(msgs, '198.18.0.99').state, 'Idle');
    const c = exabgpCapabilities(msgs, '198.18.0.4');
    assert.deepEqual([c?.fourOctetAs, c?.routeRefresh, c?.gracefulRestart, c?.holdTime], [true, true, false, 30]);
    assert.deepEqual(c?.families, ['ipv4-unicast']);
    assert.deepEqual(c?.addPath, [{ family: 'ipv4-unicast', send: true, receive: false }]);
  });

  test('received UPDATEs replayed into an Adj-RIB-In', () => {
    assert.deepEqual(exabgpRoutes(msgs), [
      {
        family: 'ipv4-unicast',
        prefix: '198.51.100.0/24',
        nextHop: '198.18.0.4',
        pathId: 2,
        asPath: [65004],
        origin: 'igp',
        med: 44,
        communities: ['65000:404'],
        largeCommunities: ['65000:4:4'],
        originatorId: '198.18.0.9',
        clusterList: ['1.1.1.1'],
        peer: '198.18.0.4',
      },
    ]);
    const down = parseExabgpDump(`${EXA_DUMP}\n{ "time": 103, "type": "state", ${NB}, "state": "down", "reason": "x" } }`);
    assert.deepEqual(exabgpRoutes(down), []);
  });
});

describe('pollUntil and helpers', () => {
  test('returns the first truthy value', async () => {
    let n = 0;
    assert.equal(await pollUntil(() => (++n >= 3 ? n : 0), { what: 'n', intervalMs: 1 }), 3);
  });

  test('timeout names what was awaited and the last value (thrown errors included)', async () => {
    await assert.rejects(
      pollUntil(
        () => {
          throw new Error('state Active');
        },
        { what: 'session up', timeoutMs: 30, intervalMs: 5 },
      ),
      (err: unknown) => err instanceof PollTimeoutError && /session up/.test(err.message) && /state Active/.test(err.message),
    );
  });

  test('PollAbort ends the poll at once', async () => {
    const t0 = Date.now();
    await assert.rejects(
      pollUntil(
        () => {
          throw new PollAbort('daemon exited');
        },
        { what: 'x', timeoutMs: 10_000 },
      ),
      PollAbort,
    );
    assert.ok(Date.now() - t0 < 1_000);
  });

  test('addresses compare in canonical form', () => {
    assert.equal(normalizeAddress('2001:DB8:0::0:1'), '2001:db8::1');
    assert.equal(normalizeAddress('198.18.0.1'), '198.18.0.1');
  });
});
