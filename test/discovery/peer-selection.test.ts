/**
 * Peer selection (src/discovery/peer-selection.ts): full mesh, and the max_peers rules:
 * sticky Established peers, random fill, replacement after the grace period preferring
 * candidates not failed recently, never more than max_peers, no churn when nothing changed.
 */
import { strict as assert } from 'node:assert';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { EMPTY_SELECTION_STATE, selectPeers } from '../../src/discovery/peer-selection.js';
import type { SelectionInput, SelectionResult, SelectionState } from '../../src/discovery/peer-selection.js';

const GRACE = 120_000;
const base = (over: Partial<SelectionInput>): SelectionInput => ({
  current: [],
  answer: [],
  maxPeers: 2,
  state: EMPTY_SELECTION_STATE,
  now: 1_000_000,
  graceMs: GRACE,
  failMemoryMs: 600_000,
  isEstablished: () => true,
  random: () => 0,
  ...over,
});
const actions = (r: SelectionResult): string[] => r.decisions.map((d) => `${d.action} ${d.address}`).sort();

describe('full mesh (no max_peers)', () => {
  it('takes every address, keeps order of current peers, removes the gone ones', () => {
    const r = selectPeers(base({ maxPeers: null, current: ['10.0.0.3', '10.0.0.1'], answer: ['10.0.0.1', '10.0.0.2', '10.0.0.4'] }));
    assert.deepEqual(r.selected, ['10.0.0.1', '10.0.0.2', '10.0.0.4']);
    assert.deepEqual(actions(r), ['add 10.0.0.2', 'add 10.0.0.4', 'keep 10.0.0.1', 'remove 10.0.0.3']);
    assert.equal(r.decisions.find((d) => d.address === '10.0.0.3')?.reason, 'gone from DNS');
  });
});

