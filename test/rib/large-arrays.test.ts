/**
 * Large RIB arrays on transparent huge pages (src/rib/large-arrays.ts, native/memory.c,
 * src/cli/memory-advice.ts): views sit on a 2 MiB boundary inside their buffer, read and
 * write like plain arrays, small arrays stay plain, and with the real addon on a kernel whose
 * THP mode allows it the memory really is backed by huge pages (AnonHugePages in
 * /proc/self/smaps grows when an advised array is touched).
 */
import { describe, it, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { int32Array, uint8Array, uint32Array, setHugePageAdvisor, hugePagesAdvised } from '../../src/rib/large-arrays.js';
import { installMemoryAdvice } from '../../src/cli/memory-advice.js';

const MiB = 1 << 20;

/** AnonHugePages of this process, in kB (sum over every mapping). */
function anonHugeKb(): number {
  let kb = 0;
  for (const m of readFileSync('/proc/self/smaps', 'utf8').matchAll(/^AnonHugePages:\s+(\d+) kB/gm)) kb += Number(m[1]);
  return kb;
}

describe('rib: large arrays on huge pages', () => {
  after(() => setHugePageAdvisor(null));

  it('places views where the advisor says and leaves small arrays plain', () => {
    const seen: number[] = [];
    setHugePageAdvisor((buf, bytes) => {
      seen.push(bytes);
      assert.ok(buf.byteLength >= bytes + 2 * MiB);
      return 4096;
    });
    const a = int32Array(MiB);
    assert.equal(a.length, MiB);
    assert.equal(a.byteOffset, 4096);
    a[MiB - 1] = -7;
    assert.equal(a[MiB - 1], -7);
    assert.equal(uint32Array(MiB).byteOffset, 4096);
    assert.equal(uint8Array(4 * MiB).byteOffset, 4096);
    assert.equal(int32Array(1000).byteOffset, 0, 'below 2 MiB: a plain array');
    assert.deepEqual(seen, [4 * MiB, 4 * MiB, 4 * MiB]);
    // An advisor that cannot align (-1): the view starts at 0.
    setHugePageAdvisor(() => -1);
    assert.equal(int32Array(MiB).byteOffset, 0);
    setHugePageAdvisor(null);
    assert.equal(hugePagesAdvised(), false);
    assert.equal(int32Array(MiB).buffer.byteLength, 4 * MiB);
  });

  it('with the addon, touched arrays are backed by huge pages (or the reason is given)', () => {
    const m = installMemoryAdvice({});
    if (m.thp === 'never') {
      assert.equal(m.advised, false);
      assert.match(m.reason ?? '', /off in this kernel/);
      return;
    }
    assert.equal(m.advised, true, m.reason ?? '');
    assert.equal(hugePagesAdvised(), true);
    const before = anonHugeKb();
    const a = int32Array(8 * MiB); // 32 MiB
    assert.equal(a.byteOffset % 4, 0);
    assert.ok(a.byteOffset < 2 * MiB);
    a.fill(1);
    const grown = anonHugeKb() - before;
    // At least half of the 32 MiB on huge pages (the kernel may fall back for some under
    // memory fragmentation; with 4 KiB pages only this would stay 0).
    assert.ok(grown >= 16 * 1024, `AnonHugePages grew by ${grown} kB`);
    assert.equal(a[8 * MiB - 1], 1);
    const off = installMemoryAdvice({ MESHRR_HUGE_PAGES: '0' });
    assert.deepEqual(off, { advised: false, thp: m.thp, reason: 'MESHRR_HUGE_PAGES=0' });
  });
});
