/** The pod's environment variables (src/pod/pod-env.ts): defaults, overrides, every error. */
import { strict as assert } from 'node:assert';
import { describe, it } from 'node:test';
import { isMeshrrError } from '../../src/errors.js';
import { EnvError, readPodEnv } from '../../src/pod/pod-env.js';

describe('readPodEnv', () => {
  it('needs only POD_IP and fills every default', () => {
    const e = readPodEnv({ POD_IP: '10.42.0.7' });
    assert.deepEqual({ ...e, vars: undefined }, {
      podIp: '10.42.0.7',
      routerId: '10.42.0.7',
      updateSeconds: 60,
      graceSeconds: 120,
      overrides: {},
      logLevel: 'info',
      confPath: '/opt/meshrr/conf/meshrr.conf.yml',
      templatePath: '/opt/meshrr/conf/meshrr.conf.njk',
      templatesDir: null,
      resolvConfPath: '/etc/resolv.conf',
      dnsServers: null,
      dnsTimeoutMs: null,
      notices: [],
      vars: undefined,
    });
    assert.equal(e.vars.POD_IP, '10.42.0.7');
  });

  it('reads every variable, flags winning over paths', () => {
    const e = readPodEnv(
      {
        POD_IP: '2001:DB8::7',
        MESHRR_ROUTER_ID: '192.0.2.7',
        UPDATE_SECONDS: '30',
        MESHRR_GRACE_SECONDS: '45',
        AUTONOMOUS_SYSTEM: '65000.1',
        MESHRR_MODE: 'evpnrs',
        LOG_LEVEL: 'DEBUG',
        MESHRR_CONF: '/c.yml',
        MESHRR_TEMPLATE: '/t.njk',
        MESHRR_TEMPLATES_DIR: '/tpl',
        MESHRR_RESOLV_CONF: '/r.conf',
        MESHRR_DNS_SERVERS: '127.0.0.53:5353,[::1]:53',
        MESHRR_DNS_TIMEOUT_MS: '250',
        LICENSE_KEY: 'xyz',
        ENCRYPTED_ROOT_PW: '$6$...',
      },
      { conf: '/flag.yml' },
    );
    assert.equal(e.podIp, '2001:db8::7');
    assert.equal(e.routerId, '192.0.2.7');
    assert.equal(e.updateSeconds, 30);
    assert.equal(e.graceSeconds, 45);
    assert.deepEqual(e.overrides, { asn: { value: 4259840001, text: '65000.1' }, mode: 'routeserver' });
    assert.equal(e.logLevel, 'debug');
    assert.equal(e.confPath, '/flag.yml');
    assert.equal(e.templatePath, '/t.njk');
    assert.equal(e.templatesDir, '/tpl');
    assert.equal(e.resolvConfPath, '/r.conf');
    assert.deepEqual(e.dnsServers, ['127.0.0.53:5353', '[::1]:53']);
    assert.equal(e.dnsTimeoutMs, 250);
    assert.deepEqual(e.notices, ['LICENSE_KEY is set but not needed: meshrr is not cRPD and needs no license', 'ENCRYPTED_ROOT_PW is ignored: meshrr has no root login']);
    assert.equal(readPodEnv({ POD_IP: '10.0.0.1', UPDATE_SECONDS: '10' }).graceSeconds, 20, 'grace defaults to 2 intervals');
  });

  const errors: [string, Record<string, string>, string][] = [
    ['POD_IP missing', {}, "POD_IP: required: the pod's address (valueFrom: fieldRef: fieldPath: status.podIP)"],
    ['POD_IP bad', { POD_IP: '10.0.0' }, "POD_IP: '10.0.0' is not an IPv4 or IPv6 address"],
    ['IPv6 pod without router ID', { POD_IP: 'fd00::1' }, 'MESHRR_ROUTER_ID: required when POD_IP is IPv6 (fd00::1): the BGP identifier and cluster ID are dotted quads'],
    ['router ID bad', { POD_IP: '10.0.0.1', MESHRR_ROUTER_ID: '0.0.0.0' }, "MESHRR_ROUTER_ID: '0.0.0.0' is not a non-zero IPv4 address (the BGP identifier is a dotted quad)"],
    ['UPDATE_SECONDS', { POD_IP: '10.0.0.1', UPDATE_SECONDS: '0' }, "UPDATE_SECONDS: '0' is not a whole number from 1 to 86400"],
    ['UPDATE_SECONDS text', { POD_IP: '10.0.0.1', UPDATE_SECONDS: '1m' }, "UPDATE_SECONDS: '1m' is not a whole number from 1 to 86400"],
    ['grace', { POD_IP: '10.0.0.1', MESHRR_GRACE_SECONDS: '-1' }, "MESHRR_GRACE_SECONDS: '-1' is not a whole number from 1 to 604800"],
    ['AUTONOMOUS_SYSTEM', { POD_IP: '10.0.0.1', AUTONOMOUS_SYSTEM: '65536.1' }, "AUTONOMOUS_SYSTEM: asdot '65536.1' is out of range: both halves must be 0 to 65535 (RFC 5396)"],
    ['MESHRR_MODE', { POD_IP: '10.0.0.1', MESHRR_MODE: 'rr' }, "MESHRR_MODE: 'rr' is not a mode; expected routereflector (or ipv4rr) or routeserver (or evpnrs)"],
    ['LOG_LEVEL', { POD_IP: '10.0.0.1', LOG_LEVEL: 'verbose' }, "LOG_LEVEL: 'verbose' is not a log level; expected one of fatal, error, warn, info, debug, trace, silent"],
    ['MESHRR_DNS_SERVERS', { POD_IP: '10.0.0.1', MESHRR_DNS_SERVERS: ',' }, 'MESHRR_DNS_SERVERS: expected at least one nameserver (ADDRESS, ADDRESS:PORT or [IPV6]:PORT)'],
    ['MESHRR_DNS_TIMEOUT_MS', { POD_IP: '10.0.0.1', MESHRR_DNS_TIMEOUT_MS: '0' }, "MESHRR_DNS_TIMEOUT_MS: '0' is not a whole number from 1 to 60000"],
  ];
  for (const [name, env, message] of errors) {
    it(`error: ${name}`, () => {
      assert.throws(() => readPodEnv(env), (e: unknown) => isMeshrrError(e) && e instanceof EnvError && e.code === 'MESHRR_ENV_INVALID' && e.message === message);
    });
  }

  it('reports every bad variable at once', () => {
    assert.throws(() => readPodEnv({ UPDATE_SECONDS: 'x', MESHRR_MODE: 'y' }), (e: unknown) => e instanceof EnvError && e.problems.map((p) => p.variable).join() === 'POD_IP,UPDATE_SECONDS,MESHRR_MODE');
  });
});
