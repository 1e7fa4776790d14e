/**
 * Rendering the router config (src/pod/render.ts) from the default templates of both modes
 * and from user templates (override file, `{% extends %}`), the template variables and
 * helpers, and every error: undefined variable, syntax, unreadable template, output that is
 * not a valid router config, and a meshrr group missing from the output.
 */
import { strict as assert } from 'node:assert';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { isMeshrrError } from '../../src/errors.js';
import { BUILTIN_CONF, builtinConf, parseMeshrrConf } from '../../src/pod/meshrr-conf.js';
import { readPodEnv } from '../../src/pod/pod-env.js';
import { asdot, asplain, renderRouterConfig, renderTemplate, templateContext, TemplateError, TemplateOutputError } from '../../src/pod/render.js';

const dir = mkdtempSync(join(tmpdir(), 'meshrr-render-'));
after(() => rmSync(dir, { recursive: true, force: true }));
const tpl = (name: string, text: string): string => {
  const p = join(dir, name);
  writeFileSync(p, text);
  return p;
};
const env = (vars: Record<string, string> = {}) => readPodEnv({ POD_IP: '10.42.0.7', MESHRR_TEMPLATE: join(dir, 'absent.njk'), ...vars });

describe('default templates', () => {
  it('routereflector: mesh groups are non-clients, subtractive groups passive clients with cluster ID = POD_IP', () => {
    const e = env();
    const r = renderRouterConfig(parseMeshrrConf(BUILTIN_CONF, 'd', e.overrides), e);
    assert.match(r.template, /templates\/routereflector\.njk$/);
    const c = r.config;
    assert.equal(c.routerIdText, '10.42.0.7');
    assert.equal(c.asn, 65000);
    assert.deepEqual(c.groups.map((g) => [g.name, g.role, g.passive, g.listenRanges, g.neighbors.length]), [
      ['MESHRR-MESH', 'nonClient', false, [], 0],
      ['MESHRR-CLIENTS', 'client', true, ['0.0.0.0/0'], 0],
      ['MESHRR-UPSTREAM', 'nonClient', false, [], 0],
    ]);
    assert.equal(c.groups[1]?.clusterId, 0x0a2a0007);
    assert.deepEqual(c.groups[0]?.families, ['ipv4-unicast', 'ipv6-unicast']);
  });

  it('routeserver: eBGP route-server clients from the AS ranges, multihop 10, EVPN and unicast', () => {
    const e = env({ MESHRR_MODE: 'evpnrs', AUTONOMOUS_SYSTEM: '65000.3' });
    const c = renderRouterConfig(parseMeshrrConf(builtinConf('routeserver'), 'd', e.overrides), e).config;
    assert.equal(c.asn, 65000 * 65536 + 3);
    const clients = c.groups[1];
    assert.equal(clients?.role, 'ebgp');
    assert.equal(clients?.routeServer, true);
    assert.equal(clients?.multihopTtl, 10);
    assert.deepEqual(clients?.peerAs, { kind: 'ranges', ranges: [{ min: 65001, max: 65500 }] });
    assert.deepEqual(clients?.families, ['l2vpn-evpn', 'ipv4-unicast', 'ipv6-unicast']);
    assert.deepEqual(c.groups[0]?.families, ['l2vpn-evpn', 'ipv4-unicast', 'ipv6-unicast']);
    assert.equal(c.groups[0]?.role, 'nonClient');
  });

  it('renders sourcetype: kubernetes mesh groups in both modes', () => {
    for (const mode of ['routereflector', 'routeserver']) {
      const e = env({ MESHRR_MODE: mode });
      const conf = parseMeshrrConf(builtinConf(e.overrides.mode).replace('      sourcetype: dns\n      hostname: meshrr\n', '      sourcetype: kubernetes\n      service: meshrr\n'), 'd', e.overrides);
      const r = renderRouterConfig(conf, e);
      assert.match(r.text, /from the EndpointSlices of meshrr\b/, mode);
      assert.equal(r.config.groups[0]?.name, 'MESHRR-MESH');
    }
  });

  it("merges a group's router: mapping over the defaults (3clientgroups: mesh groups of clients)", () => {
    const conf = parseMeshrrConf(
      ['asn: "65000"', 'bgpgroups:', '- {name: MESHRR-MESH, type: mesh, source: {hostname: meshrr-3clientgroups}}', '- {name: MESHRR-FULLTABLE-CLIENTS, type: mesh, source: {hostname: meshrr-fulltable-clients}, router: {role: client, passive: true, holdTime: 30}}'].join('\n'),
      'd',
    );
    const c = renderRouterConfig(conf, env()).config;
    assert.deepEqual([c.groups[1]?.role, c.groups[1]?.passive, c.groups[1]?.holdTime, c.groups[1]?.clusterId], ['client', true, 30, 0x0a2a0007]);
  });
});

