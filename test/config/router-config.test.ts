/**
 * The router-config parser (src/config/router-config.ts): defaults, asdot, normalisation,
 * pass-through keys, YAML anchors and merges, the example in examples/router/rr.yml, and
 * loading files. Error messages: router-config-errors.test.ts and
 * router-config-group-errors.test.ts; the round trip: router-config-property.test.ts.
 */
import { strict as assert } from 'node:assert';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { hostname, tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { isMeshrrError, MeshrrError } from '../../src/errors.js';
import { ConfigError, ConfigReadError, GROUP_KEYS, loadRouterConfig, parseRouterConfig } from '../../src/config/router-config.js';
import type { GroupConfig, RouterConfig } from '../../src/config/router-config.js';

const parse = (...lines: string[]): RouterConfig => parseRouterConfig(lines.join('\n') + '\n', 'rr.yml');
const MINIMAL = ['routerId: 192.0.2.1', 'asn: 65000', 'groups:', '  - name: clients', '    role: client'];
const group = (c: RouterConfig, i = 0): GroupConfig => c.groups[i] as GroupConfig;

describe('defaults', () => {
  it('fills every optional key of a minimal file', () => {
    const { policySet, ...rest } = parse(...MINIMAL);
    assert.equal(policySet.policies.size, 0);
    assert.deepEqual(rest, {
      routerId: 0xc0000201,
      routerIdText: '192.0.2.1',
      asn: 65000,
      hostname: hostname(),
      listen: [
        { address: '0.0.0.0', port: 179 },
        { address: '::', port: 179 },
      ],
      maxDynamicPeers: 1000,
      alwaysCompareMed: false,
      deterministicMed: true,
      gracefulRestart: { enabled: true, restartTime: 120, staleRoutesTime: 360, notification: true },
      policies: {},
      groups: [
        {
          name: 'clients',
          role: 'client',
          clusterId: 0xc0000201,
          clientToClient: true,
          routeServer: false,
          peerAs: { kind: 'internal' },
          passive: false,
          families: ['ipv4-unicast', 'ipv6-unicast'],
          holdTime: 90,
          keepaliveTime: null,
          connectRetryTime: 30,
          multihopTtl: null,
          listenRanges: [],
          maxDynamicPeers: null,
          neighbors: [],
          maxPrefix: null,
          addPathSend: 0,
          addPathReceive: false,
          importPolicy: null,
          exportPolicy: null,
          extra: {},
        },
      ],
    });
  });

  it('null means "use the default" (what an empty template loop renders)', () => {
    const c = parse(...MINIMAL, '    neighbors:', '    listenRanges:', '    holdTime: ~', 'listen:', 'policies:');
    assert.deepEqual(group(c).neighbors, []);
    assert.deepEqual(group(c).listenRanges, []);
    assert.equal(group(c).holdTime, 90);
    assert.equal(c.listen.length, 2);
    assert.deepEqual(c.policies, {});
  });

  it('an empty listen list means no listening socket', () => {
    assert.deepEqual(parse(...MINIMAL, 'listen: []').listen, []);
  });

  it('passive: true with listen ranges and no neighbours, else false, unless set', () => {
    assert.equal(group(parse(...MINIMAL, '    listenRanges: [10.0.0.0/8]')).passive, true);
    assert.equal(group(parse(...MINIMAL, '    listenRanges: [10.0.0.0/8]', '    neighbors: [{address: 192.0.2.9}]')).passive, false);
    assert.equal(group(parse(...MINIMAL, '    neighbors: [{address: 192.0.2.9}]')).passive, false);
    assert.equal(group(parse(...MINIMAL, '    listenRanges: [10.0.0.0/8]', '    passive: false')).passive, false);
  });

  it('neighbour defaults, and ebgp needs peerAs', () => {
    const c = parse(...MINIMAL, '  - name: transit', '    role: ebgp', '    peerAs: external', '    neighbors: [{address: 198.51.100.1}]');
    assert.deepEqual(group(c, 1).neighbors, [{ address: '198.51.100.1', port: 179, localAddress: null, peerAs: null, passive: null, description: null, importPolicy: null }]);
    assert.deepEqual(group(c, 1).peerAs, { kind: 'external' });
  });

  it('maxPrefix and addPath defaults', () => {
    const g = group(parse(...MINIMAL, '    maxPrefix: {limit: 500}', '    addPath: {send: all}'));
    assert.deepEqual(g.maxPrefix, { limit: 500, warningPercent: 90, restartSeconds: 0 });
    assert.equal(g.addPathSend, 'all');
    assert.equal(g.addPathReceive, false);
  });

  it('extendedNextHop (RFC 8950): a boolean, absent unless true', () => {
    assert.equal(group(parse(...MINIMAL)).extendedNextHop, undefined);
    assert.equal(group(parse(...MINIMAL, '    extendedNextHop: false')).extendedNextHop, undefined);
    assert.equal(group(parse(...MINIMAL, '    extendedNextHop: true')).extendedNextHop, true);
    assert.ok(GROUP_KEYS.includes('extendedNextHop'));
  });
});

describe('AS numbers', () => {
  const asn = (text: string): number => parse('routerId: 192.0.2.1', `asn: ${text}`, ...MINIMAL.slice(2)).asn;
  it('asplain, as a number or text', () => {
    assert.equal(asn('65000'), 65000);
    assert.equal(asn('"4200000000"'), 4200000000);
    assert.equal(asn('4294967295'), 4294967295);
    assert.equal(asn('0xFDE8'), 65000);
  });
  it('asdot, quoted or not (an unquoted 65000.10 is a float to YAML)', () => {
    assert.equal(asn('"65000.1"'), 4259840001);
    assert.equal(asn('65000.1'), 4259840001);
    assert.equal(asn('65000.10'), 4259840010);
    assert.equal(asn('"0.65000"'), 65000);
    assert.equal(asn('65535.65535'), 4294967295);
  });
  it('peerAs: one AS, asdot, words, ranges', () => {
    const peer = (text: string): unknown => group(parse(...MINIMAL, '  - name: p', '    role: ebgp', `    peerAs: ${text}`), 1).peerAs;
    assert.deepEqual(peer('65001'), { kind: 'exact', asn: 65001 });
    assert.deepEqual(peer('1.10'), { kind: 'exact', asn: 65546 });
    assert.deepEqual(peer('external'), { kind: 'external' });
    assert.deepEqual(peer('"65001-65535"'), { kind: 'ranges', ranges: [{ min: 65001, max: 65535 }] });
    assert.deepEqual(peer('[64512, 65001-65535, "1.0-1.65535"]'), {
      kind: 'ranges',
      ranges: [
        { min: 64512, max: 64512 },
        { min: 65001, max: 65535 },
        { min: 65536, max: 131071 },
      ],
    });
    assert.deepEqual(group(parse(...MINIMAL, '    peerAs: 65000')).peerAs, { kind: 'exact', asn: 65000 });
  });
});

describe('normalisation', () => {
  it('addresses and prefixes become canonical text (RFC 5952)', () => {
    const c = parse(
      ...MINIMAL,
      '    listenRanges: ["2001:DB8:0:0::/64", 10.0.0.0/8, "::/0"]',
      '    neighbors: [{address: "2001:0db8:0000:0000:0000:0000:0000:0001", localAddress: "2001:db8:0:0:1:0:0:1"}]',
      'listen: [{address: "0:0:0:0:0:0:0:0"}, {address: "fe80:0:0:1::"}]',
    );
    assert.deepEqual(group(c).listenRanges, ['2001:db8::/64', '10.0.0.0/8', '::/0']);
    assert.equal(group(c).neighbors[0]?.address, '2001:db8::1');
    assert.equal(group(c).neighbors[0]?.localAddress, '2001:db8::1:0:0:1');
    assert.deepEqual(c.listen, [
      { address: '::', port: 179 },
      { address: 'fe80:0:0:1::', port: 179 },
    ]);
  });

  it('clusterId as a dotted quad or a number', () => {
    assert.equal(group(parse(...MINIMAL, '    clusterId: 10.0.0.1')).clusterId, 0x0a000001);
    assert.equal(group(parse(...MINIMAL, '    clusterId: 4294967295')).clusterId, 0xffffffff);
  });

  it('a neighbour in another group’s listen range is fine (explicit beats range)', () => {
    const c = parse(...MINIMAL, '    listenRanges: [10.0.0.0/8]', '  - name: core', '    role: nonClient', '    neighbors: [{address: 10.1.1.1}]');
    assert.equal(group(c, 1).neighbors[0]?.address, '10.1.1.1');
  });

  it('overlapping listen ranges inside one group are allowed', () => {
    assert.deepEqual(group(parse(...MINIMAL, '    listenRanges: [10.0.0.0/8, 10.1.0.0/16]')).listenRanges, ['10.0.0.0/8', '10.1.0.0/16']);
  });
});

describe('pass-through keys', () => {
  it('unknown group keys land in extra; policies are kept as written and compiled', () => {
    const c = parse(...MINIMAL, '    type: subtractive', '    asranges: [65001-65535]', '    source: {sourcetype: dns, hostname: meshrr}', 'policies:', '  strict: {terms: [{match: {community: 65000:101}, then: reject}]}');
    assert.deepEqual(group(c).extra, { type: 'subtractive', asranges: ['65001-65535'], source: { sourcetype: 'dns', hostname: 'meshrr' } });
    assert.deepEqual(c.policies, { strict: { terms: [{ match: { community: '65000:101' }, then: 'reject' }] } });
    assert.deepEqual([...c.policySet.policies.keys()], ['strict']);
    assert.equal(c.policySet.policies.get('strict')?.terms.length, 1);
  });

  it('a neighbour may name its own import policy, which must exist', () => {
    const c = parse(...MINIMAL, '    neighbors: [{address: 198.51.100.1, importPolicy: strict}]', 'policies:', '  strict: {default: reject}');
    assert.equal(group(c).neighbors[0]?.importPolicy, 'strict');
    assert.throws(
      () => parse(...MINIMAL, '    neighbors: [{address: 198.51.100.1, importPolicy: strcit}]', 'policies:', '  strict: {default: reject}'),
      (e: unknown) => e instanceof ConfigError && /groups\[0\]\.neighbors\[0\]\.importPolicy: policy 'strcit' is not defined under policies \(defined: strict\); did you mean strict\?/.test(e.message),
    );
  });

  it('a bad policy is a config error with its file, line and key path', () => {
    assert.throws(
      () => parse(...MINIMAL, 'policies:', '  strict:', '    terms:', '      - match: {community: 65000:abc}', '        then: reject'),
      (e: unknown) => e instanceof ConfigError && /rr\.yml:9 policies\.strict\.terms\[0\]\.match\.community/.test(e.message),
    );
  });

  it('import and export policies must name a defined policy', () => {
    const g = group(parse(...MINIMAL, '    importPolicy: strict', '    exportPolicy: strict', 'policies: {strict: {}}'));
    assert.equal(g.importPolicy, 'strict');
    assert.equal(g.exportPolicy, 'strict');
  });

  it('anchors, aliases, << merges and x- keys', () => {
    const c = parse(
      'x-defaults: &defaults',
      '  role: client',
      '  holdTime: 30',
      '  families: &fams [ipv4-unicast]',
      'routerId: 192.0.2.1',
      'asn: 65000',
      'groups:',
      '  - <<: *defaults',
      '    name: a',
      '    holdTime: 60',
      '  - <<: [*defaults]',
      '    name: b',
      '    families: *fams',
    );
    assert.deepEqual(
      c.groups.map((g) => [g.name, g.role, g.holdTime, g.families]),
      [
        ['a', 'client', 60, ['ipv4-unicast']],
        ['b', 'client', 30, ['ipv4-unicast']],
      ],
    );
  });

  it('a byte-order mark is skipped', () => {
    assert.equal(parseRouterConfig('\uFEFF' + MINIMAL.join('\n'), 'rr.yml').asn, 65000);
  });
});

describe('errors', () => {
  it('ConfigError is a MeshrrError with a code and every problem', () => {
    try {
      parse('routerId: 0.0.0.0', 'asn: 0', 'groups: []');
      assert.fail('no error');
    } catch (e) {
      assert.ok(e instanceof ConfigError && e instanceof MeshrrError && e instanceof Error && isMeshrrError(e));
      assert.equal(e.code, 'MESHRR_CONFIG_INVALID');
      assert.equal(e.name, 'ConfigError');
      assert.equal(e.problems.length, 3);
      assert.deepEqual(
        e.problems.map((p) => [p.line, p.path]),
        [
          [1, 'routerId'],
          [2, 'asn'],
          [3, 'groups'],
        ],
      );
    }
  });

  it('instanceof MeshrrError works for errors from another copy of the module', () => {
    const foreign = Object.defineProperty(new Error('x'), Symbol.for('meshrr.error'), { value: true });
    assert.ok(foreign instanceof MeshrrError);
    assert.ok(!(foreign instanceof ConfigError));
    assert.ok(!(new Error('x') instanceof MeshrrError));
  });
});

describe('files', () => {
  it('the example in examples/router/rr.yml parses', async () => {
    const c = await loadRouterConfig(new URL('../../examples/router/rr.yml', import.meta.url).pathname);
    assert.equal(c.routerIdText, '192.0.2.1');
    assert.deepEqual(
      c.groups.map((g) => [g.name, g.role, g.passive, g.clusterId]),
      [
        ['clients', 'client', true, 0xc0000201],
        ['cluster-peers', 'nonClient', false, 0xc0000201],
      ],
    );
    assert.deepEqual(c.listen, [
      { address: '127.0.0.1', port: 1179 },
      { address: '::1', port: 1179 },
    ]);
  });

  it('the complete example in docs/router-config.md parses and sets every group key', () => {
    const md = readFileSync(new URL('../../docs/router-config.md', import.meta.url), 'utf8');
    const yaml = /```yaml\n([\s\S]*?)```/.exec(md)?.[1];
    assert.ok(yaml !== undefined);
    const c = parseRouterConfig(yaml, 'router-config.md');
    assert.deepEqual(
      c.groups.map((g) => g.name),
      ['clients', 'upstream', 'transit'],
    );
    assert.deepEqual(group(c, 2).peerAs, {
      kind: 'ranges',
      ranges: [
        { min: 64512, max: 64999 },
        { min: 65535 * 65536 + 1, max: 65535 * 65536 + 100 },
      ],
    });
    for (const key of GROUP_KEYS) assert.match(yaml, new RegExp(`^\\s*(- )?${key}:`, 'm'), key);
  });

  it('a missing file is MESHRR_CONFIG_READ naming the path', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'meshrr-config-'));
    try {
      const path = join(dir, 'nope.yml');
      await assert.rejects(loadRouterConfig(path), (e: unknown) => {
        assert.ok(e instanceof ConfigReadError && e instanceof MeshrrError);
        assert.equal(e.code, 'MESHRR_CONFIG_READ');
        assert.equal(e.path, path);
        assert.equal(e.message, `${path}: cannot read the router config: no such file`);
        assert.equal((e.cause as { code?: unknown }).code, 'ENOENT');
        return true;
      });
      await assert.rejects(loadRouterConfig(dir), { code: 'MESHRR_CONFIG_READ', message: `${dir}: cannot read the router config: it is a directory` });
      const bad = join(dir, 'bad.yml');
      writeFileSync(bad, 'routerId: 192.0.2.1\nasn: 65000\ngroups: []\n');
      await assert.rejects(loadRouterConfig(bad), { code: 'MESHRR_CONFIG_INVALID', message: `${bad}:3 groups: expected a non-empty list of peer groups, got an empty list` });
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
