/**
 * Juniper meshrr's three examples as meshrr pod configs (templates/examples/): each renders
 * with its template override into a valid router config, and the 2regions-hrr regional
 * template carries the regional policy (65000:101 rejected towards upstream, 65000:102 sent
 * with LOCAL_PREF 20) in meshrr's policy language (docs/policy.md), attached to the upstream
 * group. The policy compiler itself is tested with the policy engine.
 */
import { strict as assert } from 'node:assert';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { PACKAGE_TEMPLATES_DIR } from '../../src/pod/render.js';
import { loadPodSetup } from '../../src/pod/setup.js';
import type { PodSetup } from '../../src/pod/setup.js';

const EX = join(PACKAGE_TEMPLATES_DIR, 'examples');
const setup = (conf: string, template = 'absent.njk', vars: Record<string, string> = {}): Promise<PodSetup> =>
  loadPodSetup({ POD_IP: '10.42.0.7', ...vars }, { conf: join(EX, conf), template: join(EX, template) });

describe('templates/examples', () => {
  it('2regions-hrr core: full mesh of core pods, every other router a client', async () => {
    const c = (await setup('2regions-hrr/core.meshrr.conf.yml')).rendered.config;
    assert.deepEqual(c.groups.map((g) => [g.name, g.role]), [['MESHRR-MESH', 'nonClient'], ['MESHRR-CLIENTS', 'client']]);
    assert.deepEqual(c.policies, {});
  });

  it('2regions-hrr region: the regional policy on the export to the core reflectors', async () => {
    const s = await setup('2regions-hrr/region.meshrr.conf.yml', '2regions-hrr/region.meshrr.conf.njk');
    assert.equal(s.rendered.template, join(EX, '2regions-hrr/region.meshrr.conf.njk'));
    const c = s.rendered.config;
    const up = c.groups.find((g) => g.name === 'MESHRR-UPSTREAM');
    assert.equal(up?.exportPolicy, 'to-upstream');
    assert.equal(up?.importPolicy, null);
    const upConf = s.conf.groups[2];
    assert.ok(upConf?.type === 'mesh' && upConf.maxPeers === 2 && upConf.hostname === 'meshrr-core');
    assert.deepEqual(c.policies['to-upstream'], {
      description: 'what a region tells the core reflectors',
      default: 'accept',
      terms: [
        { name: 'drop-inregion-only', match: { community: '65000:101' }, then: 'reject' },
        { name: 'inregion-preferred', match: { community: '65000:102' }, then: { localPref: 20, action: 'accept' } },
      ],
    });
  });

  it('3clientgroups: three DNS-discovered client groups, two with export policies', async () => {
    const c = (await setup('3clientgroups/meshrr.conf.yml', '3clientgroups/meshrr.conf.njk')).rendered.config;
    assert.deepEqual(c.groups.map((g) => [g.name, g.role, g.passive, g.clusterId, g.exportPolicy]), [
      ['MESHRR-MESH', 'nonClient', false, 0x0a2a0007, null],
      ['MESHRR-FULLTABLE-CLIENTS', 'client', true, 0x0a2a0007, null],
      ['MESHRR-PARTIALTABLE-CLIENTS', 'client', true, 0x0a2a0007, 'partialtable-out'],
      ['MESHRR-DEFAULTONLY-CLIENTS', 'client', true, 0x0a2a0007, 'defaultonly-out'],
    ]);
    assert.deepEqual(Object.keys(c.policies), ['partialtable-out', 'defaultonly-out']);
  });

  it('load-balanced-route-servers: EVPN route servers with accept policies for eBGP (RFC 8212)', async () => {
    const c = (await setup('load-balanced-route-servers/meshrr.conf.yml')).rendered.config;
    const clients = c.groups[1];
    assert.deepEqual([clients?.role, clients?.routeServer, clients?.multihopTtl, clients?.families, clients?.listenRanges], ['ebgp', true, 10, ['l2vpn-evpn'], ['10.0.0.0/16']]);
    assert.deepEqual(clients?.peerAs, { kind: 'ranges', ranges: [{ min: 65001, max: 65535 }] });
    assert.deepEqual([clients?.importPolicy, clients?.exportPolicy], ['meshrr-accept', 'meshrr-accept']);
    assert.deepEqual(c.policies, { 'meshrr-accept': { default: 'accept' } });
    assert.deepEqual(c.groups[0]?.families, ['l2vpn-evpn']);
  });
});
