/**
 * Snapshot tests of `meshrr show`'s layouts (src/status/text.ts): fixed views in, the exact
 * text out, so a change of column or wording shows up as a diff here. The column widths are
 * FRR's (`show bgp summary`, `show bgp ipv4 unicast`), which operators' scripts cut by.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { renderConfig, renderDiscovery, renderNeighbors, renderRoutes, renderSummary, upDown } from '../../src/status/text.js';
import type { NeighborView, PathView, RoutesView, SummaryView } from '../../src/status/views.js';
import type { AttributesJson } from '../../src/status/attributes-json.js';

const counters = (n: number) => ({ open: 1, update: n, notification: 0, keepalive: 10, routeRefresh: 0 });

function neighbor(over: Partial<NeighborView> & Pick<NeighborView, 'name'>): NeighborView {
  return {
    group: 'clients',
    origin: 'listenRange',
    remoteAddress: over.name,
    localAddress: '198.18.0.1',
    state: 'Established',
    uptimeMs: 3_723_000,
    downForMs: null,
    connections: [],
    messagesReceived: counters(4),
    messagesSent: counters(7),
    lastNotificationSent: null,
    lastNotificationReceived: null,
    lastDownReason: null,
    establishedTransitions: 1,
    droppedTransitions: 0,
    updateErrors: { treatAsWithdraw: 0, attributeDiscard: 0 },
    negotiated: {
      peerAs: 64496,
      peerBgpId: over.name,
      holdTime: 90,
      keepaliveTime: 30,
      fourOctetAs: true,
      families: ['ipv4-unicast'],
      routeRefresh: true,
      enhancedRouteRefresh: false,
      gracefulRestart: { restartTime: 120, notification: false },
      addPathSend: [],
      addPathReceive: [],
      extendedMessage: false,
      peerCapabilityCodes: [1, 2, 64, 65],
      peerHostname: null,
    },
    foundBy: 'listenRange',
    role: 'client',
    remoteAs: 64496,
    configuredHoldTime: 90,
    description: null,
    prefixes: { 'ipv4-unicast': { received: 2, accepted: 2, advertised: 3 } },
    ...over,
  };
}

const SUMMARY: SummaryView = {
  routerId: '198.18.0.1',
  asn: 64496,
  hostname: 'rr1',
  clusterIds: ['198.18.0.1', '10.255.0.1'],
  startedAt: '2026-01-01T00:00:00.000Z',
  uptimeSeconds: 90061,
  families: [
    { family: 'ipv4-unicast', prefixes: 4, paths: 5 },
    { family: 'ipv6-unicast', prefixes: 0, paths: 0 },
  ],
  attributeSets: 5,
  updateGroups: 1,
  decisionRuns: 9,
  pendingDecisions: 0,
  memory: { rssBytes: 96 * 1024 * 1024, heapUsedBytes: 12 * 1024 * 1024 },
  peers: { total: 3, established: 2, dynamic: 2, byState: { Established: 2, Active: 1 } },
  neighbors: [
    neighbor({ name: '198.18.0.10' }),
    neighbor({ name: '198.18.0.11', uptimeMs: 9 * 86400_000 + 3 * 3600_000, negotiated: { ...neighbor({ name: 'x' }).negotiated!, peerHostname: 'frr' } }),
    neighbor({ name: '198.18.0.130', state: 'Active', uptimeMs: null, establishedTransitions: 0, downForMs: 5000, negotiated: null, prefixes: {}, origin: 'static', foundBy: 'static', description: 'upstream' }),
  ],
};

describe('meshrr show layouts', () => {
  test('uptime is formatted as FRR does', () => {
    assert.equal(upDown(null), 'never');
    assert.equal(upDown(59_000), '00:00:59');
    assert.equal(upDown(3_723_000), '01:02:03');
    assert.equal(upDown(90_061_000), '1d01h01m');
    assert.equal(upDown(9 * 86400_000 + 3 * 3600_000), '01w2d03h');
  });

  test('show summary', () => {
    assert.equal(
      renderSummary(SUMMARY),
      [
        'IPv4 Unicast Summary:',
        'BGP router identifier 198.18.0.1, local AS number 64496, cluster IDs 198.18.0.1 10.255.0.1',
        'RIB entries 4, paths 5, attribute sets 5, update groups 1',
        'Peers 3, using 96 MiB of memory (RSS), up 1d01h01m',
        '',
        'Neighbor        V         AS   MsgRcvd   MsgSent   TblVer  InQ OutQ  Up/Down State/PfxRcd   PfxSnt Desc',
        '198.18.0.10     4      64496        15        18        0    0    0 01:02:03            2        3 N/A',
        '198.18.0.11     4      64496        15        18        0    0    0 01w2d03h            2        3 frr',
        '198.18.0.130    4      64496        15        18        0    0    0    never       Active        0 upstream',
        '',
        'Total number of neighbors 3',
        '',
      ].join('\n'),
    );
  });

  test('show summary widens the neighbour column for IPv6 and prints one block per family', () => {
    const v6 = neighbor({ name: '2001:db8:ffff::100:10', prefixes: { 'ipv6-unicast': { received: 1, accepted: 1, advertised: 0 } } });
    const text = renderSummary({ ...SUMMARY, neighbors: [SUMMARY.neighbors[0] as NeighborView, v6] });
    assert.match(text, /^IPv6 Unicast Summary:$/m);
    assert.match(text, /^Neighbor {14}V {9}AS/m);
    assert.match(text, /^198\.18\.0\.10 {11}4 {6}64496/m);
    assert.match(text, /^2001:db8:ffff::100:10 4 {6}64496 {8}15 {8}18 {8}0 {4}0 {4}0 01:02:03 {12}1 {8}0 N\/A$/m);
  });

  test('show neighbors', () => {
    const n = neighbor({
      name: '198.18.0.10',
      lastNotificationReceived: { code: 6, subcode: 2, text: 'Cease/Administrative Shutdown: maintenance', at: 0 },
      lastDownReason: 'notificationReceived',
      establishedTransitions: 2,
      droppedTransitions: 1,
    });
    assert.equal(
      renderNeighbors([n], 64496, '198.18.0.1'),
      [
        'BGP neighbor is 198.18.0.10, remote AS 64496, local AS 64496, internal link',
        '  Group clients (client), found by listen range',
        '  BGP version 4, remote router ID 198.18.0.10, local router ID 198.18.0.1',
        '  BGP state = Established, up for 01:02:03',
        '  Hold time is 90 (configured 90), keepalive interval is 30 seconds',
        '  Local host: 198.18.0.1, remote host: 198.18.0.10',
        '  Neighbor capabilities:',
        '    4 Byte AS: negotiated',
        '    Route refresh: negotiated; enhanced route refresh: not negotiated',
        '    Graceful restart: restart time 120 s',
        '    Extended message: not negotiated',
        '    Add-path: send none; receive none',
        '    Address families: ipv4-unicast',
        '    Peer capability codes: 1 2 64 65',
        '  Message statistics:',
        '                              Sent      Rcvd',
        '    Opens:                       1         1',
        '    Notifications:               0         0',
        '    Updates:                     7         4',
        '    Keepalives:                 10        10',
        '    Route Refresh:               0         0',
        '    Total:                      18        15',
        '  Prefixes:                 Received  Accepted Advertised',
        '    ipv4-unicast                 2         2          3',
        '  Connections established 2; dropped 1',
        '  Last reset: NOTIFICATION received',
        '  Last notification sent: none',
        '  Last notification received: Cease/Administrative Shutdown: maintenance',
        '  RFC 7606 errors: 0 treat-as-withdraw, 0 attribute discard',
        '',
      ].join('\n'),
    );
  });

  const attrs = (over: Partial<AttributesJson>): AttributesJson => ({
    origin: 'IGP',
    asPath: '',
    nextHop: '198.18.0.11',
    med: null,
    localPref: 100,
    atomicAggregate: false,
    aggregator: null,
    communities: [],
    largeCommunities: [],
    extendedCommunities: [],
    originatorId: null,
    clusterList: [],
    other: [],
    ...over,
  });
  const path = (over: Partial<PathView>): PathView => ({
    peer: '198.18.0.11',
    peerRouterId: '198.18.0.11',
    external: false,
    pathId: 0,
    best: true,
    reason: 'onlyPath',
    attributes: attrs({}),
    ...over,
  });
  const ROUTES: RoutesView = {
    family: null,
    view: 'rib',
    peer: null,
    query: null,
    routes: [
      { family: 'ipv4-unicast', prefix: '198.51.100.0/24', paths: [path({ attributes: attrs({ med: 20, asPath: '64500 64501', origin: 'INCOMPLETE' }) })] },
      {
        family: 'ipv4-unicast',
        prefix: '203.0.113.0/24',
        paths: [
          path({ reason: 'localPref', attributes: attrs({ localPref: 200 }) }),
          path({ peer: '198.18.0.10', peerRouterId: '198.18.0.10', best: false, reason: 'localPref', attributes: attrs({ nextHop: '198.18.0.10', communities: ['64496:101'] }) }),
        ],
      },
      { family: 'ipv6-unicast', prefix: '2001:db8:ffff:ffff::/64', paths: [path({ external: true, attributes: attrs({ nextHop: '2001:db8::11', localPref: null, asPath: '64510' }) })] },
    ],
  };

  test('show routes', () => {
    assert.equal(
      renderRoutes(ROUTES, '198.18.0.1', 64496),
      [
        'BGP table (Loc-RIB), local router ID is 198.18.0.1, local AS 64496',
        'Default local pref 100',
        'Status codes:  * valid, > best, i internal',
        'Origin codes:  i - IGP, e - EGP, ? - incomplete',
        '',
        '   Network          Next Hop            Metric LocPrf Weight Path',
        '*>i198.51.100.0/24  198.18.0.11             20    100      0 64500 64501 ?',
        '*>i203.0.113.0/24   198.18.0.11                   200      0 i',
        '* i                 198.18.0.10                   100      0 i',
        '*> 2001:db8:ffff:ffff::/64',
        '                    2001:db8::11                           0 64510 i',
        '',
        'Displayed  3 routes and 4 total paths',
        '',
      ].join('\n'),
    );
  });

  test('show routes PREFIX prints every path and why the best won', () => {
    const one: RoutesView = { ...ROUTES, query: '203.0.113.0/24', routes: [ROUTES.routes[1]!] };
    assert.equal(
      renderRoutes(one, '198.18.0.1', 64496),
      [
        'BGP routing table entry for 203.0.113.0/24',
        'Paths: (2 available, best #1)',
        '  Local',
        '    198.18.0.11 from 198.18.0.11 (198.18.0.11)',
        '      Origin IGP, localpref 200, valid, internal, best (Local Pref)',
        '  Local',
        '    198.18.0.10 from 198.18.0.10 (198.18.0.10)',
        '      Origin IGP, localpref 100, valid, internal, not best (lost on Local Pref)',
        '      Community: 64496:101',
        '',
      ].join('\n'),
    );
  });

  test('show discovery and show config', () => {
    const d = renderDiscovery({
      lookups: 3,
      failures: 1,
      lastLookupAt: '2026-01-01T00:00:05.000Z',
      answers: [
        { hostname: 'meshrr-core', at: '2026-01-01T00:00:05.000Z', ms: 1.5, result: 'answer', name: 'meshrr-core.default.svc.cluster.local', addresses: ['10.0.0.1', '10.0.0.2'], error: null, tried: [] },
        { hostname: 'meshrr-edge', at: '2026-01-01T00:00:05.000Z', ms: 5000, result: 'failed', name: null, addresses: [], error: 'A meshrr-edge: no answer from the nameservers (timeout)', tried: [] },
      ],
      peers: { core: ['10.0.0.2'] },
      listenRanges: { clients: ['10.1.0.0/16'] },
      lastRun: {
        at: '2026-01-01T00:00:05.000Z',
        kind: 'updated',
        error: null,
        groups: [
          {
            group: 'core',
            hostname: 'meshrr-core',
            dns: 'answer',
            answer: ['10.0.0.1', '10.0.0.2'],
            decisions: [
              { address: '10.0.0.2', action: 'keep', reason: 'still in DNS and Established' },
              { address: '10.0.0.3', action: 'remove', reason: 'left DNS' },
            ],
          },
        ],
      },
    });
    assert.equal(
      d,
      [
        'DNS lookups 3, failed 1, last 2026-01-01T00:00:05.000Z',
        '',
        'Hostname                                 Result         ms  Addresses',
        'meshrr-core                              answer        1.5  10.0.0.1 10.0.0.2',
        'meshrr-edge                              failed       5000  A meshrr-edge: no answer from the nameservers (timeout)',
        '',
        'Peers applied:',
        '  core: 10.0.0.2',
        'Listen ranges:',
        '  clients: 10.1.0.0/16',
        '',
        'Last run 2026-01-01T00:00:05.000Z',
        '  core (meshrr-core, DNS answer: 10.0.0.1 10.0.0.2)',
        '    keep     10.0.0.2                                still in DNS and Established',
        '    remove   10.0.0.3                                left DNS',
        '',
      ].join('\n'),
    );
    assert.equal(
      renderConfig({ source: '/etc/rr.yml', template: null, text: 'asn: 1', appliedAt: '2026-01-01T00:00:00.000Z' }),
      '# source: /etc/rr.yml\n# applied: 2026-01-01T00:00:00.000Z\nasn: 1\n',
    );
  });
});
