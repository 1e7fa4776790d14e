/**
 * Problems in peer groups, neighbours and the checks across groups of the router config
 * (src/config/router-config-group.ts, router-config-checks.ts), as a table of YAML lines and
 * the exact message lines. Lines 1-5 are HEAD (one client group `clients`).
 */
import { AS_WHAT, HEAD, runCases } from './helpers-router-config.js';
import type { Case } from './helpers-router-config.js';

const g = (...more: string[]): string[] => [...HEAD, ...more];
/** A second group from line 6: `name: <name>` on 6, `role: <role>` on 7, more from line 8. */
const g2 = (name: string, role: string, ...more: string[]): string[] => g(`  - name: ${name}`, `    role: ${role}`, ...more);
const FAMILIES = 'ipv4-unicast, ipv6-unicast, l2vpn-evpn, ipv4-vpn, ipv6-vpn, ipv4-flowspec, ipv6-flowspec, ipv4-labeled-unicast, ipv6-labeled-unicast';
const HOLD = 'a hold time of 0 or 3 to 65535 seconds (RFC 4271 §4.2)';

const GROUP: Case[] = [
  {
    name: 'name and role missing',
    lines: g('  - holdTime: 30'),
    expect: [
      'rr.yml:6 groups[1].name: required key is missing; expected a group name unique in this file',
      'rr.yml:6 groups[1].role: required key is missing; expected one of client, nonClient, ebgp',
    ],
  },
  { name: 'role misspelt', lines: g2('core', 'nonclient'), expect: ["rr.yml:7 groups[1].role: 'nonclient' is not one of client, nonClient, ebgp (did you mean nonClient?)"] },
  { name: 'role unknown', lines: g2('core', 'server'), expect: ["rr.yml:7 groups[1].role: 'server' is not one of client, nonClient, ebgp"] },
  { name: 'name not text', lines: g('  - name: [a]', '    role: client'), expect: ['rr.yml:6 groups[1].name: expected a non-empty string, got a list'] },
  { name: 'duplicate name', lines: g2('clients', 'nonClient'), expect: ["rr.yml:6 groups[1].name: group name 'clients' is already used at groups[0].name"] },
  { name: 'clusterId zero number', lines: g('    clusterId: 0'), expect: ['rr.yml:6 groups[0].clusterId: 0 is not allowed: cluster IDs must be non-zero'] },
  { name: 'clusterId zero quad', lines: g('    clusterId: 0.0.0.0'), expect: ['rr.yml:6 groups[0].clusterId: 0.0.0.0 is not allowed: BGP identifiers and cluster IDs must be non-zero (RFC 6286 §2.1)'] },
  { name: 'clusterId float', lines: g('    clusterId: 1.5'), expect: ['rr.yml:6 groups[0].clusterId: 1.5 is not a cluster ID (a dotted quad like 192.0.2.1, or 1 to 4294967295)'] },
  { name: 'clusterId text', lines: g('    clusterId: east'), expect: ["rr.yml:6 groups[0].clusterId: 'east' is not an IPv4 address in dotted-quad form (like 192.0.2.1)"] },
  { name: 'routeServer on a client group', lines: g('    routeServer: true'), expect: ['rr.yml:6 groups[0].routeServer: routeServer needs role ebgp (a route server peers over eBGP, RFC 7947), not client'] },
  { name: 'clientToClient not a boolean', lines: g('    clientToClient: "false"'), expect: ["rr.yml:6 groups[0].clientToClient: 'false' is not true or false"] },
  { name: 'holdTime 2', lines: g('    holdTime: 2'), expect: [`rr.yml:6 groups[0].holdTime: 2 is not ${HOLD}`] },
  { name: 'holdTime too big', lines: g('    holdTime: 65536'), expect: [`rr.yml:6 groups[0].holdTime: 65536 is not ${HOLD}`] },
  { name: 'holdTime text', lines: g('    holdTime: 90s'), expect: [`rr.yml:6 groups[0].holdTime: '90s' is not ${HOLD}`] },
  { name: 'keepalive not below hold', lines: g('    keepaliveTime: 90'), expect: ['rr.yml:6 groups[0].keepaliveTime: 90 is not from 1 to 89 (below holdTime 90); unset, it is holdTime / 3'] },
  { name: 'keepalive 0 with a hold time', lines: g('    holdTime: 9', '    keepaliveTime: 0'), expect: ['rr.yml:7 groups[0].keepaliveTime: 0 is not from 1 to 8 (below holdTime 9); unset, it is holdTime / 3'] },
  { name: 'keepalive without hold time', lines: g('    holdTime: 0', '    keepaliveTime: 5'), expect: ['rr.yml:7 groups[0].keepaliveTime: 5 needs a hold time; with holdTime 0 keepaliveTime must be 0 or unset'] },
  { name: 'connectRetryTime 0', lines: g('    connectRetryTime: 0'), expect: ['rr.yml:6 groups[0].connectRetryTime: 0 is not an integer from 1 to 65535'] },
  { name: 'multihopTtl 256', lines: g('    multihopTtl: 256'), expect: ['rr.yml:6 groups[0].multihopTtl: 256 is not an integer from 1 to 255'] },
  { name: 'maxDynamicPeers float', lines: g('    maxDynamicPeers: 2.5'), expect: ['rr.yml:6 groups[0].maxDynamicPeers: 2.5 is not an integer from 0 to 4294967295'] },
  {
    name: 'families',
    lines: g('    families: [ipv4-unicst, l2vpn-evpn, l2vpn-evpn, evpn]'),
    expect: [
      `rr.yml:6 groups[0].families[0]: 'ipv4-unicst' is not one of ${FAMILIES} (did you mean ipv4-unicast?)`,
      'rr.yml:6 groups[0].families[2]: l2vpn-evpn is listed twice',
      `rr.yml:6 groups[0].families[3]: 'evpn' is not one of ${FAMILIES}`,
    ],
  },
  { name: 'families empty', lines: g('    families: []'), expect: [`rr.yml:6 groups[0].families: an empty list enables no address family; expected some of ${FAMILIES}`] },
  { name: 'a misspelt key', lines: g('    listenRange: [10.0.0.0/8]'), expect: ["rr.yml:6 groups[0].listenRange: unknown key 'listenRange'; did you mean listenRanges?"] },
  { name: 'a snake_case key', lines: g('    hold_time: 30'), expect: ["rr.yml:6 groups[0].hold_time: unknown key 'hold_time'; did you mean holdTime?"] },
  { name: 'a kebab-case key', lines: g('    max-dynamic-peers: 30'), expect: ["rr.yml:6 groups[0].max-dynamic-peers: unknown key 'max-dynamic-peers'; did you mean maxDynamicPeers?"] },
  {
    name: 'maxPrefix',
    lines: g('    maxPrefix:', '      warningPercent: 101', '      restartSeconds: -1'),
    expect: [
      'rr.yml:7 groups[0].maxPrefix.limit: required key is missing; expected the most prefixes one peer may send (1 to 4294967295)',
      'rr.yml:7 groups[0].maxPrefix.warningPercent: 101 is not an integer from 1 to 100',
      'rr.yml:8 groups[0].maxPrefix.restartSeconds: -1 is not an integer from 0 to 65535',
    ],
  },
  {
    name: 'addPath',
    lines: g('    addPath: {send: best, receive: no}'),
    expect: ["rr.yml:6 groups[0].addPath.send: 'best' is not 0 (off), a number of paths up to 255, or all", "rr.yml:6 groups[0].addPath.receive: 'no' is not true or false"],
  },
  { name: 'importPolicy with no policies', lines: g('    importPolicy: strict'), expect: ["rr.yml:6 groups[0].importPolicy: policy 'strict' is not defined under policies (no policies are defined)"] },
  {
    name: 'exportPolicy misspelt',
    lines: g('    exportPolicy: to-upstrem', 'policies:', '  to-upstream: {}', '  from-clients: {}'),
    expect: ["rr.yml:6 groups[0].exportPolicy: policy 'to-upstrem' is not defined under policies (defined: to-upstream, from-clients); did you mean to-upstream?"],
  },
];