describe('max_peers', () => {
  it('fills at random up to max_peers', () => {
    const r = selectPeers(base({ answer: ['10.0.0.1', '10.0.0.2', '10.0.0.3'], random: () => 0.99 }));
    assert.deepEqual(r.selected, ['10.0.0.3', '10.0.0.2']);
    assert.match(r.decisions[0]?.reason ?? '', /^fills a free place \(1\/2\): random pick among 3 candidate\(s\) not failed recently$/);
    assert.deepEqual([...r.state.downSince.keys()].sort(), ['10.0.0.2', '10.0.0.3']);
  });

  it('is sticky: Established peers stay, nothing changes when nothing changed', () => {
    const r = selectPeers(base({ current: ['10.0.0.2', '10.0.0.3'], answer: ['10.0.0.1', '10.0.0.2', '10.0.0.3', '10.0.0.4'], random: () => 0.5 }));
    assert.deepEqual(r.selected, ['10.0.0.2', '10.0.0.3']);
    assert.deepEqual(actions(r), ['keep 10.0.0.2', 'keep 10.0.0.3']);
    assert.ok(r.decisions.every((d) => d.reason === 'Established'));
  });

  it('replaces a peer gone from DNS', () => {
    const r = selectPeers(base({ current: ['10.0.0.2', '10.0.0.3'], answer: ['10.0.0.1', '10.0.0.3'] }));
    assert.deepEqual(r.selected, ['10.0.0.3', '10.0.0.1']);
    assert.deepEqual(actions(r), ['add 10.0.0.1', 'keep 10.0.0.3', 'remove 10.0.0.2']);
  });

  it('keeps a not-Established peer within the grace period, replaces it after', () => {
    const isEstablished = (a: string): boolean => a !== '10.0.0.2';
    const answer = ['10.0.0.1', '10.0.0.2', '10.0.0.3'];
    let state: SelectionState = { downSince: new Map([['10.0.0.2', 1_000_000]]), failedAt: new Map() };
    const r1 = selectPeers(base({ current: ['10.0.0.2', '10.0.0.3'], answer, state, now: 1_060_000, isEstablished }));
    assert.deepEqual(r1.selected, ['10.0.0.2', '10.0.0.3']);
    assert.equal(r1.decisions.find((d) => d.address === '10.0.0.2')?.reason, 'not Established for 60s, within the grace period of 120s');
    state = r1.state;
    const r2 = selectPeers(base({ current: ['10.0.0.2', '10.0.0.3'], answer, state, now: 1_120_000, isEstablished }));
    assert.deepEqual(r2.selected, ['10.0.0.3', '10.0.0.1']);
    assert.equal(r2.decisions.find((d) => d.address === '10.0.0.2')?.reason, 'not Established for 120s (grace 120s); replaced by 10.0.0.1');
    assert.equal(r2.state.failedAt.get('10.0.0.2'), 1_120_000);
    assert.equal(r2.state.downSince.get('10.0.0.1'), 1_120_000, 'the new peer gets its own grace period');
  });

  it('prefers candidates not failed recently, else the one that failed longest ago', () => {
    const isEstablished = (a: string): boolean => a === '10.0.0.9';
    const failedAt = new Map([['10.0.0.1', 900_000], ['10.0.0.3', 800_000]]);
    const state: SelectionState = { downSince: new Map([['10.0.0.2', 0]]), failedAt };
    const answer = ['10.0.0.1', '10.0.0.2', '10.0.0.3', '10.0.0.4', '10.0.0.9'];
    const r = selectPeers(base({ current: ['10.0.0.2', '10.0.0.9'], answer, state, isEstablished, random: () => 0 }));
    assert.deepEqual(r.selected, ['10.0.0.9', '10.0.0.4']);
    const r2 = selectPeers(base({ current: ['10.0.0.2', '10.0.0.9'], answer: answer.filter((a) => a !== '10.0.0.4'), state, isEstablished }));
    assert.deepEqual(r2.selected, ['10.0.0.9', '10.0.0.3']);
    assert.match(r2.decisions.find((d) => d.action === 'add')?.reason ?? '', /every candidate failed recently; took the one that failed longest ago \(200s ago\)/);
  });

  it('forgets failures after failMemoryMs', () => {
    const state: SelectionState = { downSince: new Map(), failedAt: new Map([['10.0.0.1', 0]]) };
    const r = selectPeers(base({ answer: ['10.0.0.1'], maxPeers: 1, state }));
    assert.deepEqual(r.selected, ['10.0.0.1']);
    assert.equal(r.state.failedAt.size, 0);
  });

  it('keeps a failing peer when there is no other candidate', () => {
    const state: SelectionState = { downSince: new Map([['10.0.0.2', 0]]), failedAt: new Map() };
    const r = selectPeers(base({ current: ['10.0.0.2'], answer: ['10.0.0.2'], state, isEstablished: () => false }));
    assert.deepEqual(r.selected, ['10.0.0.2']);
    assert.equal(r.decisions[0]?.reason, 'not Established for 1000s (grace 120s), but no other candidate in DNS');
  });

  it('shrinks to max_peers, dropping not-Established peers first', () => {
    const state: SelectionState = { downSince: new Map([['10.0.0.2', 990_000]]), failedAt: new Map() };
    const r = selectPeers(base({ current: ['10.0.0.1', '10.0.0.2', '10.0.0.3'], answer: ['10.0.0.1', '10.0.0.2', '10.0.0.3'], maxPeers: 1, state, isEstablished: (a) => a !== '10.0.0.2' }));
    assert.deepEqual(r.selected, ['10.0.0.1']);
    assert.deepEqual(actions(r), ['keep 10.0.0.1', 'remove 10.0.0.2', 'remove 10.0.0.3']);
    assert.ok(r.decisions.filter((d) => d.action === 'remove').every((d) => d.reason === 'over max_peers 1'));
  });

  it('property: never more than max_peers, only answer addresses, no churn for Established peers', () => {
    const addr = fc.integer({ min: 1, max: 12 }).map((i) => `10.0.0.${i}`);
    fc.assert(
      fc.property(fc.uniqueArray(addr, { maxLength: 10 }), fc.uniqueArray(addr, { maxLength: 6 }), fc.integer({ min: 1, max: 4 }), fc.func(fc.boolean()), fc.double({ min: 0, max: 0.999, noNaN: true }), (answer, current, maxPeers, up, rnd) => {
        const input = base({ answer, current, maxPeers, isEstablished: (a) => up(a), random: () => rnd, state: { downSince: new Map(current.map((a) => [a, 0])), failedAt: new Map() } });
        const r = selectPeers(input);
        assert.ok(r.selected.length <= maxPeers);
        assert.equal(new Set(r.selected).size, r.selected.length);
        assert.ok(r.selected.every((a) => answer.includes(a)));
        assert.equal(r.selected.length, Math.min(maxPeers, answer.length), 'fills every free place it can');
        const stayUp = current.filter((a) => answer.includes(a) && up(a));
        if (stayUp.length <= maxPeers) for (const a of stayUp) assert.ok(r.selected.includes(a), 'Established peers still in DNS stay');
        // Running again with the result as current and everyone Established changes nothing.
        const again = selectPeers({ ...input, current: r.selected, state: r.state, isEstablished: () => true });
        assert.deepEqual(again.selected, r.selected);
        assert.ok(again.decisions.every((d) => d.action === 'keep'));
      }),
      { numRuns: 300 },
    );
  });
});
