/**
 * AS-path regular expressions checked against FRR 8 itself: two bgpd in one namespace form a
 * confederation (A: sub-AS 64602, B: sub-AS 64601, identifier 64600). A originates routes
 * whose AS paths come from `set as-path prepend` route-maps and `aggregate-address ... as-set`
 * (AS_SETs); B learns them over the confederation session, so B's paths start with the
 * AS_CONFED_SEQUENCE `(64602)`. For every expression of TABLE each bgpd gets
 * `bgp as-path access-list`, and `show bgp ipv4 unicast filter-list NAME json` lists the
 * prefixes FRR matches. meshrr must refuse exactly the expressions FRR refuses and match
 * exactly the same prefixes, path by path; and its text form of each path (built from the
 * segments in FRR's JSON) must equal FRR's own path string.
 *
 * Skipped unless root with FRR installed. Prints the comparison table as test diagnostics.
 */
import assert from 'node:assert/strict';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { run } from '../helpers/netns.js';
import { createLab, frr, missingPrerequisites } from '../helpers/peers/index.js';
import type { Lab, RouteSpec } from '../helpers/peers/index.js';
import type { FrrPeer } from '../helpers/peers/frr.js';
import { arr, isRecord, rec, str } from '../helpers/peers/json.js';
import { pollUntil } from '../helpers/poll.js';
import { asPathText, compileAsPathRegex } from '../../src/policy/as-path-regex.js';
import type { AsPath } from '../../src/wire/attribute-types.js';
import { AS_PATH_SEGMENT } from '../../src/wire/iana.js';

// Fails loudly, naming what is missing (never a silent skip).
await missingPrerequisites(['frr']);

/** Expressions compared (none may end with `?`: vtysh takes a trailing ? as a help request). */
const TABLE: readonly string[] = [
  // the examples
  '_65000_', '^65000_', '_65000$', '^$', '.*', '_6500[0-9]_', '^(65001_)+65002$', '_{?65003}?_', '_\\{?65003\\}?_',
  // plain digits are unanchored
  '65000', '^65001', '65002$', '650001', '^6500.$', '^[0-9]+$',
  // `_` at sets, confederation segments, spaces
  '_65001 65002_', '_65003}', '\\{65003', '^\\{', '_65003,65004_', '_65006_', '65005 \\{65006\\}', '_64602_', '^64602_', '^\\(64602\\)',
  '^\\(64602\\)$', '^(64602)', '^[(]64602[)] 65001', '_(65002|65003)_', '(_65001)+', '65001_?65002', '^(65001_)?65002$',
  // ERE details
  '65001)', '}', '[_]', '[]]', '65001**', '()', '|65001', '65001|', '\\,', '65003\\,65004', '0{2,}', '0{,2}', '2{2}', '[0-9]{5}',
  '[0-9]{6}', '[0-9]{10}', '[^0-9 ]', '^[^(]', '$^', '^^65001', '65001$$', '(0)\\1', '(65001) \\1', '-', '[0-9-]', '\\-', '\\.',
  '65001{2}{2}', '(65001 ){2,}',
  // refused by both
  '{', '**', '*', '+', '5{1', '(65001', '\\1', '[9-0]', '0{3,1}', '^*', '$*', '(*65001)', '{2}', 'a', '\\d', '65001:1',
];

/** Routes A originates: prefix → prepended ASes. */
const ORIGINATED: readonly [string, number[]][] = [
  ['10.0.0.0/24', []],
  ['10.0.1.0/24', [65000]],
  ['10.0.2.0/24', [65001, 65000]],
  ['10.0.3.0/24', [65000, 65001, 65002]],
  ['10.0.4.0/24', [65001, 65002]],
  ['10.0.5.0/24', [65001, 65001, 65002]],
  ['10.0.6.0/24', [65001, 65001, 65001, 65002]],
  ['10.0.7.0/24', [650001, 65000]],
  ['10.0.8.0/24', [165000, 65000]],
  ['10.0.9.0/24', [4200000000, 65000]],
  ['10.0.10.0/24', [6500, 65000, 650000]],
  ['10.0.11.0/24', [65003]],
  ['10.0.12.0/24', [65001, 65003]],
  ['10.0.13.0/24', [65009, 65010, 65011]],
  ['10.0.14.0/24', [65002]],
  // components of the as-set aggregates below
  ['10.1.0.0/24', [65001, 65002]],
  ['10.1.1.0/24', [65001, 65003]],
  ['10.2.0.0/24', [65003]],
  ['10.2.1.0/24', [65004]],
  ['10.3.0.0/24', [65005, 65006]],
  ['10.3.1.0/24', [65005]],
];
const AGGREGATES = ['10.1.0.0/16', '10.2.0.0/16', '10.3.0.0/16'];

