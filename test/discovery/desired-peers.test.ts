/** DesiredPeers snapshots and their diff (src/discovery/desired-peers.ts). */
import { strict as assert } from 'node:assert';
import { describe, it } from 'node:test';
import { allAddresses, desiredPeers, diffDesiredPeers, EMPTY_DESIRED_PEERS, groupOf, isEmptyDiff, sameDesiredPeers } from '../../src/discovery/desired-peers.js';

describe('diffDesiredPeers', () => {
  it('lists added, removed and unchanged peers per group', () => {
    const prev = desiredPeers([['MESH', ['10.0.0.1', '10.0.0.2']], ['UP', ['10.1.0.1']]]);
    const next = desiredPeers([['MESH', ['10.0.0.2', '10.0.0.3']], ['UP', ['10.1.0.1']]]);
    assert.deepEqual(diffDesiredPeers(prev, next), {
      added: [{ group: 'MESH', address: '10.0.0.3' }],
      removed: [{ group: 'MESH', address: '10.0.0.1' }],
      unchanged: [{ group: 'MESH', address: '10.0.0.2' }, { group: 'UP', address: '10.1.0.1' }],
    });
  });

  it('treats a move between groups as remove + add, and a group that vanished as removals', () => {
    const prev = desiredPeers([['A', ['10.0.0.1']], ['B', ['10.0.0.9']]]);
    const next = desiredPeers([['B', ['10.0.0.1']]]);
    const d = diffDesiredPeers(prev, next);
    assert.deepEqual(d.removed, [{ group: 'A', address: '10.0.0.1' }, { group: 'B', address: '10.0.0.9' }]);
    assert.deepEqual(d.added, [{ group: 'B', address: '10.0.0.1' }]);
  });

  it('is empty for equal snapshots, whatever the order', () => {
    const a = desiredPeers([['A', ['10.0.0.1', '10.0.0.2']]]);
    const b = desiredPeers([['A', ['10.0.0.2', '10.0.0.1']]]);
    assert.ok(isEmptyDiff(diffDesiredPeers(a, b)));
    assert.ok(sameDesiredPeers(a, b));
    assert.ok(!sameDesiredPeers(a, EMPTY_DESIRED_PEERS));
    assert.deepEqual(allAddresses(desiredPeers([['A', ['x', 'y']], ['B', ['y', 'z']]])), ['x', 'y', 'z']);
    assert.equal(groupOf(a, '10.0.0.2'), 'A');
    assert.equal(groupOf(a, '10.0.0.3'), undefined);
  });
});
