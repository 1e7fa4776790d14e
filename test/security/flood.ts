/**
 * Child process of limits.test.ts: opens TCP connections to meshrr's listener as fast as it
 * can, `PARALLEL` at a time, from source addresses 127.77.9.1 to 127.77.9.250 in turn (outside
 * every listen range), until `COUNT` connections were made; each is left for meshrr to close.
 * Prints one JSON line at the end: {"connections":N,"closedByPeer":M,"errors":E,"ms":T}.
 *
 * Usage: node --import tsx test/security/flood.ts HOST PORT COUNT PARALLEL
 */
import { connect } from 'node:net';

const [host = '127.0.0.1', portText = '0', countText = '1000', parallelText = '50'] = process.argv.slice(2);
const COUNT = Number(countText);
const PARALLEL = Number(parallelText);
let started = 0;
let closedByPeer = 0;
let errors = 0;
let finished = 0;
const t0 = performance.now();

function one(): void {
  if (started >= COUNT) return;
  const i = started++;
  const s = connect({ host, port: Number(portText), localAddress: `127.77.9.${1 + (i % 250)}` });
  let gotEnd = false;
  s.on('end', () => {
    gotEnd = true;
  });
  s.on('error', () => {
    errors++;
  });
  s.on('close', () => {
    if (gotEnd) closedByPeer++;
    finished++;
    if (finished === COUNT) {
      process.stdout.write(`${JSON.stringify({ connections: COUNT, closedByPeer, errors, ms: Math.round(performance.now() - t0) })}\n`);
      process.exit(0);
    }
    one();
  });
}

for (let i = 0; i < PARALLEL; i++) one();
