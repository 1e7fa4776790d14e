/**
 * `meshrr render` and `meshrr allow` (src/pod/commands.ts): output, exit codes, and a bad
 * configuration at start giving a non-zero exit with the specific message.
 */
import { strict as assert } from 'node:assert';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { parseRouterConfig } from '../../src/config/router-config.js';
import { allowCommand, renderCommand } from '../../src/pod/commands.js';
import type { CommandIo } from '../../src/pod/commands.js';

const dir = mkdtempSync(join(tmpdir(), 'meshrr-cmd-'));
after(() => rmSync(dir, { recursive: true, force: true }));

function io(): CommandIo & { out: () => string; err: () => string } {
  let out = '';
  let err = '';
  return {
    stdout: { write: (s: string) => ((out += s), true) } as unknown as NodeJS.WritableStream,
    stderr: { write: (s: string) => ((err += s), true) } as unknown as NodeJS.WritableStream,
    out: () => out,
    err: () => err,
  };
}

const base = { MESHRR_CONF: join(dir, 'absent.yml'), MESHRR_TEMPLATE: join(dir, 'absent.njk') };

describe('meshrr render', () => {
  it('prints the router config for the environment, notices on stderr', async () => {
    const t = io();
    assert.equal(await renderCommand([], t, { ...base, POD_IP: '10.42.0.7', LICENSE_KEY: 'k' }), 0);
    const c = parseRouterConfig(t.out(), 'out');
    assert.deepEqual(c.groups.map((g) => g.name), ['MESHRR-MESH', 'MESHRR-CLIENTS', 'MESHRR-UPSTREAM']);
    assert.match(t.err(), /^meshrr render: LICENSE_KEY is set but not needed/m);
    assert.match(t.err(), /^meshrr render: no .*absent\.yml: using the built-in defaults/m);
  });

  it('reads --conf and --template', async () => {
    const conf = join(dir, 'meshrr.conf.yml');
    writeFileSync(conf, 'asn: "65000.1"\nbgpgroups:\n  - {name: ONLY, type: mesh, source: {hostname: meshrr}}\n');
    const tpl = join(dir, 'mine.njk');
    writeFileSync(tpl, 'routerId: {{ ROUTER_ID }}\nasn: {{ asn }}\ngroups:\n{% for g in bgpgroups %}\n  - {name: {{ g.name }}, role: nonClient, holdTime: 30}\n{% endfor %}\n');
    const t = io();
    assert.equal(await renderCommand(['--conf', conf, '--template', tpl], t, { POD_IP: '10.42.0.7' }), 0);
    assert.equal(t.out(), 'routerId: 10.42.0.7\nasn: 4259840001\ngroups:\n  - {name: ONLY, role: nonClient, holdTime: 30}\n');
  });

  it('exits 1 with the specific message for a bad config, env or template', async () => {
    const bad = join(dir, 'bad.yml');
    writeFileSync(bad, 'asn: "65000"\nbgpgroups:\n  - {name: C, type: subtractive}\n');
    let t = io();
    assert.equal(await renderCommand(['--conf', bad], t, { ...base, POD_IP: '10.42.0.7' }), 1);
    assert.equal(t.err(), `meshrr render: ${bad}:3 bgpgroups[0].prefixes: required key is missing; expected a list of prefixes the group accepts routers from, like [0.0.0.0/0]\n`);
    t = io();
    assert.equal(await renderCommand([], t, base), 1);
    assert.equal(t.err(), "meshrr render: POD_IP: required: the pod's address (valueFrom: fieldRef: fieldPath: status.podIP)\n");
    t = io();
    assert.equal(await renderCommand(['--templates-dir', join(dir, 'none')], t, { ...base, POD_IP: '10.42.0.7' }), 1);
    assert.equal(t.err(), `meshrr render: ${join(dir, 'none', 'routereflector.njk')}: cannot read the template: no such file\n`);
    t = io();
    assert.equal(await renderCommand(['--bogus'], t, base), 2);
    assert.match(t.err(), /^meshrr render: unknown argument --bogus\nusage: meshrr render/);
  });
});

describe('meshrr allow', () => {
  it('prints prefixes minus addresses, one per line', async () => {
    const t = io();
    assert.equal(await allowCommand(['--prefixes', '10.0.0.0/30,2001:db8::/127', '--exclude', '10.0.0.1', '2001:db8::'], t), 0);
    assert.equal(t.out(), '10.0.0.0/32\n10.0.0.2/31\n2001:db8::1/128\n');
  });

  it('reports bad input and usage', async () => {
    let t = io();
    assert.equal(await allowCommand(['--prefixes', '10.0.0.1/8'], t), 1);
    assert.equal(t.err(), "meshrr allow: '10.0.0.1/8' has host bits set; did you mean 10.0.0.0/8?\n");
    t = io();
    assert.equal(await allowCommand(['--exclude', '10.0.0.1'], t), 2);
    assert.equal(t.err(), 'usage: meshrr allow --prefixes PREFIX... [--exclude ADDRESS...]\n');
    t = io();
    assert.equal(await allowCommand(['10.0.0.0/8'], t), 2);
    t = io();
    assert.equal(await allowCommand(['--prefixes', '10.0.0.0/8', '--all'], t), 2);
    assert.match(t.err(), /unknown argument --all/);
  });
});
