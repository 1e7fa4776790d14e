/**
 * Problems in YAML syntax and in the top-level keys of the router config
 * (src/config/router-config.ts), as a table of YAML lines and the exact message lines (file,
 * line, key path, wording). Groups: router-config-group-errors.test.ts.
 */
import { AS_WHAT, HEAD, runCases } from './helpers-router-config.js';
import type { Case } from './helpers-router-config.js';

const ROOT_KEYS = 'routerId, asn, hostname, listen, maxDynamicPeers, maxRoutes, connectionRate, decision, gracefulRestart, policies, groups';

const PARSE: Case[] = [
  { name: 'bad indentation', lines: [...HEAD.slice(0, 4), '   role: client'], expect: ['rr.yml:5: YAML syntax: Sequence item without - indicator'] },
  { name: 'tab indentation', lines: ['routerId: 192.0.2.1', '\tasn: 65000'], expect: ['rr.yml:2: YAML syntax: Tabs are not allowed as indentation'] },
  { name: 'unclosed flow list', lines: ['routerId: 192.0.2.1', 'asn: [65000', 'groups: []'], expect: ['rr.yml:3: YAML syntax: Flow sequence in block collection must be sufficiently indented and end with a ]'] },
  {
    name: 'unquoted ::',
    lines: [...HEAD, 'listen:', '  - address: ::'],
    expect: ['rr.yml:7: YAML syntax: Nested mappings are not allowed in compact mappings; an IPv6 address :: must be quoted ("::")'],
  },
  // The quoted scalar runs to the end of the input, where yaml notices.
  { name: 'unclosed quote', lines: ['routerId: 192.0.2.1', "asn: '65000"], expect: ["rr.yml:3: YAML syntax: Missing closing 'quote"] },
  { name: 'duplicate key', lines: ['routerId: 192.0.2.1', 'asn: 65000', 'asn: 65001'], expect: ['rr.yml:3: YAML syntax: Map keys must be unique'] },
  { name: 'two documents', lines: ['routerId: 192.0.2.1', '---', 'asn: 65000'], expect: ['rr.yml:2: YAML syntax: Source contains multiple documents; please use YAML.parseAllDocuments()'] },
  { name: 'alias without anchor', lines: [...HEAD, '    families: *fams'], expect: ['rr.yml:6 groups[0].families: alias *fams has no anchor &fams before it'] },
  { name: 'alias inside its own anchor', lines: ['routerId: &r [*r]'], expect: ['rr.yml:1 routerId[0]: alias *r refers to a node that contains it'] },
  { name: 'merge of a scalar', lines: [...HEAD, '    <<: 5'], expect: ['rr.yml:6 groups[0].<<: a merge key (<<) takes a mapping or a list of mappings'] },
  { name: 'list as a key', lines: ['[a, b]: 1'], expect: ['rr.yml:1: a mapping key must be a scalar (text or number), not a list or mapping'] },
  {
    name: 'alias bomb',
    lines: ['x-a: &a [1, 1, 1, 1, 1, 1, 1, 1, 1, 1]', 'x-b: &b [*a, *a, *a, *a, *a, *a, *a, *a, *a, *a]', 'x-c: [*b, *b, *b, *b, *b, *b, *b, *b, *b, *b, *b]'],
    expect: ['rr.yml:1: YAML: Excessive alias count indicates a resource exhaustion attack'],
  },
];

