/**
 * meshrr.conf.yml (src/pod/meshrr-conf.ts): Juniper meshrr v0.2 files parse unchanged, the
 * built-in defaults, environment overrides and notices, extra keys kept for the template, and
 * every validation error message (file, line, key path, what was expected).
 */
import { strict as assert } from 'node:assert';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { ConfigError, ConfigReadError } from '../../src/config/router-config.js';
import { isMeshrrError } from '../../src/errors.js';
import { BUILTIN_CONF, builtinConf, loadMeshrrConf, parseAsnStrict, parseMeshrrConf } from '../../src/pod/meshrr-conf.js';
import { meshGroups, subtractiveGroups } from '../../src/pod/meshrr-conf-types.js';

/** examples/3clientgroups/meshrr-3clientgroups.yaml's ConfigMap in Juniper's meshrr, as is. */
const THREE_CLIENT_GROUPS = `encrypted_root_pw: NOLOGIN
asn: "65000"
mode: ipv4rr
bgpgroups:
- name: MESHRR-MESH
  type: mesh
  source:
    sourcetype: dns
    hostname: meshrr-3clientgroups
- name: MESHRR-FULLTABLE-CLIENTS
  type: mesh
  source:
    sourcetype: dns
    hostname: meshrr-fulltable-clients
- name: MESHRR-PARTIALTABLE-CLIENTS
  type: mesh
  source:
    sourcetype: dns
    hostname: meshrr-partialtable-clients
- name: MESHRR-DEFAULTONLY-CLIENTS
  type: mesh
  source:
    sourcetype: dns
    hostname: meshrr-defaultonly-clients
`;

describe('parseMeshrrConf', () => {
  it('reads a Juniper meshrr v0.2 ConfigMap unchanged', () => {
    const c = parseMeshrrConf(THREE_CLIENT_GROUPS, 'meshrr.conf.yml');
    assert.equal(c.asn, 65000);
    assert.equal(c.mode, 'routereflector');
    assert.deepEqual(meshGroups(c).map((g) => [g.name, g.hostname, g.maxPeers]), [
      ['MESHRR-MESH', 'meshrr-3clientgroups', null],
      ['MESHRR-FULLTABLE-CLIENTS', 'meshrr-fulltable-clients', null],
      ['MESHRR-PARTIALTABLE-CLIENTS', 'meshrr-partialtable-clients', null],
      ['MESHRR-DEFAULTONLY-CLIENTS', 'meshrr-defaultonly-clients', null],
    ]);
    assert.deepEqual(c.notices, ["meshrr.conf.yml: encrypted_root_pw is ignored: meshrr has no root login (it set cRPD's root password)"]);
  });

  it('reads the built-in defaults (meshrr v0.2 defaults/meshrr.conf.yml)', () => {
    const c = parseMeshrrConf(BUILTIN_CONF, '(built-in defaults)');
    assert.deepEqual(c.groups.map((g) => [g.type, g.name]), [['mesh', 'MESHRR-MESH'], ['subtractive', 'MESHRR-CLIENTS'], ['mesh', 'MESHRR-UPSTREAM']]);
    assert.deepEqual(meshGroups(c).map((g) => [g.hostname, g.maxPeers]), [['meshrr', null], ['meshrr.core.svc.cluster.local', 2]]);
    assert.deepEqual(subtractiveGroups(c)[0]?.prefixes, ['0.0.0.0/0']);
    assert.deepEqual(subtractiveGroups(parseMeshrrConf(builtinConf('routeserver'), 'd', { mode: 'routeserver' }))[0]?.asranges, [{ min: 65001, max: 65500 }]);
  });

  it('reads asdot, case-insensitive types, mode aliases, and keeps extra keys for the template', () => {
    const c = parseMeshrrConf(
      ['asn: 65000.10', 'mode: EVPNRS', 'site: lothlorien', 'bgpgroups:', '  - {name: M, type: MESH, source: {sourcetype: DNS, hostname: meshrr.}, max_peers: 3, region: west}', '  - {name: C, type: Subtractive, prefixes: ["2001:DB8::/32", 10.0.0.0/8], asranges: [65001-65535, 65000.1-65000.9, 64512], router: {holdTime: 30}}'].join('\n'),
      'f',
    );
    assert.equal(c.asn, 65000 * 65536 + 10);
    assert.equal(c.asnText, '65000.10');
    assert.equal(c.mode, 'routeserver');
    assert.deepEqual(c.extra, { site: 'lothlorien' });
    assert.deepEqual(c.groups[0]?.data, { name: 'M', type: 'mesh', source: { sourcetype: 'dns', hostname: 'meshrr.' }, max_peers: 3, region: 'west' });
    assert.deepEqual(c.groups[1]?.data, { name: 'C', type: 'subtractive', prefixes: ['2001:db8::/32', '10.0.0.0/8'], asranges: ['65001-65535', '4259840001-4259840009', '64512'], router: { holdTime: 30 } });
    assert.deepEqual(subtractiveGroups(c)[0]?.asranges, [{ min: 65001, max: 65535 }, { min: 4259840001, max: 4259840009 }, { min: 64512, max: 64512 }]);
  });

  it('lets AUTONOMOUS_SYSTEM and MESHRR_MODE win over the file, with a notice', () => {
    const c = parseMeshrrConf(BUILTIN_CONF.replace('mode: routereflector', 'mode: ipv4rr'), 'f', { asn: { value: 4259840001, text: '65000.1' }, mode: 'routereflector' });
    assert.equal(c.asn, 4259840001);
    assert.deepEqual(c.notices, ['AUTONOMOUS_SYSTEM=65000.1 overrides asn 65000 of f']);
    const d = parseMeshrrConf('bgpgroups: [{name: M, type: mesh, source: {hostname: m}}]', 'f', { asn: { value: 64512, text: '64512' }, mode: 'routeserver' });
    assert.equal(d.asn, 64512, 'no asn in the file: the environment supplies it');
    assert.equal(d.mode, 'routeserver');
  });
});