describe('user templates', () => {
  it('uses the override file when it exists, and it may extend a default template', () => {
    const e = env({ MESHRR_TEMPLATE: tpl('extends.njk', '{% extends "routereflector.njk" %}\n') });
    const r = renderRouterConfig(parseMeshrrConf(BUILTIN_CONF, 'd', e.overrides), e);
    assert.equal(r.template, join(dir, 'extends.njk'));
    assert.equal(r.config.groups.length, 3);
  });

  it('sees the documented variables and helpers', () => {
    const e = env({ AUTONOMOUS_SYSTEM: '4259840001', REGION: 'lothlorien' });
    const conf = parseMeshrrConf(BUILTIN_CONF.replace('asn: "65000"', 'asn: "65000"\nsite: x'), 'd', e.overrides);
    const text = renderTemplate(
      conf,
      e,
      tpl(
        'vars.njk',
        [
          '{{ POD_IP }} {{ ROUTER_ID }} {{ CLUSTER_ID }} {{ UPDATE_SECONDS }} {{ asn }} {{ asn_text }} {{ asn | asdot }} {{ asplain("65000.1") }} {{ mode }}',
          '{% for name, g in bgpgroups_mesh %}{{ name }}={{ g.source.hostname }}{% if g.max_peers is defined %}/{{ g.max_peers }}{% endif %} {% endfor %}',
          '{{ bgpgroups_subtractive["MESHRR-CLIENTS"].prefixes | tojson }} {{ bgpgroups | length }} {{ conf.site }} {{ env.REGION }} {{ template_name }}',
          '{{ ({ a: 1 } | merge({ b: 2 })) | tojson }} {{ ({ a: 1 } | merge(nothing)) | tojson }}',
        ].join('\n'),
      ),
    );
    assert.equal(text, ['10.42.0.7 10.42.0.7 10.42.0.7 60 4259840001 4259840001 65000.1 4259840001 routereflector', // trimBlocks: the newline after a block tag ({% endfor %}) is dropped.
      'MESHRR-MESH=meshrr MESHRR-UPSTREAM=meshrr.core.svc.cluster.local/2 ["0.0.0.0/0"] 3 x lothlorien vars.njk', '{"a":1,"b":2} {"a":1}'].join('\n'));
    const ctx = templateContext(conf, e);
    assert.deepEqual(Object.keys(ctx).sort(), ['CLUSTER_ID', 'POD_IP', 'ROUTER_ID', 'UPDATE_SECONDS', 'asn', 'asn_text', 'bgpgroups', 'bgpgroups_mesh', 'bgpgroups_subtractive', 'conf', 'env', 'mode', 'template_name']);
  });

  it('uses MESHRR_ROUTER_ID as cluster ID for an IPv6 pod', () => {
    const e = readPodEnv({ POD_IP: 'fd00::7', MESHRR_ROUTER_ID: '192.0.2.7', MESHRR_TEMPLATE: join(dir, 'absent.njk') });
    const c = renderRouterConfig(parseMeshrrConf(BUILTIN_CONF, 'd', e.overrides), e).config;
    assert.equal(c.groups[1]?.clusterId, 0xc0000207);
  });

  it('helpers convert AS numbers', () => {
    assert.equal(asdot(65000), '65000');
    assert.equal(asdot(4259840001), '65000.1');
    assert.equal(asplain('65000.1'), 4259840001);
    assert.throws(() => asdot(-1), /asdot: -1 is not an AS number/);
    assert.throws(() => asplain('x'), /asplain: 'x' is not an AS number/);
  });
});

describe('template errors', () => {
  const conf = parseMeshrrConf(BUILTIN_CONF, 'meshrr.conf.yml');
  const cases: [string, string, string, string][] = [
    [
      'undefined.njk',
      'routerId: {{ ROUTER_ID }}\nasn: {{ asn }}\ngroups:\n  - name: x\n    role: {{ bgpgroups_mesh["MESHRR-MESH"].role }}\n',
      'MESHRR_TEMPLATE_RENDER',
      '%s:5:11: attempted to output null or undefined value (throwOnUndefined: a variable or key in this line is not defined; test it with "is defined" or give it a default)\n  5 |     role: {{ bgpgroups_mesh["MESHRR-MESH"].role }}',
    ],
    ['syntax.njk', 'routerId: {{ ROUTER_ID }}\n{% for %}\n', 'MESHRR_TEMPLATE_RENDER', '%s:2:8: unexpected token: %}\n  2 | {% for %}'],
    [
      'badout.njk',
      'routerId: {{ ROUTER_ID }}\nasn: {{ asn }}\ngroups:\n  - name: MESHRR-MESH\n    role: nonclient\n',
      'MESHRR_TEMPLATE_OUTPUT',
      "%s rendered an invalid router config:\n%s (rendered):5 groups[0].role: 'nonclient' is not one of client, nonClient, ebgp (did you mean nonClient?)",
    ],
    [
      'missing.njk',
      'routerId: {{ ROUTER_ID }}\nasn: {{ asn }}\ngroups:\n  - name: MESHRR-MESH\n    role: nonClient\n  - name: MESHRR-UPSTREAM\n    role: nonClient\n',
      'MESHRR_TEMPLATE_OUTPUT',
      "%s rendered an invalid router config:\n%s (rendered):1 groups: no group 'MESHRR-CLIENTS': meshrr.conf.yml declares it (type subtractive), and the pod adds its allow ranges to the router config's group of that name",
    ],
  ];
  for (const [name, text, code, message] of cases) {
    it(name, () => {
      const path = tpl(name, text);
      const e = env({ MESHRR_TEMPLATE: path });
      assert.throws(
        () => renderRouterConfig(conf, e),
        (err: unknown) => isMeshrrError(err) && (err instanceof TemplateError || err instanceof TemplateOutputError) && err.code === code && err.message === message.replaceAll('%s', path),
      );
    });
  }

  it('unreadable default template', () => {
    const e = env({ MESHRR_TEMPLATES_DIR: join(dir, 'nowhere') });
    assert.throws(
      () => renderRouterConfig(conf, e),
      (err: unknown) => err instanceof TemplateError && err.code === 'MESHRR_TEMPLATE_READ' && err.message === `${join(dir, 'nowhere', 'routereflector.njk')}: cannot read the template: no such file`,
    );
  });
});
