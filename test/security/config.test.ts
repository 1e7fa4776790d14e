/**
 * The security keys of the router config (issue 10): TCP-MD5 key references per group,
 * neighbour and listen range, GTSM hops, limits, the global caps; that rendering shows only
 * the reference, never the key; and how the composition root turns them into session
 * settings (an unreadable key stops that one peer with the reason).
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { inspect } from 'node:util';
import { parseRouterConfig, stringifyRouterConfig, ConfigError, LIMIT_DEFAULTS } from '../../src/config/router-config.js';
import { groupSessionConfig } from '../../src/rr/session-config.js';
import { securityUnavailable } from '../../src/session/peer.js';
import { loadSockopt } from '../../src/session/socket-options.js';
import { makeTmpDir } from '../helpers/tmp.js';

const SECRET = 'very-secret-key';

function config(keyFile: string): string {
  return [
    'routerId: 10.0.0.1',
    'asn: 65000',
    'maxRoutes: 5000000',
    'connectionRate: {max: 5, windowSeconds: 2}',
    'groups:',
    '  - name: clients',
    '    role: client',
    `    md5PasswordFile: ${keyFile}`,
    '    ttlSecurity: {hops: 1}',
    '    limits: {maxAsPathLength: 50}',
    '    listenRanges:',
    '      - 10.1.0.0/16',
    '      - {prefix: 10.2.0.0/16, md5PasswordEnv: RANGE_KEY}',
    '    neighbors:',
    '      - address: 10.0.0.2',
    '      - {address: 10.0.0.3, md5PasswordEnv: N3_KEY, ttlSecurity: {hops: 2}}',
  ].join('\n');
}

describe('security config keys', () => {
  it('parse: references per group, neighbour and range; hops; limits with defaults filled in', async () => {
    const dir = await makeTmpDir('seccfg');
    const keyFile = dir.join('key');
    writeFileSync(keyFile, `${SECRET}\n`);
    const c = parseRouterConfig(config(keyFile), 'rr.yml');
    const g = c.groups[0];
    assert.ok(g !== undefined);
    assert.deepEqual(g.md5, { kind: 'file', path: keyFile });
    assert.equal(g.ttlSecurityHops, 1);
    assert.deepEqual(g.limits, { ...LIMIT_DEFAULTS, maxAsPathLength: 50 });
    assert.deepEqual(g.listenRanges, ['10.1.0.0/16', '10.2.0.0/16']);
    assert.deepEqual(g.listenRangeMd5, { '10.2.0.0/16': { kind: 'env', name: 'RANGE_KEY' } });
    assert.deepEqual(g.neighbors[1]?.md5, { kind: 'env', name: 'N3_KEY' });
    assert.equal(g.neighbors[1]?.ttlSecurityHops, 2);
    assert.equal(c.maxRoutes, 5000000);
    assert.deepEqual(c.connectionRate, { max: 5, windowSeconds: 2 });

    // Rendering round-trips and shows the path, never the key.
    const text = stringifyRouterConfig(c);
    assert.ok(!text.includes(SECRET));
    assert.match(text, new RegExp(`md5PasswordFile: ${keyFile}`));
    assert.deepEqual(parseRouterConfig(text, 'rr.yml'), c, 'written back, the config parses to the same');

    // Session settings: the group's key for neighbour 1, the neighbour's own for neighbour 2.
    const env = process.env;
    process.env = { ...env, N3_KEY: 'n3', RANGE_KEY: 'range' };
    try {
      const s1 = groupSessionConfig(c, g, false, g.peerAs, g.passive, { neighbor: g.neighbors[0] ?? assert.fail() });
      assert.equal(s1.md5Key?.bytes().toString(), SECRET);
      assert.equal(s1.ttlSecurityHops, 1);
      assert.equal(s1.limits?.maxAsPathLength, 50);
      assert.equal(s1.timers.largeHoldTime, LIMIT_DEFAULTS.openTimeout);
      assert.ok(!JSON.stringify(s1).includes(SECRET) && !inspect(s1, { depth: 9 }).includes(SECRET), 'the key never shows in a printed session config');
      const s2 = groupSessionConfig(c, g, false, g.peerAs, g.passive, { neighbor: g.neighbors[1] ?? assert.fail() });
      assert.equal(s2.md5Key?.bytes().toString(), 'n3');
      assert.equal(s2.ttlSecurityHops, 2);
      const r1 = groupSessionConfig(c, g, false, g.peerAs, true, { range: '10.1.0.0/16' });
      const r2 = groupSessionConfig(c, g, false, g.peerAs, true, { range: '10.2.0.0/16' });
      assert.equal(r1.md5Key?.bytes().toString(), SECRET);
      assert.equal(r2.md5Key?.bytes().toString(), 'range');
      assert.equal(securityUnavailable(s1, loadSockopt()), null);
      assert.match(securityUnavailable(s1, { ok: false, reason: 'the addon did not load' }) ?? '', /TCP-MD5 and GTSM \(ttl-security\) configured but the addon did not load/);
    } finally {
      process.env = env;
    }
    await dir.cleanup();
  });

  it('an unreadable key stops only that session, naming the file and not the key', () => {
    const c = parseRouterConfig(config('/nonexistent/md5/key'), 'rr.yml');
    const g = c.groups[0] ?? assert.fail();
    const s = groupSessionConfig(c, g, false, g.peerAs, g.passive, { neighbor: g.neighbors[0] ?? assert.fail() });
    assert.equal(s.md5Key, undefined);
    assert.match(securityUnavailable(s, loadSockopt()) ?? '', /cannot read TCP-MD5 key file \/nonexistent\/md5\/key: ENOENT/);
  });

  it('problems: both key sources, a relative path, a bad variable name, hops out of range', () => {
    const text = [
      'routerId: 10.0.0.1',
      'asn: 65000',
      'groups:',
      '  - name: g',
      '    role: client',
      '    md5PasswordFile: key.txt',
      '    ttlSecurity: {hops: 255}',
      '    neighbors:',
      '      - {address: 10.0.0.2, md5PasswordFile: /k, md5PasswordEnv: K}',
      '      - {address: 10.0.0.3, md5PasswordEnv: "1bad"}',
    ].join('\n');
    assert.throws(
      () => parseRouterConfig(text, 'rr.yml'),
      (e: unknown) => {
        assert.ok(e instanceof ConfigError);
        assert.deepEqual(
          e.problems.map((p) => `${p.line} ${p.path}: ${p.message}`),
          [
            "6 groups[0].md5PasswordFile: 'key.txt' is not an absolute path (a mounted Secret, like /etc/meshrr/md5/key)",
            '7 groups[0].ttlSecurity.hops: 255 is not a hop count from 1 (directly connected) to 254 (RFC 5082)',
            '9 groups[0].neighbors[0].md5PasswordEnv: md5PasswordFile and md5PasswordEnv both set; the key comes from one of them',
            "10 groups[0].neighbors[1].md5PasswordEnv: '1bad' is not an environment variable name",
          ],
        );
        return true;
      },
    );
  });
});