const ROOT: Case[] = [
  { name: 'empty file', lines: ['# nothing yet'], expect: ['rr.yml:1: the file is empty; expected a mapping with routerId, asn and groups'] },
  { name: 'a list', lines: ['- routerId: 192.0.2.1'], expect: ['rr.yml:1: expected a mapping with routerId, asn and groups, got a list'] },
  {
    name: 'required keys',
    lines: ['hostname: rr1'],
    expect: [
      'rr.yml:1 routerId: required key is missing; expected the BGP identifier, a dotted quad like 192.0.2.1',
      'rr.yml:1 asn: required key is missing; expected our AS number (1 to 4294967295, or asdot like 65000.1)',
      'rr.yml:1 groups: required key is missing; expected a non-empty list of peer groups',
    ],
  },
  { name: 'routerId text', lines: ['routerId: rr1', ...HEAD.slice(1)], expect: ["rr.yml:1 routerId: 'rr1' is not an IPv4 address in dotted-quad form (like 192.0.2.1)"] },
  { name: 'routerId octal-looking', lines: ['routerId: 10.0.0.01', ...HEAD.slice(1)], expect: ["rr.yml:1 routerId: '10.0.0.01' is not an IPv4 address in dotted-quad form (like 192.0.2.1)"] },
  { name: 'routerId number', lines: ['routerId: 3221225985', ...HEAD.slice(1)], expect: ['rr.yml:1 routerId: 3221225985 is not an IPv4 address in dotted-quad form (like 192.0.2.1)'] },
  { name: 'routerId zero', lines: ['routerId: 0.0.0.0', ...HEAD.slice(1)], expect: ['rr.yml:1 routerId: 0.0.0.0 is not allowed: BGP identifiers and cluster IDs must be non-zero (RFC 6286 §2.1)'] },
  { name: 'asn 0', lines: [HEAD[0] as string, 'asn: 0', ...HEAD.slice(2)], expect: [`rr.yml:2 asn: 0 ${AS_WHAT}`] },
  { name: 'asn too big', lines: [HEAD[0] as string, 'asn: 4294967296', ...HEAD.slice(2)], expect: [`rr.yml:2 asn: 4294967296 ${AS_WHAT}`] },
  { name: 'asn AS_TRANS', lines: [HEAD[0] as string, 'asn: 23456', ...HEAD.slice(2)], expect: ['rr.yml:2 asn: 23456 is AS_TRANS (RFC 6793 §9), not a real AS number'] },
  { name: 'asdot high part', lines: [HEAD[0] as string, 'asn: "65536.1"', ...HEAD.slice(2)], expect: [`rr.yml:2 asn: '65536.1' ${AS_WHAT}`] },
  { name: 'asdot low part unquoted', lines: [HEAD[0] as string, 'asn: 65000.70000', ...HEAD.slice(2)], expect: [`rr.yml:2 asn: 65000.70000 ${AS_WHAT}`] },
  { name: 'asn text', lines: [HEAD[0] as string, 'asn: AS65000', ...HEAD.slice(2)], expect: [`rr.yml:2 asn: 'AS65000' ${AS_WHAT}`] },
  { name: 'asn negative', lines: [HEAD[0] as string, 'asn: -1', ...HEAD.slice(2)], expect: [`rr.yml:2 asn: -1 ${AS_WHAT}`] },
  { name: 'hostname empty', lines: [...HEAD, 'hostname: ""'], expect: ["rr.yml:6 hostname: '' is not a non-empty string"] },
  { name: 'hostname too long', lines: [...HEAD, `hostname: ${'h'.repeat(256)}`], expect: ['rr.yml:6 hostname: the host name is 256 bytes long; the hostname capability carries at most 255'] },
  { name: 'misspelt root key', lines: [...HEAD, 'routerID: 192.0.2.1'], expect: ["rr.yml:6 routerID: unknown key 'routerID'; did you mean routerId?"] },
  { name: 'snake_case root key', lines: [...HEAD, 'max_dynamic_peers: 5'], expect: ["rr.yml:6 max_dynamic_peers: unknown key 'max_dynamic_peers'; did you mean maxDynamicPeers?"] },
  { name: 'unknown root key', lines: [...HEAD, 'templates: {}'], expect: [`rr.yml:6 templates: unknown key 'templates'; expected one of ${ROOT_KEYS}`] },
  { name: 'listen not a list', lines: [...HEAD, 'listen: 0.0.0.0'], expect: ["rr.yml:6 listen: expected a list, got '0.0.0.0'"] },
  {
    name: 'listen entries',
    lines: [...HEAD, 'listen:', '  - port: 179', '  - address: 10.0.0.256', '  - {address: "::", port: 0}', '  - {address: 127.0.0.1, prot: 1179}'],
    expect: [
      'rr.yml:7 listen[0].address: required key is missing; expected a local IPv4 or IPv6 address (0.0.0.0 or :: for all)',
      "rr.yml:8 listen[1].address: '10.0.0.256' is not an IPv4 or IPv6 address",
      'rr.yml:9 listen[2].port: 0 is not a TCP port from 1 to 65535',
      "rr.yml:10 listen[3].prot: unknown key 'prot'; did you mean port?",
    ],
  },
  {
    name: 'listen twice',
    lines: [...HEAD, 'listen:', '  - {address: "::"}', '  - {address: "0:0::0", port: 179}'],
    expect: ['rr.yml:8 listen[1]: :: port 179 is already listed at listen[0]'],
  },
  { name: 'maxDynamicPeers negative', lines: [...HEAD, 'maxDynamicPeers: -1'], expect: ['rr.yml:6 maxDynamicPeers: -1 is not an integer from 0 to 4294967295'] },
  {
    name: 'decision',
    lines: [...HEAD, 'decision:', '  alwaysCompareMed: yes', '  deterministicMED: false'],
    expect: ["rr.yml:7 decision.alwaysCompareMed: 'yes' is not true or false", "rr.yml:8 decision.deterministicMED: unknown key 'deterministicMED'; did you mean deterministicMed?"],
  },
  {
    name: 'gracefulRestart',
    lines: [...HEAD, 'gracefulRestart:', '  restartTime: 5000', '  staleRoutesTime: 0', '  notification: 1'],
    expect: [
      'rr.yml:7 gracefulRestart.restartTime: 5000 is not a restart time from 0 to 4095 seconds (12 bits, RFC 4724 §3)',
      'rr.yml:8 gracefulRestart.staleRoutesTime: 0 is not an integer from 1 to 4095',
      'rr.yml:9 gracefulRestart.notification: 1 is not true or false',
    ],
  },
  { name: 'gracefulRestart not a mapping', lines: [...HEAD, 'gracefulRestart: true'], expect: ['rr.yml:6 gracefulRestart: expected a mapping, got true'] },
  { name: 'policies list', lines: [...HEAD, 'policies: [a, b]'], expect: ['rr.yml:6 policies: expected a mapping of policy names to definitions, got a list'] },
  { name: 'groups empty', lines: [...HEAD.slice(0, 2), 'groups: []'], expect: ['rr.yml:3 groups: expected a non-empty list of peer groups, got an empty list'] },
  { name: 'groups mapping', lines: [...HEAD.slice(0, 2), 'groups:', '  clients: {role: client}'], expect: ['rr.yml:4 groups: expected a list, got a mapping'] },
  { name: 'group not a mapping', lines: [...HEAD, '  - clients'], expect: ["rr.yml:6 groups[1]: expected a mapping, got 'clients'"] },
];

runCases([
  ['YAML syntax (MESHRR_CONFIG_PARSE)', PARSE.map((c) => ({ ...c, code: 'MESHRR_CONFIG_PARSE' as const }))],
  ['top-level keys', ROOT],
]);

