/**
 * `bgpdump -m` text (src/mrt/bgpdump-format.ts) against bytes and text nobody here wrote:
 *
 * 1. Every ../shared/data/mrt/ripe-bgpdump/test_data/NAME with an expectation
 *    test_expect/NAME.bgp.gz (bgpdump's own test suite, produced by `bgpdump -vm`, which
 *    prints the same lines as -m) must match exactly, with no normalisation. Note
 *    updates.nlri_mask_trailing_bits: the expectation masks the bits past the prefix length
 *    (newer bgpdump), and so do we (RFC 4271 §4.3: those bits are irrelevant).
 * 2. The real `bgpdump -m` (Debian 1.6.2, /usr/bin/bgpdump) on other dumps of
 *    ../shared/data/mrt, compared line for line. One normalisation: 1.6.2 prints prefixes with
 *    their trailing bits unmasked, so its prefix column is masked before comparing (this
 *    only changes lines of mrtparse-samples/bird_bgp). Excluded: mrtparse-samples/bird6_bgp,
 *    whose MESSAGE_AS4 records carry add-path NLRI without the ADDPATH subtype; bgpdump
 *    reads prefix lengths > 128 past its 16-octet address buffer and prints memory garbage
 *    (e.g. "100:100::140:fd01:1/0"), while our codec rejects the UPDATE.
 */
import { strict as assert } from 'node:assert';
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { gunzipSync } from 'node:zlib';
import { BgpdumpFormatter } from '../../src/mrt/bgpdump-format.js';
import { ipv6At } from '../../src/mrt/bgpdump-text.js';
import { readMrtBatches } from '../../src/mrt/reader.js';
import { parseIpv6 } from '../../src/wire/nlri.js';

const DATA = fileURLToPath(new URL('../../../shared/data/mrt/', import.meta.url));
const BGPDUMP = '/usr/bin/bgpdump';

function data(rel: string): string {
  const p = join(DATA, rel);
  if (!existsSync(p)) throw new Error(`test data missing: ${p} (expected the shared data next to the repository)`);
  return p;
}

/** Our dump of a file: the text, and the reader's error if the file is torn. */
async function dump(path: string): Promise<{ text: string; error: unknown }> {
  const fmt = new BgpdumpFormatter();
  const parts: string[] = [];
  try {
    for await (const batch of readMrtBatches(path)) {
      for (const r of batch) fmt.add(r);
      if (fmt.pending > 1 << 20) parts.push(fmt.takeText());
    }
  } catch (e) {
    parts.push(fmt.takeText());
    return { text: parts.join(''), error: e };
  }
  parts.push(fmt.takeText());
  return { text: parts.join(''), error: null };
}

/** First differing line, for a readable failure. */
function assertSameLines(actual: string, expected: string, what: string): void {
  if (actual === expected) return;
  const a = actual.split('\n');
  const e = expected.split('\n');
  for (let i = 0; i < Math.max(a.length, e.length); i++) {
    if (a[i] !== e[i]) assert.fail(`${what}: line ${i + 1} differs (${a.length - 1} vs ${e.length - 1} lines)\n  ours:     ${a[i]}\n  expected: ${e[i]}`);
  }
}

describe('bgpdump test suite expectations (ripe-bgpdump/test_expect)', () => {
  const names = ['bview.20020722.2337.gz', 'bview.64k_stream_overflow.gz', 'bview.ipv4_unicast_add_path.gz', 'bview.ipv6_unicast_add_path.gz', 'updates.20020722.2238.gz', 'updates.20070211.0141.gz', 'updates.20071015.1505.gz', 'updates.20100722.2015.gz', 'updates.20160811.1600.gz', 'updates.et-header.2015.gz', 'updates.long_withdrawal.gz', 'updates.nlri_mask_trailing_bits.gz'];

  it('covers every test_data file that has an expectation', () => {
    const dir = data('ripe-bgpdump/test_data');
    const withExpect = spawnSync('ls', [dir], { encoding: 'utf8' })
      .stdout.split('\n')
      .filter((n) => n !== '' && existsSync(join(DATA, 'ripe-bgpdump/test_expect', `${n}.bgp.gz`)));
    assert.deepEqual(withExpect.sort(), [...names].sort());
  });

  for (const name of names) {
    it(name, async () => {
      const expected = gunzipSync(readFileSync(data(`ripe-bgpdump/test_expect/${name}.bgp.gz`))).toString('latin1');
      const { text, error } = await dump(data(`ripe-bgpdump/test_data/${name}`));
      assert.equal(error, null);
      assertSameLines(text, expected, name);
    });
  }
});