const SEGMENT_TYPES: Record<string, number> = {
  'as-sequence': AS_PATH_SEGMENT.AS_SEQUENCE,
  'as-set': AS_PATH_SEGMENT.AS_SET,
  'as-confed-sequence': AS_PATH_SEGMENT.AS_CONFED_SEQUENCE,
  'as-confed-set': AS_PATH_SEGMENT.AS_CONFED_SET,
};

async function vtysh(peer: FrrPeer, commands: readonly string[], extra: readonly string[] = []): Promise<string> {
  const res = await run('vtysh', ['--vty_socket', peer.dir, '-d', 'bgpd', ...extra, ...commands.flatMap((c) => ['-c', c])], { allowFailure: true });
  return `${res.stdout}${res.stderr}`;
}

/** JSON documents printed one after another by a multi-command vtysh run. */
function jsonDocs(text: string): unknown[] {
  const out: unknown[] = [];
  let depth = 0;
  let start = -1;
  let inStr = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (inStr) {
      if (c === '\\') i++;
      else if (c === '"') inStr = false;
    } else if (c === '"') inStr = true;
    else if (c === '{') {
      if (depth++ === 0) start = i;
    } else if (c === '}' && --depth === 0) out.push(JSON.parse(text.slice(start, i + 1)));
  }
  return out;
}

interface FrrPath {
  readonly prefix: string;
  readonly text: string;
  readonly segments: AsPath;
}

/** Every prefix with its best path's AS path, from FRR's detailed JSON. */
async function paths(peer: FrrPeer): Promise<FrrPath[]> {
  const summary = jsonDocs(await vtysh(peer, ['show bgp ipv4 unicast json']))[0];
  const prefixes = Object.keys(rec(summary, 'routes') ?? {}).sort();
  const docs = jsonDocs(await vtysh(peer, prefixes.map((p) => `show bgp ipv4 unicast ${p} json`)));
  return docs.map((d) => {
    const best = arr(d, 'paths').find((p) => isRecord(rec(p, 'bestpath'))) ?? arr(d, 'paths')[0];
    const asp = rec(best, 'aspath');
    const segments = arr(asp, 'segments').map((s) => ({ type: SEGMENT_TYPES[str(s, 'type') ?? ''] ?? 0, asns: arr(s, 'list').map((x) => Number(x)) }));
    // FRR prints an empty path as "Local" in this view; its regexes see the empty string.
    const text = segments.length === 0 ? '' : (str(asp, 'string') ?? '');
    return { prefix: str(d, 'prefix') ?? '?', text, segments };
  });
}

/**
 * FRR's verdict per expression: whether it accepted it, and the prefixes it matches. The
 * lists are defined with `vtysh -f` (which goes on after a refused line, unlike `-c`, and
 * takes a trailing `?` literally); `show bgp as-path-access-list json` tells which exist.
 */
async function frrVerdicts(peer: FrrPeer): Promise<(null | Set<string>)[]> {
  const file = join(peer.dir, 'as-path-lists.conf');
  await writeFile(file, TABLE.map((re, i) => `bgp as-path access-list T${i} permit ${re}\n`).join(''));
  await vtysh(peer, [], ['-f', file]);
  const doc = jsonDocs(await vtysh(peer, ['show bgp as-path-access-list json']))[0];
  const lists = isRecord(doc) ? doc : {};
  const out: (null | Set<string>)[] = TABLE.map(() => null);
  const defined: number[] = [];
  for (const [i, re] of TABLE.entries()) {
    const entry = arr(lists, `T${i}`)[0];
    if (entry === undefined) continue;
    assert.equal(str(entry, 'regExp'), re, `FRR stored T${i} as written`);
    defined.push(i);
  }
  const docs = jsonDocs(await vtysh(peer, defined.map((i) => `show bgp ipv4 unicast filter-list T${i} json`)));
  assert.equal(docs.length, defined.length, 'one JSON answer per filter-list query');
  defined.forEach((i, k) => (out[i] = new Set(Object.keys(rec(docs[k], 'routes') ?? {}))));
  return out;
}

