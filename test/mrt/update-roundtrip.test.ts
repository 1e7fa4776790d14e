/**
 * Every BGP UPDATE recorded in two real dumps decodes with the wire codec (decodeUpdate) and
 * re-encodes (encodeUpdate) to the identical bytes, header included; the codec context comes
 * from the record (4-octet AS for MESSAGE_AS4, add-path for the *_ADDPATH subtypes).
 * The prefix counts are those of ../shared/data/SOURCES.md, counted with forEachPrefix.
 */
import { strict as assert } from 'node:assert';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { readMrtBatches } from '../../src/mrt/reader.js';
import { bgp4mpCtx, bgpMessageBody, bgpMessageType } from '../../src/mrt/bgp4mp.js';
import { decodeUpdate, encodeUpdate } from '../../src/wire/update.js';
import { forEachPrefix } from '../../src/wire/nlri.js';

const DATA = fileURLToPath(new URL('../../../shared/data/mrt/', import.meta.url));

function data(rel: string): string {
  const p = join(DATA, rel);
  if (!existsSync(p)) throw new Error(`test data missing: ${p} (expected the shared data next to the repository)`);
  return p;
}

describe('UPDATE decode / re-encode is byte-exact on real dumps', () => {
  for (const [rel, updates, announced, withdrawn] of [
    ['ripe-bgpdump/test_data/updates.et-header.2015.gz', 89679, 577737, 3],
    ['morrowc-mrtparser/updates.20260222.1530.bz2', 49220, 111057, 7606],
  ] as const) {
    it(rel, async () => {
      let n = 0;
      let a = 0;
      let w = 0;
      const count = (): void => {
        a++;
      };
      const countW = (): void => {
        w++;
      };
      for await (const batch of readMrtBatches(data(rel))) {
        for (const r of batch) {
          if (r.kind !== 'bgp4mpMessage' || bgpMessageType(r.message) !== 2) continue;
          n++;
          const ctx = bgp4mpCtx(r);
          const dec = decodeUpdate(bgpMessageBody(r.message), ctx);
          if (!dec.ok) assert.fail(`UPDATE at MRT offset ${r.header.offset}: ${dec.error.detail}`);
          const again = encodeUpdate(dec.update, ctx);
          if (!again.equals(r.message)) {
            assert.fail(`UPDATE at MRT offset ${r.header.offset} re-encodes differently:\n  ${r.message.toString('hex')}\n  ${again.toString('hex')}`);
          }
          forEachPrefix(dec.update.nlri, count);
          forEachPrefix(dec.update.withdrawn, countW);
          for (const at of dec.update.attributes) {
            if (at.kind === 'mpReach') forEachPrefix(at.value.nlri, count);
            else if (at.kind === 'mpUnreach') forEachPrefix(at.value.withdrawn, countW);
          }
        }
      }
      assert.deepEqual([n, a, w], [updates, announced, withdrawn]);
    });
  }
});
