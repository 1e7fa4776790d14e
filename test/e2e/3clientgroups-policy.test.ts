/**
 * examples/3clientgroups' export policies end to end (meshrr.conf.njk of the example's
 * ConfigMap): full-1 announces a route originated inside AS 65000, one from outside
 * (AS_PATH 64500) and the default route.
 *
 * Proves: once the full-table client full-2 holds all three (the sentinel), the partial-table
 * client holds exactly the internal route and the default route, and the default-only client
 * exactly the default route: each policy ends with an explicit reject, unlike Juniper's.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { pollUntil } from '../helpers/poll.js';
import { startThreeClientGroups, stopThreeClientGroups, TABLE } from './helpers-3clientgroups.js';
import type { ClientClass, ThreeClientGroups } from './helpers-3clientgroups.js';

const EXPECTED: Record<ClientClass, string[]> = {
  fulltable: [TABLE.default, TABLE.external, TABLE.internal].sort(),
  partialtable: [TABLE.default, TABLE.internal].sort(),
  defaultonly: [TABLE.default],
};

describe('examples/3clientgroups client classes end to end', { timeout: 120_000 }, () => {
  let t: ThreeClientGroups | undefined;
  let failed = false;
  before(async () => {
    t = await startThreeClientGroups();
  });
  after(async () => {
    await stopThreeClientGroups(t, failed);
  });

  it('sends the full table, the partial table and the default route only to the three classes', async () => {
    try {
      const prefixes = async (c: ClientClass, i: number): Promise<string[]> => [...new Set((await t!.routers[c][i]!.peer.routes()).map((r) => r.prefix))].sort();
      // Sentinel: the second full-table client has every route full-1 announced.
      await pollUntil(async () => (await prefixes('fulltable', 1)).length === 3, { what: 'full-table client has the whole table', timeoutMs: 60_000 });
      // And every client has heard from both reflectors (so their exports have run).
      for (const c of ['partialtable', 'defaultonly'] as const) {
        await pollUntil(async () => (await t!.routers[c][0]!.peer.routes({ prefix: TABLE.default })).length > 0, { what: `${c} client has the default route`, timeoutMs: 30_000 });
      }
      assert.deepEqual(await prefixes('fulltable', 1), EXPECTED.fulltable, 'full table');
      assert.deepEqual(await prefixes('partialtable', 0), EXPECTED.partialtable, 'partial table: routes of AS 65000 plus the default route');
      assert.deepEqual(await prefixes('defaultonly', 0), EXPECTED.defaultonly, 'default route only');
    } catch (e) {
      failed = true;
      throw e;
    }
  });
});