/** Masks the prefix column of a bgpdump 1.6.2 line (see the module note). */
function maskPrefixColumn(line: string): string {
  const f = line.split('|');
  if (f[2] !== 'A' && f[2] !== 'W' && f[2] !== 'B') return line;
  const prefix = f[5] ?? '';
  const slash = prefix.indexOf('/');
  const bits = Number(prefix.slice(slash + 1));
  const addr = prefix.slice(0, slash);
  if (addr.includes(':')) {
    const b = parseIpv6(addr);
    if (b === null) return line;
    for (let i = 0; i < 16; i++) {
      const keep = bits - 8 * i;
      b[i] = keep <= 0 ? 0 : keep >= 8 ? (b[i] as number) : (b[i] as number) & (0xff << (8 - keep));
    }
    f[5] = `${ipv6At(b, 0)}/${bits}`;
  } else {
    const o = addr.split('.').map(Number);
    const a = (((o[0] ?? 0) << 24) | ((o[1] ?? 0) << 16) | ((o[2] ?? 0) << 8) | (o[3] ?? 0)) >>> 0;
    const m = bits === 0 ? 0 : bits >= 32 ? a : (a & ~(0xffffffff >>> bits)) >>> 0;
    f[5] = `${m >>> 24}.${(m >>> 16) & 255}.${(m >>> 8) & 255}.${m & 255}/${bits}`;
  }
  return f.join('|');
}

describe('real bgpdump -m (Debian 1.6.2) on other dumps', () => {
  const files = [
    'morrowc-mrtparser/updates.20260222.1530.bz2',
    'libbgpstream/ris.rrc06.updates.1427846400.gz',
    'libbgpstream/routeviews.route-views.jinx.updates.1427846400.bz2',
    'bgpkit-fixtures/examples_local_only_updates.bz2',
    'bgpkit-fixtures/ripe/rrc01/2000.11/updates.20001104.0124.gz',
    'bgpkit-fixtures/ripe/rrc03/2010.02/updates.20100227.1600.first-796-records.gz',
    'bgpkit-fixtures/ripe/rrc15/2010.02/updates.20100227.1600.gz',
    'bgpkit-fixtures/ripe/rrc15/2010.02/updates.20100227.1610.gz',
    'mrtparse-samples/bird-mrtdump_bgp',
    'mrtparse-samples/bird-mrtdump_rib',
    'mrtparse-samples/bird6-mrtdump_bgp',
    'mrtparse-samples/bird6-mrtdump_rib',
    'mrtparse-samples/bird_bgp',
    'mrtparse-samples/openbgpd_bgp',
    'mrtparse-samples/openbgpd_rib_table',
    'mrtparse-samples/openbgpd_rib_table-mp',
    'mrtparse-samples/openbgpd_rib_table-v2',
    'mrtparse-samples/quagga_bgp',
    'mrtparse-samples/quagga_rib',
    'pyasn/bview.20140112.1600_3samples.bz2',
    'pyasn/rib.20140523.0600_firstMB.bz2',
    'pyasn/rib6.20151101.0600_firstMB.bz2',
  ];

  it('bgpdump is installed', () => {
    assert.ok(existsSync(BGPDUMP), `${BGPDUMP} missing: install the Debian package bgpdump (.ci/run does)`);
  });

  for (const rel of files) {
    it(rel, async () => {
      const path = data(rel);
      const ref = spawnSync(BGPDUMP, ['-m', path], { encoding: 'latin1', maxBuffer: 1 << 30 });
      assert.equal(ref.error, undefined, `cannot run ${BGPDUMP}`);
      const expected = ref.stdout
        .split('\n')
        .map((l) => (l === '' ? l : maskPrefixColumn(l)))
        .join('\n');
      const { text, error } = await dump(path);
      if (rel.includes('firstMB')) assert.ok(error !== null, 'torn file must end with an error');
      else assert.equal(error, null);
      assertSameLines(text, expected, rel);
      assert.ok(rel.includes('3samples') || rel.endsWith('-mp') || text.length > 0, 'compared no lines');
    });
  }
});
