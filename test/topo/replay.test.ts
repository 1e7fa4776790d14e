/**
 * A real table through meshrr: the 89,679 UPDATEs of RIPE's updates.et-header.2015.gz (one
 * collector peer, AS 3856; 577,706 distinct IPv4 prefixes announced) are injected by the
 * test's own BGP client (helpers-injector.ts, on src/wire; local AS 64496, which no AS_PATH
 * of the dump holds, NEXT_HOP rewritten to its address 198.18.0.20) as an RR client; BIRD,
 * another client, must end up with exactly the table the dump describes: every prefix
 * announced, minus those withdrawn later, minus those of the UPDATE with AS 0 in its AS_PATH
 * (103.225.92.0/22 as four /24s), which meshrr treats as withdraw (RFC 7607 §2 with
 * RFC 7606; src/wire/validate.ts rule 1). The expected table is computed from the dump here
 * (helpers-replay.ts); the received one is BIRD's own `show route` listing. The time from the
 * first injected byte to BIRD holding the whole table is printed. A second BIRD connecting
 * afterwards must get the same table in meshrr's initial dump (update-group seeding).
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { join } from 'node:path';
import { bird, missingPrerequisites } from '../helpers/peers/index.js';
import type { BirdPeer } from '../helpers/peers/bird.js';
import { parseBirdPrefixes } from '../helpers/peers/bird-parse.js';
import { PollAbort, pollUntil } from '../helpers/poll.js';
import type { Injector } from './helpers-injector.js';
import { startInjector } from './helpers-injector.js';
import type { ReplayPlan } from './helpers-replay.js';
import { missingFrom, prepareReplay } from './helpers-replay.js';
import type { Topo } from './helpers-topo.js';
import { ASN, createTopo, guarded, RR_ADDRESS, SHARED_DATA } from './helpers-topo.js';

const skip = (await missingPrerequisites(['bird'])) ?? false;

const MRT = join(SHARED_DATA, 'mrt/ripe-bgpdump/test_data/updates.et-header.2015.gz');
const BIRD = '198.18.0.10';
const INJECTOR = '198.18.0.20';
/** A second BIRD that connects once the table is in. */
const LATE = '198.18.0.11';
/** Sending, reflecting and importing 577k prefixes on a busy 2-core machine. */
const TABLE_MS = 240_000;

/**
 * BIRD's BGP prefixes in master4, with the harness's own parser. Not `b.prefixes()`: it
 * collects with `out.push(...list)`, which overflows the call stack for a full table
 * (RangeError: Maximum call stack size exceeded at 577k prefixes; test/helpers/peers/bird.ts).
 */
async function birdPrefixes(b: BirdPeer): Promise<string[]> {
  const out = await b.birdc(['show', 'route', 'table', 'master4', 'where', 'source', '=', 'RTS_BGP']);
  return [...new Set(parseBirdPrefixes(out))].sort();
}

/** BIRD's count of BGP routes in master4 (`show route ... count`). */
async function birdCount(b: BirdPeer): Promise<number> {
  const out = await b.birdc(['show', 'route', 'table', 'master4', 'where', 'source', '=', 'RTS_BGP', 'count']);
  const m = /(\d+) of \d+ routes/.exec(out);
  if (m === null) throw new Error(`birdc count: ${out}`);
  return Number(m[1]);
}

/** A count that has not moved for this long is a stall (BIRD imports without pauses). */
const STALL_MS = 30_000;

/**
 * Poll BIRD's route count until it is `n`: the time it got there, or undefined when the
 * count stopped moving for STALL_MS (or TABLE_MS passed), with the last count.
 */
async function waitCount(b: BirdPeer, n: number, alive: () => void): Promise<{ at: number | undefined; last: number }> {
  let last = -1;
  let movedAt = Date.now();
  const at = await pollUntil(
    async () => {
      const c = await birdCount(b);
      if (c !== last) movedAt = Date.now();
      last = c;
      alive();
      if (c === n) return Date.now();
      if (Date.now() - movedAt > STALL_MS) throw new PollAbort(`${b.name} stalled at ${c} routes`);
      return false;
    },
    { what: `${b.name} holds ${n} routes`, timeoutMs: TABLE_MS, intervalMs: 250 },
  ).catch(() => undefined);
  return { at, last };
}

