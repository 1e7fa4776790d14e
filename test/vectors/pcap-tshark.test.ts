/**
 * Every BGP message that Debian's tshark dissects in the captures of ../shared/data/pcap/
 * (tcpdump's BGP tests and pmacct's Cisco IOS-XR sessions, see SOURCES.md) goes through our
 * decodeMessage (and classifyUpdate for UPDATEs) with the context negotiated in the same
 * capture (./helpers-pcap-ctx.ts). Then:
 *
 * 1. nothing throws, and the outcome is one of the RFC 7606 / RFC 4271 §6 classes: clean,
 *    attribute discard, treat-as-withdraw, or a session reset carrying a NOTIFICATION;
 * 2. a clean message re-encodes to the identical bytes;
 * 3. where tshark dissected the message without a "Malformed Packet" and we decoded it, the
 *    fields tshark reports equal ours (./helpers-tshark-fields.ts);
 * 4. every message tshark marks malformed, and every message where tshark and we disagree
 *    on whether it is clean, is listed in ./pcap-expectations.ts with the outcome analysed
 *    by hand and why; every other message must decode cleanly.
 *
 * tshark runs with -o tcp.analyze_sequence_numbers:FALSE: several fuzzed captures reuse
 * sequence numbers, and tshark would otherwise skip those segments as retransmissions.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { decodeMessage, encodeMessage, type MessageResult } from '../../src/wire/message.js';
import { classifyUpdate } from '../../src/wire/validate.js';
import { HEADER_LENGTH } from '../../src/wire/iana.js';
import { dataPath, listData } from './helpers-data.js';
import { mapLimit, readCapture, type TsharkCapture, type TsharkMessage } from './helpers-tshark.js';
import { ourFields, tsharkFields } from './helpers-tshark-fields.js';
import { contextsOf } from './helpers-pcap-ctx.js';
import { expectationIndex } from './pcap-expectations.js';

const FILES: readonly string[] = [
  ...listData('pcap/tcpdump-tests', /\.pcap(ng)?$/).map((f) => `tcpdump-tests/${f}`),
  ...listData('pcap/pmacct-tests', /^\d{3}-/).flatMap((d) => listData(`pcap/pmacct-tests/${d}`, /^traffic-\d+\.pcap$/).map((f) => `pmacct-tests/${d}/${f}`)),
];

const captures = new Map<string, TsharkCapture>();
const summary: string[] = [];
const totals = { messages: 0, compared: 0, fields: 0, values: 0, malformed: 0, expected: 0 };
const EXPECTED = expectationIndex();
const used = new Set<string>();

/** Number of scalar values in a compared record (each prefix, ASN, community counts once). */
function leaves(v: unknown): number {
  if (Array.isArray(v)) return v.reduce((n: number, x) => n + leaves(x), 0);
  if (typeof v === 'object' && v !== null) return Object.values(v).reduce((n: number, x) => n + leaves(x), 0);
  return 1;
}

before(async () => {
  const caps = await mapLimit(FILES, 3, (f) => readCapture(dataPath(`pcap/${f}`)));
  FILES.forEach((f, i) => captures.set(f, caps[i] as TsharkCapture));
});

/** Our outcome for a message: "clean", an RFC 7606 action, or "reset code/subcode". */
function outcomeOf(m: TsharkMessage, r: MessageResult, ctx: Parameters<typeof decodeMessage>[1]): string {
  if (!r.ok) {
    const n = r.error.notification;
    assert.equal(r.error.action, 'sessionReset', 'a failed decode is a session reset');
    assert.ok([1, 2, 3, 7].includes(n.code), `NOTIFICATION code ${n.code}`);
    return `reset ${n.code}/${n.subcode}`;
  }
  if (r.message.type !== 'update') return 'clean';
  const c = classifyUpdate(m.raw.subarray(HEADER_LENGTH), ctx);
  assert.ok(c.ok, 'classifyUpdate agrees that the syntax pass succeeded');
  if (c.action !== null) assert.ok(['attributeDiscard', 'treatAsWithdraw', 'afiSafiDisable'].includes(c.action));
  assert.equal(c.action === null, c.errors.length === 0);
  return c.action ?? 'clean';
}