describe('loadMeshrrConf', () => {
  it('uses the built-in defaults when the file is absent, and reports unreadable files', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'meshrr-conf-'));
    try {
      const c = await loadMeshrrConf(join(dir, 'meshrr.conf.yml'), { mode: 'routeserver' });
      assert.equal(c.source, '(built-in defaults)');
      assert.equal(c.mode, 'routeserver');
      assert.match(c.notices[0] ?? '', /^no .*meshrr\.conf\.yml: using the built-in defaults/);
      await assert.rejects(loadMeshrrConf(dir), (e: unknown) => e instanceof ConfigReadError && e.code === 'MESHRR_CONFIG_READ' && e.message === `${dir}: cannot read the router config: it is a directory`);
      writeFileSync(join(dir, 'bad.yml'), 'asn: "1.2.3"\n');
      await assert.rejects(loadMeshrrConf(join(dir, 'bad.yml')), (e: unknown) => e instanceof ConfigError && e.problems[0]?.file === join(dir, 'bad.yml'));
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('parseAsnStrict', () => {
  it('accepts asplain and asdot, refuses the rest with a reason', () => {
    assert.deepEqual(parseAsnStrict('65000'), { value: 65000 });
    assert.deepEqual(parseAsnStrict('65535.65535'), { value: 4294967295 });
    assert.deepEqual(parseAsnStrict('0.1'), { value: 1 });
    assert.deepEqual(parseAsnStrict('0.0'), { error: 'AS 0 is reserved and cannot be our AS (RFC 7607)' });
    assert.deepEqual(parseAsnStrict('65535.65536'), { error: "asdot '65535.65536' is out of range: both halves must be 0 to 65535 (RFC 5396)" });
  });
});

/** [case, meshrr.conf.yml text, code, the whole error message]. */
const ERRORS: [string, string, string, string][] = [
  ["empty", '', 'MESHRR_CONFIG_INVALID', "meshrr.conf.yml:1: the file is empty; expected a mapping with asn, mode and bgpgroups"],
  ["notmap", '- a\n', 'MESHRR_CONFIG_INVALID', "meshrr.conf.yml:1: expected a mapping with asn, mode and bgpgroups, got a list"],
  ["yamlsyntax", 'asn: "65000\n', 'MESHRR_CONFIG_PARSE', "meshrr.conf.yml:2: YAML syntax: Missing closing \"quote"],
  ["noasn", 'bgpgroups:\n  - {name: M, type: mesh, source: {hostname: meshrr}}\n', 'MESHRR_CONFIG_INVALID', "meshrr.conf.yml:1 asn: required key is missing; expected our AS number as a string, asplain like \"65000\" or asdot like \"65000.1\" (or set AUTONOMOUS_SYSTEM)"],
  ["asdotrange", 'asn: "65536.1"\nbgpgroups:\n  - {name: M, type: mesh, source: {hostname: meshrr}}\n', 'MESHRR_CONFIG_INVALID', "meshrr.conf.yml:1 asn: asdot '65536.1' is out of range: both halves must be 0 to 65535 (RFC 5396)"],
  ["asbig", 'asn: "4294967296"\nbgpgroups:\n  - {name: M, type: mesh, source: {hostname: meshrr}}\n', 'MESHRR_CONFIG_INVALID', "meshrr.conf.yml:1 asn: 4294967296 is out of range: AS numbers go from 1 to 4294967295"],
  ["as0", 'asn: 0\nbgpgroups:\n  - {name: M, type: mesh, source: {hostname: meshrr}}\n', 'MESHRR_CONFIG_INVALID', "meshrr.conf.yml:1 asn: AS 0 is reserved and cannot be our AS (RFC 7607)"],
  ["astrans", 'asn: "23456"\nbgpgroups:\n  - {name: M, type: mesh, source: {hostname: meshrr}}\n', 'MESHRR_CONFIG_INVALID', "meshrr.conf.yml:1 asn: 23456 is AS_TRANS (RFC 6793), not a real AS number"],
  ["asjunk", 'asn: "AS65000"\nbgpgroups:\n  - {name: M, type: mesh, source: {hostname: meshrr}}\n', 'MESHRR_CONFIG_INVALID', "meshrr.conf.yml:1 asn: 'AS65000' is not an AS number; expected asplain like \"65000\" or asdot like \"65000.1\""],
  ["aslist", 'asn: [1]\nbgpgroups:\n  - {name: M, type: mesh, source: {hostname: meshrr}}\n', 'MESHRR_CONFIG_INVALID', "meshrr.conf.yml:1 asn: expected an AS number like \"65000\" or \"65000.1\", got a list"],
  ["mode", 'asn: "65000"\nmode: ipv6rr\nbgpgroups:\n  - {name: M, type: mesh, source: {hostname: meshrr}}\n', 'MESHRR_CONFIG_INVALID', "meshrr.conf.yml:2 mode: 'ipv6rr' is not a mode; expected routereflector (or ipv4rr) or routeserver (or evpnrs)"],
  ["typo", 'asn: "65000"\nbgpgroup: []\n', 'MESHRR_CONFIG_INVALID', "meshrr.conf.yml:1 bgpgroups: required key is missing; expected a list of groups, at least one with type: mesh\nmeshrr.conf.yml:2 bgpgroup: unknown key 'bgpgroup'; did you mean bgpgroups?"],
  ["nogroups", 'asn: "65000"\n', 'MESHRR_CONFIG_INVALID', "meshrr.conf.yml:1 bgpgroups: required key is missing; expected a list of groups, at least one with type: mesh"],
  ["emptygroups", 'asn: "65000"\nbgpgroups: []\n', 'MESHRR_CONFIG_INVALID', "meshrr.conf.yml:2 bgpgroups: no mesh group: at least one group needs type: mesh (the pod finds its peers through mesh groups)"],
  ["nomesh", 'asn: "65000"\nbgpgroups:\n  - {name: C, type: subtractive, prefixes: [0.0.0.0/0]}\n', 'MESHRR_CONFIG_INVALID', "meshrr.conf.yml:3 bgpgroups: no mesh group: at least one group needs type: mesh (the pod finds its peers through mesh groups)"],
  ["noname", 'asn: "65000"\nbgpgroups:\n  - {type: mesh, source: {hostname: meshrr}}\n', 'MESHRR_CONFIG_INVALID', "meshrr.conf.yml:3 bgpgroups[0].name: required key is missing; expected the BGP group name, like MESHRR-MESH"],
  ["notype", 'asn: "65000"\nbgpgroups:\n  - {name: M, source: {hostname: meshrr}}\n', 'MESHRR_CONFIG_INVALID', "meshrr.conf.yml:3 bgpgroups[0].type: required key is missing; expected mesh or subtractive"],
  ["badtype", 'asn: "65000"\nbgpgroups:\n  - {name: M, type: meshy, source: {hostname: meshrr}}\n', 'MESHRR_CONFIG_INVALID', "meshrr.conf.yml:3 bgpgroups[0].type: unknown type 'meshy'; expected mesh or subtractive (did you mean mesh?)"],
  ["badtype2", 'asn: "65000"\nbgpgroups:\n  - {name: M, type: static, source: {hostname: meshrr}}\n', 'MESHRR_CONFIG_INVALID', "meshrr.conf.yml:3 bgpgroups[0].type: unknown type 'static'; expected mesh or subtractive"],
  ["nosource", 'asn: "65000"\nbgpgroups:\n  - {name: M, type: mesh}\n', 'MESHRR_CONFIG_INVALID', "meshrr.conf.yml:3 bgpgroups[0].source: required key is missing; expected a mapping with sourcetype: dns and hostname (the headless Service)"],
  ["nohost", 'asn: "65000"\nbgpgroups:\n  - {name: M, type: mesh, source: {sourcetype: dns}}\n', 'MESHRR_CONFIG_INVALID', "meshrr.conf.yml:3 bgpgroups[0].source.hostname: required key is missing; expected the headless Service name to resolve, like meshrr or meshrr.core.svc.cluster.local"],
  ["badst", 'asn: "65000"\nbgpgroups:\n  - {name: M, type: mesh, source: {sourcetype: k8s, hostname: meshrr}}\n', 'MESHRR_CONFIG_INVALID', "meshrr.conf.yml:3 bgpgroups[0].source.sourcetype: unknown sourcetype 'k8s'; expected dns or kubernetes (did you mean kubernetes?)"],
  ["badhost", 'asn: "65000"\nbgpgroups:\n  - {name: M, type: mesh, source: {hostname: "mesh rr"}}\n', 'MESHRR_CONFIG_INVALID', "meshrr.conf.yml:3 bgpgroups[0].source.hostname: 'mesh rr' is not a DNS name (letters, digits and hyphens in dot-separated labels of 1 to 63 characters)"],
  ["srctypo", 'asn: "65000"\nbgpgroups:\n  - {name: M, type: mesh, source: {hostnme: meshrr}}\n', 'MESHRR_CONFIG_INVALID', "meshrr.conf.yml:3 bgpgroups[0].source.hostnme: unknown key 'hostnme'; did you mean hostname?\nmeshrr.conf.yml:3 bgpgroups[0].source.hostname: required key is missing; expected the headless Service name to resolve, like meshrr or meshrr.core.svc.cluster.local"],
  ["maxp0", 'asn: "65000"\nbgpgroups:\n  - {name: M, type: mesh, source: {hostname: meshrr}, max_peers: 0}\n', 'MESHRR_CONFIG_INVALID', "meshrr.conf.yml:3 bgpgroups[0].max_peers: 0 is not a number of peers from 1 to 65535"],
  ["maxptypo", 'asn: "65000"\nbgpgroups:\n  - {name: M, type: mesh, source: {hostname: meshrr}, max_peer: 2}\n', 'MESHRR_CONFIG_INVALID', "meshrr.conf.yml:3 bgpgroups[0].max_peer: unknown key 'max_peer'; did you mean max_peers?"],
  ["meshprefixes", 'asn: "65000"\nbgpgroups:\n  - {name: M, type: mesh, source: {hostname: meshrr}, prefixes: [0.0.0.0/0]}\n', 'MESHRR_CONFIG_INVALID', "meshrr.conf.yml:3 bgpgroups[0].prefixes: prefixes belongs to subtractive groups; a mesh group's peers come from DNS (source.hostname)"],
  ["subsource", 'asn: "65000"\nbgpgroups:\n  - {name: M, type: mesh, source: {hostname: meshrr}}\n  - {name: C, type: subtractive, prefixes: [0.0.0.0/0], max_peers: 2}\n', 'MESHRR_CONFIG_INVALID', "meshrr.conf.yml:4 bgpgroups[1].max_peers: max_peers belongs to mesh groups; a subtractive group accepts routers from its prefixes"],
  ["noprefixes", 'asn: "65000"\nbgpgroups:\n  - {name: M, type: mesh, source: {hostname: meshrr}}\n  - {name: C, type: subtractive}\n', 'MESHRR_CONFIG_INVALID', "meshrr.conf.yml:4 bgpgroups[1].prefixes: required key is missing; expected a list of prefixes the group accepts routers from, like [0.0.0.0/0]"],
  ["emptyprefixes", 'asn: "65000"\nbgpgroups:\n  - {name: M, type: mesh, source: {hostname: meshrr}}\n  - {name: C, type: subtractive, prefixes: []}\n', 'MESHRR_CONFIG_INVALID', "meshrr.conf.yml:4 bgpgroups[1].prefixes: expected at least one prefix, got an empty list"],
  ["hostbits", 'asn: "65000"\nbgpgroups:\n  - {name: M, type: mesh, source: {hostname: meshrr}}\n  - {name: C, type: subtractive, prefixes: [10.0.0.1/8]}\n', 'MESHRR_CONFIG_INVALID', "meshrr.conf.yml:4 bgpgroups[1].prefixes[0]: '10.0.0.1/8' has host bits set; did you mean 10.0.0.0/8?"],
  ["badprefix", 'asn: "65000"\nbgpgroups:\n  - {name: M, type: mesh, source: {hostname: meshrr}}\n  - {name: C, type: subtractive, prefixes: [10.0.0.0/33]}\n', 'MESHRR_CONFIG_INVALID', "meshrr.conf.yml:4 bgpgroups[1].prefixes[0]: '10.0.0.0/33' is not an IPv4 or IPv6 prefix"],
  ["overlap", 'asn: "65000"\nbgpgroups:\n  - {name: M, type: mesh, source: {hostname: meshrr}}\n  - {name: C, type: subtractive, prefixes: [10.0.0.0/8]}\n  - {name: D, type: subtractive, prefixes: [192.0.2.0/24, 10.1.0.0/16]}\n', 'MESHRR_CONFIG_INVALID', "meshrr.conf.yml:5 bgpgroups[2].prefixes[1]: 10.1.0.0/16 overlaps 10.0.0.0/8 of group C (bgpgroups[1].prefixes[0]); prefixes of different subtractive groups must not overlap"],
  ["dupname", 'asn: "65000"\nbgpgroups:\n  - {name: M, type: mesh, source: {hostname: meshrr}}\n  - {name: M, type: mesh, source: {hostname: other}}\n', 'MESHRR_CONFIG_INVALID', "meshrr.conf.yml:4 bgpgroups[1].name: group name 'M' is already used at bgpgroups[0]"],
  ["duphost", 'asn: "65000"\nbgpgroups:\n  - {name: M, type: mesh, source: {hostname: meshrr}}\n  - {name: N, type: mesh, source: {hostname: MESHRR.}}\n', 'MESHRR_CONFIG_INVALID', "meshrr.conf.yml:4 bgpgroups[1].source.hostname: hostname 'MESHRR.' is already the source of group M; two groups would discover the same peers"],
  ["badrange", 'asn: "65000"\nmode: routeserver\nbgpgroups:\n  - {name: M, type: mesh, source: {hostname: meshrr}}\n  - {name: C, type: subtractive, prefixes: [0.0.0.0/0], asranges: ["65535-65001", "65001-70000", "a-b-c", [1]]}\n', 'MESHRR_CONFIG_INVALID', "meshrr.conf.yml:5 bgpgroups[1].asranges[0]: '65535-65001' is an empty range (65535 > 65001)\nmeshrr.conf.yml:5 bgpgroups[1].asranges[2]: 'a-b-c' is not an AS range; expected FIRST-LAST like 65001-65535\nmeshrr.conf.yml:5 bgpgroups[1].asranges[3]: expected an AS number or range like 65001-65535, got a list"],
  ["rsnoranges", 'asn: "65000"\nmode: evpnrs\nbgpgroups:\n  - {name: M, type: mesh, source: {hostname: meshrr}}\n  - {name: C, type: subtractive, prefixes: [0.0.0.0/0]}\n', 'MESHRR_CONFIG_INVALID', "meshrr.conf.yml:5 bgpgroups[1].asranges: required key is missing; expected the AS ranges of its routers (routeserver mode peers with them over eBGP), like [65001-65535]"],
  ["k8snoservice", 'asn: "65000"\nbgpgroups:\n  - {name: M, type: mesh, source: {sourcetype: kubernetes}}\n', 'MESHRR_CONFIG_INVALID', "meshrr.conf.yml:3 bgpgroups[0].source.service: required key is missing; expected the Service whose EndpointSlices list the peers, like meshrr-core"],
  ["k8shostname", 'asn: "65000"\nbgpgroups:\n  - {name: M, type: mesh, source: {sourcetype: Kubernetes, service: meshrr, hostname: meshrr}}\n', 'MESHRR_CONFIG_INVALID', "meshrr.conf.yml:3 bgpgroups[0].source.hostname: hostname belongs to dns sources; a kubernetes source watches the EndpointSlices of source.service"],
  ["dnsservice", 'asn: "65000"\nbgpgroups:\n  - {name: M, type: mesh, source: {hostname: meshrr, service: meshrr}}\n', 'MESHRR_CONFIG_INVALID', "meshrr.conf.yml:3 bgpgroups[0].source.service: service belongs to kubernetes sources; a dns source resolves source.hostname; set sourcetype: kubernetes to watch a Service"],
  ["k8sbadname", 'asn: "65000"\nbgpgroups:\n  - {name: M, type: mesh, source: {sourcetype: kubernetes, service: Meshrr_Core, namespace: "a.b"}}\n', 'MESHRR_CONFIG_INVALID', "meshrr.conf.yml:3 bgpgroups[0].source.service: 'Meshrr_Core' is not a service name (lower-case letters, digits and hyphens, at most 63 characters, RFC 1123)\nmeshrr.conf.yml:3 bgpgroups[0].source.namespace: 'a.b' is not a namespace name (lower-case letters, digits and hyphens, at most 63 characters, RFC 1123)"],
  ["k8stypost", 'asn: "65000"\nbgpgroups:\n  - {name: M, type: mesh, source: {sourcetype: kubernets, service: meshrr}}\n', 'MESHRR_CONFIG_INVALID', "meshrr.conf.yml:3 bgpgroups[0].source.sourcetype: unknown sourcetype 'kubernets'; expected dns or kubernetes (did you mean kubernetes?)"],
  ["k8sdup", 'asn: "65000"\nbgpgroups:\n  - {name: M, type: mesh, source: {sourcetype: kubernetes, service: meshrr}}\n  - {name: N, type: mesh, source: {sourcetype: kubernetes, service: meshrr}}\n', 'MESHRR_CONFIG_INVALID', "meshrr.conf.yml:4 bgpgroups[1].source.service: service 'meshrr' is already the source of group M; two groups would discover the same peers"],
  ["groupnotmap", 'asn: "65000"\nbgpgroups:\n  - mesh\n', 'MESHRR_CONFIG_INVALID', "meshrr.conf.yml:3 bgpgroups[0]: expected a mapping, got 'mesh'"],
];

describe('meshrr.conf.yml errors', () => {
  for (const [name, text, code, message] of ERRORS) {
    it(name, () => {
      assert.throws(
        () => parseMeshrrConf(text, 'meshrr.conf.yml'),
        (e: unknown) => {
          assert.ok(isMeshrrError(e) && e instanceof ConfigError);
          assert.equal(e.code, code);
          assert.equal(e.message, message);
          for (const p of e.problems) assert.equal(p.file, 'meshrr.conf.yml');
          return true;
        },
      );
    });
  }
});

describe('meshrr.conf.yml sourcetype: kubernetes', () => {
  it('keeps the Service, and a DNS name to fall back to', () => {
    const c = parseMeshrrConf('asn: "65000"\nbgpgroups:\n  - {name: M, type: mesh, source: {sourcetype: kubernetes, service: meshrr}}\n  - {name: U, type: mesh, source: {sourcetype: KUBERNETES, service: meshrr, namespace: core}, max_peers: 2}\n  - {name: D, type: mesh, source: {hostname: other}}\n', 'meshrr.conf.yml');
    const [m, u, d] = c.groups;
    assert.ok(m?.type === 'mesh' && u?.type === 'mesh' && d?.type === 'mesh');
    assert.deepEqual([m.sourcetype, m.hostname, m.kubernetes], ['kubernetes', 'meshrr', { service: 'meshrr', namespace: null }]);
    assert.deepEqual([u.sourcetype, u.hostname, u.kubernetes, u.maxPeers], ['kubernetes', 'meshrr.core.svc', { service: 'meshrr', namespace: 'core' }, 2]);
    assert.deepEqual(u.data['source'], { sourcetype: 'kubernetes', service: 'meshrr', namespace: 'core' });
    assert.deepEqual([d.sourcetype, d.kubernetes], ['dns', null]);
  });
});
