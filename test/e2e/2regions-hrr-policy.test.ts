/**
 * examples/2regions-hrr's community policy end to end: the regional template's `to-upstream`
 * export policy (ConfigMap key meshrr.conf.njk) on the real pods. Each region's router
 * announces three prefixes at once: plain, tagged 65000:101 and tagged 65000:102.
 *
 * Proves: 65000:101 routes never leave their region (once the plain and 65000:102 prefixes
 * announced with them have reached the other region's router, the 65000:101 one has not);
 * 65000:102 routes reach the other region with LOCAL_PREF 20 while the plain ones keep
 * LOCAL_PREF 100.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { pollUntil } from '../helpers/poll.js';
import type { RouteSpec } from '../helpers/peers/types.js';
import { ROUTES, startTwoRegions, stopTwoRegions } from './helpers-2regions.js';
import type { TwoRegions } from './helpers-2regions.js';

const PAIRS = [['lothlorien', 'mirkwood'], ['mirkwood', 'lothlorien']] as const;

describe('examples/2regions-hrr community policy end to end', { timeout: 120_000 }, () => {
  let t: TwoRegions | undefined;
  let failed = false;
  before(async () => {
    t = await startTwoRegions({ corePods: 2 });
  });
  after(async () => {
    await stopTwoRegions(t, failed);
  });

  for (const [from, to] of PAIRS) {
    it(`${from} -> ${to}: 65000:101 stays in ${from}, 65000:102 arrives with LOCAL_PREF 20`, async () => {
      try {
        const [plain, inRegion, preferred] = ROUTES[from] as [RouteSpec, RouteSpec, RouteSpec];
        const router = t!.routers[to];
        // Sentinels: the prefixes announced in the same UPDATE batch as the 65000:101 one.
        const got = await pollUntil(async () => {
          const a = await router.routes({ prefix: plain.prefix });
          const b = await router.routes({ prefix: preferred.prefix });
          return a.length > 0 && b.length > 0 ? { a, b } : null;
        }, { what: `r-${to} has ${plain.prefix} and ${preferred.prefix}`, timeoutMs: 60_000 });
        assert.deepEqual(await router.routes({ prefix: inRegion.prefix }), [], `${inRegion.prefix} (65000:101) must not leave ${from}`);
        for (const r of got.b) {
          assert.deepEqual(r.communities, ['65000:102']);
          assert.equal(r.localPref, 20, `${preferred.prefix} (65000:102) arrives in ${to} with LOCAL_PREF 20`);
        }
        for (const r of got.a) assert.equal(r.localPref, 100, `${plain.prefix} keeps LOCAL_PREF 100`);
      } catch (e) {
        failed = true;
        throw e;
      }
    });
  }
});
