/**
 * `--pretty` logs: each pino JSON line becomes one readable line with every field kept; a line
 * that is not JSON passes through.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { PassThrough } from 'node:stream';
import { pino } from 'pino';
import { logDestination, prettyLine } from '../../src/cli/pretty-log.js';

describe('pretty logs', () => {
  it('puts time, level, context, message, then every other field', () => {
    const line = JSON.stringify({ level: 30, time: Date.UTC(2026, 11, 1, 12, 3, 4, 512), pid: 1, peer: '198.51.100.1', group: 'clients', msg: 'fsmTransition', from: 'OpenConfirm', to: 'Established', reason: 'KEEPALIVE received' });
    assert.equal(prettyLine(line), '12:03:04.512 INFO  peer=198.51.100.1 group=clients fsmTransition from=OpenConfirm to=Established reason="KEEPALIVE received"');
    assert.equal(prettyLine('not json'), 'not json');
  });

  it('works as the pino destination', () => {
    const out = new PassThrough();
    let text = '';
    out.on('data', (b: Buffer) => (text += b.toString()));
    const log = pino({ level: 'info', base: { routerId: '10.0.0.1' } }, logDestination(true, out));
    log.warn({ peer: '198.51.100.9', prefixes: 91, limit: 100 }, 'maxPrefixWarning');
    assert.match(text, /^\d\d:\d\d:\d\d\.\d{3} WARN {2}peer=198\.51\.100\.9 maxPrefixWarning routerId=10\.0\.0\.1 prefixes=91 limit=100\n$/);
  });
});