/** BIRD's table equals the expected one: counts, then what is missing and what is extra. */
async function assertTable(b: BirdPeer, plan: ReplayPlan): Promise<void> {
  const got = await birdPrefixes(b);
  const missing = missingFrom(plan.expected, got);
  const extra = missingFrom(got, plan.expected);
  assert.deepEqual(
    { received: got.length, missing, extra },
    { received: plan.expected.length, missing: { count: 0, sample: [] }, extra: { count: 0, sample: [] } },
    `${b.name}'s table against the dump`,
  );
  const gotSet = new Set(got);
  for (const p of plan.asZero) assert.ok(!gotSet.has(p), `${p} (AS 0 in AS_PATH) must be withdrawn`);
}

describe('replaying a real table through meshrr', { skip, timeout: 420_000, concurrency: false }, () => {
  let topo: Topo | undefined;
  let b: BirdPeer;
  let plan: ReplayPlan;
  let injector: Injector | undefined;

  before(async () => {
    topo = await createTopo('replay');
    const t = topo;
    await guarded(t, async () => {
      for (const a of [BIRD, LATE, INJECTOR]) await t.address(a);
      const planned = prepareReplay(MRT, t.lab.tmp.join('updates.bin'), INJECTOR);
      b = await t.lab.start(bird.start, { name: 'bird', netns: t.ns, routerId: BIRD, localAs: ASN, neighbors: [t.meshrr(BIRD)] });
      await t.established(b);
      plan = await planned;
    });
  });

  after(async () => {
    await injector?.stop().catch(() => undefined);
    await topo?.close();
  });

  test('the dump as the test reads it', (t) => {
    t.diagnostic(`${plan.updates} UPDATEs, ${plan.bytes} bytes, ${plan.announced} prefixes announced, ${plan.expected.length} in the final table`);
    t.diagnostic(`AS 0 in AS_PATH (treat-as-withdraw): ${plan.asZero.join(' ')}; a speaker accepting them would hold ${plan.expectedAcceptingAsZero}`);
    assert.equal(plan.announced, 577_706);
    assert.deepEqual([...plan.asZero].sort(), ['103.225.92.0/24', '103.225.93.0/24', '103.225.94.0/24', '103.225.95.0/24']);
  });

  test('BIRD, a client, ends up with exactly the dump\'s table', async (t) => {
    await guarded(topo, async () => {
      const tp = topo;
      assert.ok(tp !== undefined);
      const inj = startInjector(tp.ns, { local: INJECTOR, remote: RR_ADDRESS, port: 179, asn: ASN, file: tp.lab.tmp.join('updates.bin') });
      injector = inj;
      const up = await inj.waitFor('established', 60_000);
      const sent = await inj.waitFor('eor', TABLE_MS);
      const sessionUp = (): void => {
        const end = inj.events.find((e) => e.event === 'closed' || e.event === 'notification');
        if (end !== undefined) throw new PollAbort(`injector session ended: ${JSON.stringify(inj.events)}`);
      };
      const { at, last } = await waitCount(b, plan.expected.length, sessionUp);
      const s = (x: number): string => ((x - up.t) / 1000).toFixed(1);
      t.diagnostic(`injected ${plan.updates} UPDATEs in ${s(sent.t)} s; BIRD ${at === undefined ? `stopped at ${last} routes` : `held the whole table ${s(at)} s after the first byte`}`);
      await assertTable(b, plan);
      // The sessions survived the load: no NOTIFICATION, BIRD's session up since before the replay.
      assert.deepEqual(inj.events.filter((e) => e.event !== 'established' && e.event !== 'sent' && e.event !== 'eor'), []);
      assert.ok(((await b.uptime(RR_ADDRESS)) ?? 0) * 1000 >= Date.now() - up.t, 'BIRD\'s session to meshrr stayed up');
      const treated = (await tp.rr.logs()).filter((l) => l.msg === 'updateError' && l['action'] === 'treatAsWithdraw');
      assert.equal(treated.length, 1, `meshrr logged one treat-as-withdraw: ${JSON.stringify(treated)}`);
    });
  });

  test('a client connecting afterwards gets the whole table in its initial dump', async (t) => {
    await guarded(topo, async () => {
      const tp = topo;
      assert.ok(tp !== undefined);
      const late = await tp.lab.start(bird.start, { name: 'late', netns: tp.ns, routerId: LATE, localAs: ASN, neighbors: [tp.meshrr(LATE)] });
      await tp.established(late);
      const up = Date.now();
      const { at, last } = await waitCount(late, plan.expected.length, () => undefined);
      t.diagnostic(at === undefined ? `late BIRD stopped at ${last} routes` : `late BIRD held the whole table ${((at - up) / 1000).toFixed(1)} s after Established`);
      await assertTable(late, plan);
    });
  });
});
