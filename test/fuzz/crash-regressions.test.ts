/**
 * Replays every fuzz crash input kept in ./crashes/ (format in ./crashes/README.md): each must
 * now decode without throwing and with an RFC 7606 outcome, through decodeUpdate,
 * classifyUpdate and decodeMessage.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { decodeUpdate } from '../../src/wire/update.js';
import { classifyUpdate } from '../../src/wire/validate.js';
import { decodeMessage } from '../../src/wire/message.js';
import { makeCtx } from '../../src/wire/context.js';
import { afiSafiKey } from '../../src/wire/iana.js';
import { asArray, asObject, asString, field } from '../vectors/helpers-json.js';
import { hexToBuffer } from '../vectors/helpers-data.js';
import { assertClassified } from './helpers-mutate.js';

const DIR = fileURLToPath(new URL('./crashes/', import.meta.url));

describe('fuzz crash regressions (test/fuzz/crashes)', () => {
  it('the crash directory exists', () => {
    assert.ok(existsSync(DIR), `missing ${DIR}`);
  });
  const files = existsSync(DIR) ? readdirSync(DIR).filter((f) => f.endsWith('.json')).sort() : [];
  for (const f of files) {
    it(f, () => {
      const j = asObject(JSON.parse(readFileSync(DIR + f, 'utf8')) as unknown, f);
      const c = asObject(field(j, 'ctx'), 'ctx');
      const pairs = asArray(field(c, 'addPath') ?? [], 'addPath').map((p) => asArray(p, 'pair'));
      const ctx = makeCtx({
        as4: field(c, 'as4') === true,
        external: field(c, 'external') === true,
        extendedMessage: field(c, 'extendedMessage') === true,
        addPath: new Set(pairs.map(([afi, safi]) => afiSafiKey(Number(afi), Number(safi)))),
      });
      const body = hexToBuffer(asString(field(j, 'body'), 'body'));
      assertClassified(decodeUpdate(body, ctx), 'decodeUpdate');
      assertClassified(classifyUpdate(body, ctx), 'classifyUpdate');
      const h = Buffer.alloc(19, 0xff);
      h.writeUInt16BE(Math.min(0xffff, 19 + body.length), 16);
      h[18] = 2;
      const m = decodeMessage(Buffer.concat([h, body]), ctx);
      if (!m.ok) assert.ok(m.error.notification.code === 1 || m.error.notification.code === 3);
    });
  }
  it(`${files.length} kept crash inputs replayed`, () => {
    console.log(`fuzz crash regressions: ${files.length} inputs in ${DIR}`);
  });
});