describe('pcap captures dissected by tshark', () => {
  for (const file of FILES) {
    it(file, () => {
      const cap = captures.get(file);
      assert.ok(cap !== undefined, `tshark output for ${file}`);
      assert.ok(cap.messages.length > 0, 'tshark found BGP messages');
      const ctxs = contextsOf(cap.messages);
      let compared = 0;
      let fields = 0;
      let malformed = 0;
      let values = 0;
      let expected = 0;
      const problems: string[] = [];
      for (const m of cap.messages) {
        try {
        const where = `${file}#${m.index} (frame ${m.frame})`;
        const ctx = ctxs.get(m.direction);
        assert.ok(ctx !== undefined);
        let r: MessageResult | undefined;
        assert.doesNotThrow(() => {
          r = decodeMessage(m.raw, ctx);
        }, where);
        if (r === undefined) continue;
        const outcome = outcomeOf(m, r, ctx);
        if (m.malformed) malformed++;
        if (outcome === 'clean' && r.ok) {
          assert.equal(encodeMessage(r.message, ctx).toString('hex'), m.raw.toString('hex'), `${where}: clean message re-encodes identically`);
        }
        const exp = EXPECTED.get(`${file}#${m.index}`);
        if (exp !== undefined) {
          used.add(`${file}#${m.index}`);
          assert.equal(outcome, exp.outcome, `${where}: ${exp.why}`);
          expected++;
        } else {
          assert.ok(!m.malformed, `${where}: tshark marks it malformed and it has no hand-analysed expectation (we say ${outcome})`);
          assert.equal(outcome, 'clean', `${where}: tshark decodes it cleanly`);
        }
        // tshark's dissection of a malformed message is partial: compare only where the
        // malformation is in a part we keep opaque (outcome clean), or with hand-made fields.
        if (!r.ok || (m.malformed && outcome !== 'clean' && exp?.fields === undefined)) continue;
        const theirs = exp?.fields ?? tsharkFields(m.tree);
        const ours = ourFields(r.message, m.raw.length, new Set(Object.keys(theirs)), outcome === 'clean', ctx);
        if (outcome !== 'clean') delete theirs['attributes'];
        assert.deepEqual(ours, theirs, `${where}: fields`);
        compared++;
        fields += new Set([...Object.keys(ours), ...Object.keys(theirs)]).size;
        values += leaves(theirs);
        } catch (e) {
          problems.push(e instanceof Error ? e.message : String(e));
        }
      }
      // Every message is checked; all problems are reported at once.
      assert.deepEqual(problems, []);
      totals.messages += cap.messages.length;
      totals.compared += compared;
      totals.fields += fields;
      totals.malformed += malformed;
      totals.values += values;
      totals.expected += expected;
      const n = (x: number, w: number): string => String(x).padStart(w);
      summary.push(`${file.replace(/^.*?\//, '').padEnd(48)} ${n(cap.messages.length, 4)} ${n(compared, 4)} ${n(fields, 5)} ${n(values, 6)} ${n(malformed, 3)} ${n(expected, 3)}`);
    });
  }
});

describe('pcap expectations', () => {
  it('every hand-analysed expectation matched a message', () => {
    assert.deepEqual([...EXPECTED.keys()].filter((k) => !used.has(k)), []);
  });
});

after(() => {
  console.log(
    [
      'pcap-tshark: capture / messages tshark dissected / compared / fields / values / tshark-malformed / hand-analysed',
      ...summary,
      `TOTAL ${totals.messages} messages, ${totals.compared} compared on ${totals.fields} fields (${totals.values} values), ${totals.malformed} tshark-malformed, ${totals.expected} hand-analysed`,
    ].join('\n'),
  );
});
