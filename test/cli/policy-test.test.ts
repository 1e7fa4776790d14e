/**
 * `meshrr policy test` through the CLI entry (runCli): the group boundary's policy, the
 * defaults without one (iBGP accept, RFC 8212 for eBGP), NO_EXPORT before policy, exit
 * codes, and clear errors for bad input.
 */
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { runCli } from '../../src/cli/main.js';

const CONFIG = `routerId: 10.1.0.1
asn: 65000
groups:
  - name: region-a
    role: client
    listenRanges: [10.1.0.0/16]
  - name: core
    role: nonClient
    neighbors: [{address: 10.0.0.1}]
    exportPolicy: to-core
  - name: transit
    role: ebgp
    peerAs: 64500
    neighbors: [{address: 10.2.0.1}]
policies:
  prefixLists:
    bogons: [10.0.0.0/8 le 32]
  to-core:
    default: accept
    terms:
      - name: keep-regional
        match: {community: 65000:101}
        then: reject
      - name: remote-preference
        match: {community: 65000:102}
        then: {localPref: 20, action: accept}
      - name: no-bogons
        match: {prefixList: bogons}
        then: reject
`;

async function cli(...args: string[]): Promise<{ code: number; out: string; err: string }> {
  const stdout = new PassThrough();
  const stderr = new PassThrough();
  let out = '';
  let err = '';
  stdout.on('data', (b: Buffer) => (out += b.toString()));
  stderr.on('data', (b: Buffer) => (err += b.toString()));
  const code = await runCli(['policy', 'test', ...args], { stdout, stderr });
  return { code, out, err };
}

describe('meshrr policy test', () => {
  let dir: string;
  let file: string;
  before(() => {
    dir = mkdtempSync(join(tmpdir(), 'meshrr-policy-test-'));
    file = join(dir, 'rr.yml');
    writeFileSync(file, CONFIG);
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  it('shows the deciding term and the changed attributes, exit 0', async () => {
    const r = await cli('--config', file, '--group', 'core', '--direction', 'export', '--prefix', '203.0.113.0/24', '--community', '65000:102', '--from-group', 'region-a');
    assert.equal(r.code, 0, r.err);
    assert.match(r.out, /^group core \(nonClient\) export: policy to-core$/m);
    assert.match(r.out, /result: accept by term 1 'remote-preference'/);
    assert.match(r.out, /resulting attributes:\n.*\n\s+local-pref 20,/);
  });

  it('exits 3 on a reject, by a prefix list too', async () => {
    const r = await cli('--config', file, '--group', 'core', '--direction', 'export', '--prefix', '10.9.0.0/16', '--json');
    assert.equal(r.code, 3);
    const j = JSON.parse(r.out) as { accepted: boolean; lines: string[] };
    assert.equal(j.accepted, false);
    assert.ok(j.lines.includes("result: reject by term 2 'no-bogons'"), j.lines.join('\n'));
  });

  it('the defaults: iBGP accepts, eBGP without a policy rejects (RFC 8212), NO_EXPORT before policy', async () => {
    assert.equal((await cli('--config', file, '--group', 'region-a', '--direction', 'import', '--prefix', '203.0.113.0/24')).code, 0);
    const ebgp = await cli('--config', file, '--group', 'transit', '--direction', 'export', '--prefix', '203.0.113.0/24');
    assert.equal(ebgp.code, 3);
    assert.match(ebgp.out, /RFC 8212/);
    const noExport = await cli('--config', file, '--group', 'transit', '--direction', 'export', '--prefix', '203.0.113.0/24', '--community', 'no-export');
    assert.match(noExport.out, /NO_EXPORT is honoured before any policy/);
  });

  it('says what is wrong with bad input', async () => {
    const bad = await cli('--config', file, '--group', 'nope', '--direction', 'export', '--prefix', '203.0.113.0/24');
    assert.equal(bad.code, 2);
    assert.match(bad.err, /--group nope: no such group \(groups: region-a, core, transit\)/);
    assert.match((await cli('--config', file, '--policy', 'to-core', '--prefix', '203.0.113.1/24')).err, /has host bits set; did you mean 203\.0\.113\.0\/24\?/);
    assert.match((await cli('--config', file, '--policy', 'to-core', '--prefix', '203.0.113.0/24', '--community', '65000:abc')).err, /--community 65000:abc is not a community/);
    assert.match((await cli('--config', file, '--policy', 'nope', '--prefix', '203.0.113.0/24')).err, /no policy named 'nope' \(defined: to-core\)/);
    const missing = await cli('--config', join(dir, 'missing.yml'), '--policy', 'to-core', '--prefix', '203.0.113.0/24');
    assert.equal(missing.code, 1);
    assert.match(missing.err, /missing\.yml/);
  });
});
