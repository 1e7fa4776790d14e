/**
 * The start-up JIT warm-up (src/reflect/warm-up.ts and its CLI switch): it runs the whole
 * import → decision → packing path over its synthetic table, releases every attribute set,
 * writes the receiving port a table's worth of UPDATEs, and MESHRR_WARM_UP=0 skips it; the
 * start-up also says whether the RIB's large arrays go on huge pages.
 */
import { describe, it, after } from 'node:test';
import assert from 'node:assert/strict';
import { Writable } from 'node:stream';
import pino from 'pino';
import { warmUp } from '../../src/reflect/warm-up.js';
import { warmUpUnlessDisabled } from '../../src/cli/warm-up.js';
import { setHugePageAdvisor } from '../../src/rib/large-arrays.js';

function capture(): { log: pino.Logger; lines: () => string[] } {
  const out: string[] = [];
  const sink = new Writable({
    write(chunk: Buffer, _enc, done): void {
      out.push(chunk.toString('utf8'));
      done();
    },
  });
  return { log: pino({ level: 'debug' }, sink), lines: () => out };
}

describe('reflect: start-up warm-up', () => {
  it('runs the table through and leaves nothing behind', async () => {
    const r = await warmUp();
    assert.equal(r.prefixes, 28_000);
    // 24k IPv4 /24s in 500-prefix UPDATEs from 48 sets and 4k IPv6 /48s: at least one packed
    // UPDATE per 500 prefixes reaches the receiver, plus changes and withdrawals.
    assert.ok(r.messages >= 56, `${r.messages} UPDATEs written`);
    assert.ok(r.ms > 0);
  });

  after(() => setHugePageAdvisor(null));

  it('logs its run, and MESHRR_WARM_UP=0 skips it', async () => {
    const on = capture();
    await warmUpUnlessDisabled(on.log, {});
    await new Promise((res) => setImmediate(res));
    assert.ok(on.lines().some((l) => l.includes('"msg":"warmUp"')), on.lines().join(''));
    const off = capture();
    await warmUpUnlessDisabled(off.log, { MESHRR_WARM_UP: '0' });
    await new Promise((res) => setImmediate(res));
    assert.ok(!off.lines().some((l) => l.includes('"msg":"warmUp"')), off.lines().join(''));
    // Both runs said whether the RIB's large arrays go on huge pages.
    for (const c of [on, off]) assert.ok(c.lines().some((l) => /"msg":"hugePages(Off)?"/.test(l)), c.lines().join(''));
  });
});