const PEER_AS: Case[] = [
  { name: 'client with another AS', lines: g('    peerAs: 65001'), expect: ['rr.yml:6 groups[0].peerAs: a client group is iBGP (RFC 4456): peerAs must be internal or our asn 65000, not 65001'] },
  { name: 'nonClient external', lines: g2('core', 'nonClient', '    peerAs: external'), expect: ['rr.yml:8 groups[1].peerAs: a nonClient group is iBGP (RFC 4456): peerAs must be internal or our asn 65000, not external'] },
  { name: 'client with ranges', lines: g('    peerAs: [65000-65001]'), expect: ['rr.yml:6 groups[0].peerAs: a client group is iBGP (RFC 4456): peerAs must be internal or our asn 65000, not AS ranges'] },
  { name: 'ebgp without peerAs', lines: g2('peers', 'ebgp'), expect: ['rr.yml:6 groups[1].peerAs: required key is missing; expected external, an AS number or a list of AS ranges (role ebgp has no default)'] },
  { name: 'ebgp internal', lines: g2('peers', 'ebgp', '    peerAs: internal'), expect: ['rr.yml:8 groups[1].peerAs: role ebgp cannot peer with our own AS; expected external, an AS number or AS ranges'] },
  { name: 'ebgp our AS', lines: g2('peers', 'ebgp', '    peerAs: 65000'), expect: ['rr.yml:8 groups[1].peerAs: 65000 is our own asn; role ebgp needs another AS (use role nonClient or client for iBGP)'] },
  { name: 'ebgp range with our AS', lines: g2('peers', 'ebgp', '    peerAs: [64512, 64600-65100]'), expect: ['rr.yml:8 groups[1].peerAs: the range 64600-65100 includes our own asn 65000; role ebgp needs ranges without it'] },
  { name: 'ebgp asdot range with our AS', lines: g2('peers', 'ebgp', '    peerAs: "0.64000-0.65500"'), expect: ['rr.yml:8 groups[1].peerAs: the range 64000-65500 includes our own asn 65000; role ebgp needs ranges without it'] },
  {
    name: 'bad ranges',
    lines: g2('peers', 'ebgp', '    peerAs: [65535-65001, 65001-, a-b, 23456, 65001-65002-65003]'),
    expect: [
      "rr.yml:8 groups[1].peerAs[0]: '65535-65001' is an empty range (65535 > 65001)",
      "rr.yml:8 groups[1].peerAs[1]: '65001-' is not an AS range like 65001-65535",
      "rr.yml:8 groups[1].peerAs[2]: 'a-b' is not an AS range like 65001-65535",
      'rr.yml:8 groups[1].peerAs[3]: 23456 is AS_TRANS (RFC 6793 §9), not a real AS number',
      "rr.yml:8 groups[1].peerAs[4]: '65001-65002-65003' is not an AS range like 65001-65535",
    ],
  },
  { name: 'empty range list', lines: g2('peers', 'ebgp', '    peerAs: []'), expect: ['rr.yml:8 groups[1].peerAs: an empty list matches no AS; expected ranges like 65001-65535'] },
  { name: 'misspelt word', lines: g('    peerAs: internl'), expect: ["rr.yml:6 groups[0].peerAs: 'internl' is not internal, external, an AS number or a list of AS ranges (did you mean internal?)"] },
  { name: 'not an AS', lines: g2('peers', 'ebgp', '    peerAs: 4294967296'), expect: [`rr.yml:8 groups[1].peerAs: 4294967296 ${AS_WHAT}`] },
];

