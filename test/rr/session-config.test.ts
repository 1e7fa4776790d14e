// Group config -> per-peer session config (src/rr/session-config.ts): the capabilities a
// group's sessions advertise.
import { strict as assert } from 'node:assert';
import { describe, it } from 'node:test';
import { parseRouterConfig } from '../../src/config/router-config.js';
import { groupSessionConfig } from '../../src/rr/session-config.js';

const parse = (...lines: string[]) => parseRouterConfig(lines.join('\n') + '\n', 'rr.yml');
const MINIMAL = ['routerId: 192.0.2.1', 'asn: 65000', 'groups:', '  - name: clients', '    role: client'];

describe('rr session-config: groupSessionConfig', () => {
  it('extendedNextHop: true advertises IPv4 unicast over an IPv6 next hop (RFC 8950), off by default', () => {
    const off = parse(...MINIMAL);
    const g0 = off.groups[0] ?? assert.fail('no group');
    assert.deepEqual(groupSessionConfig(off, g0, false).capabilities.extendedNextHop, []);
    const on = parse(...MINIMAL, '    extendedNextHop: true');
    const g1 = on.groups[0] ?? assert.fail('no group');
    assert.deepEqual(groupSessionConfig(on, g1, false).capabilities.extendedNextHop, [{ afi: 1, safi: 1, nextHopAfi: 2 }]);
  });
});