async function startPair(lab: Lab): Promise<[FrrPeer, FrrPeer]> {
  const ns = await lab.netns('pol');
  await ns.addLoopback('198.18.0.1', '198.18.0.2');
  const routes: RouteSpec[] = ORIGINATED.map(([prefix, asPath]) => ({ prefix, nextHop: '198.18.0.1', asPath }));
  const confed = (me: number, peer: number, extra: string[] = []): string =>
    [`router bgp ${me}`, ' bgp confederation identifier 64600', ` bgp confederation peers ${peer}`, ...extra, '!'].join('\n');
  const aggregates = [' address-family ipv4 unicast', ...AGGREGATES.map((p) => `  aggregate-address ${p} as-set`), ' exit-address-family'];
  const a = await lab.start(frr.start, {
    name: 'a', netns: ns, routerId: '198.18.0.1', localAs: 64602, listen: { addresses: ['198.18.0.1'] }, routes,
    neighbors: [{ address: '198.18.0.2', remoteAs: 64601, localAddress: '198.18.0.1', multihop: true }],
    extraConfig: confed(64602, 64601, aggregates),
  });
  const b = await lab.start(frr.start, {
    name: 'b', netns: ns, routerId: '198.18.0.2', localAs: 64601, listen: { addresses: ['198.18.0.2'] },
    neighbors: [{ address: '198.18.0.1', remoteAs: 64602, localAddress: '198.18.0.2', multihop: true }],
    extraConfig: confed(64601, 64602),
  });
  return [a, b];
}

describe('AS-path regular expressions agree with FRR', () => {
  test('every expression on every path of two routers', { timeout: 90_000 }, async (t) => {
    const tStart = Date.now();
    const lab = await createLab('policy-frr');
    let failed = true;
    try {
      const [a, b] = await startPair(lab);
      const total = ORIGINATED.length + AGGREGATES.length;
      const pathsA = await pollUntil(async () => {
        const ps = await paths(a);
        return ps.length === total ? ps : undefined;
      }, { what: `frr a holds ${total} prefixes` });
      await b.waitEstablished('198.18.0.1');
      const pathsB = await pollUntil(async () => {
        const ps = await paths(b);
        return ps.length === total ? ps : undefined;
      }, { what: `frr b learned ${total} prefixes`, timeoutMs: 60_000 });
      const all = [...pathsA.map((p) => ({ ...p, router: 'a' })), ...pathsB.map((p) => ({ ...p, router: 'b' }))];
      // The text form: meshrr's rendering of FRR's segments is FRR's own string.
      for (const p of all) assert.equal(asPathText(p.segments), p.text, `${p.router} ${p.prefix}`);
      assert.ok(all.some((p) => p.text.includes('{')) && all.some((p) => p.text.includes('(')), 'paths with sets and confederation segments');

      const t0 = Date.now();
      const [va, vb] = await Promise.all([frrVerdicts(a), frrVerdicts(b)]);
      t.diagnostic(`daemons and routes ready after ${t0 - tStart} ms; FRR verdicts took ${Date.now() - t0} ms`);
      const rows: string[] = ['| expression | FRR | meshrr | matches (a + b) |', '|---|---|---|---|'];
      const disagreements: string[] = [];
      for (const [i, re] of TABLE.entries()) {
        const mine = compileAsPathRegex(re);
        const fa = va[i] ?? null;
        const fb = vb[i] ?? null;
        assert.equal(fa === null, fb === null, `FRR a and b agree on whether ${re} compiles`);
        if (fa === null || fb === null || !mine.ok) {
          if ((fa === null) !== !mine.ok) disagreements.push(`${re}: FRR ${fa === null ? 'refuses' : 'accepts'}, meshrr ${mine.ok ? 'accepts' : mine.message}`);
          rows.push(`| \`${re}\` | ${fa === null ? 'refuses' : 'accepts'} | ${mine.ok ? 'accepts' : 'refuses'} | |`);
          continue;
        }
        let n = 0;
        for (const [router, ps, verdict] of [['a', pathsA, fa], ['b', pathsB, fb]] as const) {
          for (const p of ps) {
            const frrHit = verdict.has(p.prefix);
            const ours = mine.regex.test(asPathText(p.segments));
            if (frrHit) n++;
            if (frrHit !== ours) disagreements.push(`${re} on ${router} ${p.prefix} "${p.text}": FRR ${frrHit}, meshrr ${ours}`);
          }
        }
        rows.push(`| \`${re}\` | accepts | accepts | ${n} of ${all.length} |`);
      }
      t.diagnostic(`paths compared: ${all.length}; expressions: ${TABLE.length}`);
      for (const r of rows) t.diagnostic(r);
      assert.deepEqual(disagreements, []);
      failed = false;
    } finally {
      await lab.close({ failed });
    }
  });
});