const RANGES_AND_NEIGHBORS: Case[] = [
  {
    name: 'listen ranges',
    lines: g('    listenRanges:', '      - 10.0.0.0/33', '      - 10.0.0.1/8', '      - 2001:db8::1/32', '      - ::ffff:10.0.0.0/104', '      - 10.0.0.0', '      - {range: 10.0.0.0/8}'),
    expect: [
      "rr.yml:7 groups[0].listenRanges[0]: '10.0.0.0/33' is not an IPv4 or IPv6 prefix",
      "rr.yml:8 groups[0].listenRanges[1]: '10.0.0.1/8' has host bits set; did you mean 10.0.0.0/8?",
      "rr.yml:9 groups[0].listenRanges[2]: '2001:db8::1/32' has host bits set; did you mean 2001:db8::/32?",
      "rr.yml:10 groups[0].listenRanges[3]: '::ffff:10.0.0.0/104' is IPv4-mapped IPv6, which meshrr matches as IPv4; write 10.0.0.0/8",
      "rr.yml:11 groups[0].listenRanges[4]: '10.0.0.0' is not an IPv4 or IPv6 prefix",
      'rr.yml:12 groups[0].listenRanges[5]: expected an IPv4 or IPv6 prefix, got a mapping',
    ],
  },
  {
    name: 'unquoted :: in a list',
    lines: g('    listenRanges:', '      - ::'),
    expect: ['rr.yml:7 groups[0].listenRanges[0]: expected an IPv4 or IPv6 prefix, got a mapping: YAML reads an unquoted :: as one; write "::"'],
  },
  {
    name: 'overlapping ranges between groups',
    lines: g('    listenRanges: [10.0.0.0/8, 10.1.0.0/16, "2001:db8::/32"]', '  - name: more', '    role: client', '    listenRanges: [192.0.2.0/24, 10.1.2.0/24, "2001:DB8:0:1::/64"]'),
    expect: [
      "rr.yml:9 groups[1].listenRanges[1]: 10.1.2.0/24 overlaps 10.0.0.0/8 of group 'clients' (groups[0].listenRanges[0]); listen ranges of different groups must not overlap",
      "rr.yml:9 groups[1].listenRanges[2]: 2001:db8:0:1::/64 overlaps 2001:db8::/32 of group 'clients' (groups[0].listenRanges[2]); listen ranges of different groups must not overlap",
    ],
  },
  {
    name: 'neighbour fields',
    lines: g(
      '    neighbors:',
      '      - port: 179',
      '      - address: 10.0.0.300',
      '      - {address: 10.0.0.1, port: 0, localAddress: "2001:db8::1", passive: maybe, description: ""}',
      '      - {address: "::ffff:10.0.0.2", adress: 1}',
      '      - 10.0.0.3',
    ),
    expect: [
      'rr.yml:7 groups[0].neighbors[0].address: required key is missing; expected the IPv4 or IPv6 address of the neighbour',
      "rr.yml:8 groups[0].neighbors[1].address: '10.0.0.300' is not an IPv4 or IPv6 address",
      'rr.yml:9 groups[0].neighbors[2].port: 0 is not an integer from 1 to 65535',
      'rr.yml:9 groups[0].neighbors[2].localAddress: 2001:db8::1 is IPv6 but the neighbour address 10.0.0.1 is IPv4',
      "rr.yml:9 groups[0].neighbors[2].passive: 'maybe' is not true or false",
      "rr.yml:9 groups[0].neighbors[2].description: '' is not a non-empty string",
      "rr.yml:10 groups[0].neighbors[3].adress: unknown key 'adress'; did you mean address?",
      "rr.yml:10 groups[0].neighbors[3].address: '::ffff:10.0.0.2' is IPv4-mapped IPv6, which meshrr matches as IPv4; write 10.0.0.2",
      "rr.yml:11 groups[0].neighbors[4]: expected a mapping, got '10.0.0.3'",
    ],
  },
  {
    name: 'neighbour peerAs checked against the role',
    lines: g('    neighbors:', '      - {address: 10.0.0.1, peerAs: 65010}'),
    expect: ['rr.yml:7 groups[0].neighbors[0].peerAs: a client group is iBGP (RFC 4456): peerAs must be internal or our asn 65000, not 65010'],
  },
  {
    name: 'neighbour twice in a group',
    lines: g('    neighbors:', '      - address: 2001:db8::1', '      - address: 2001:DB8:0::1'),
    expect: ['rr.yml:8 groups[0].neighbors[1].address: neighbour 2001:db8::1 is already configured at groups[0].neighbors[0].address'],
  },
  {
    name: 'neighbour in two groups',
    lines: g('    neighbors: [{address: 10.0.0.1}]', '  - name: core', '    role: nonClient', '    neighbors: [{address: 10.0.0.1, port: 1179}]'),
    expect: ['rr.yml:9 groups[1].neighbors[0].address: neighbour 10.0.0.1 is already configured at groups[0].neighbors[0].address'],
  },
];

runCases([
  ['groups', GROUP],
  ['peerAs', PEER_AS],
  ['listen ranges and neighbours', RANGES_AND_NEIGHBORS],
]);
