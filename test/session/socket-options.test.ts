/**
 * The socket-options addon on loopback sockets: TCP-MD5 with an exact-address key and with a
 * prefix key (TCP_MD5SIG_EXT), a wrong key that never completes the handshake (the kernel's
 * TCPMD5Failure counter proves why), the SYN TTL read back on an accepted socket, key
 * redaction, key files, and a clear "unavailable" when the addon cannot be loaded.
 */
import { describe, it, after } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, type Server, type Socket } from 'node:net';
import { inspect } from 'node:util';
import { writeFileSync } from 'node:fs';
import {
  gtsmMinTtl,
  loadSockopt,
  Md5Key,
  readMd5Counters,
  readMd5KeyEnv,
  readMd5KeyFile,
  resetSockoptForTests,
  securedSocket,
  socketFd,
  type NativeSockopt,
} from '../../src/session/socket-options.js';
import { pollUntil } from '../helpers/poll.js';
import { makeTmpDir } from '../helpers/tmp.js';

function native(): NativeSockopt {
  const l = loadSockopt();
  if (!l.ok) throw new Error(l.reason);
  return l.native;
}

async function listen(onConn: (s: Socket) => void): Promise<{ server: Server; port: number; fd: number }> {
  const server = createServer(onConn);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const a = server.address();
  assert.ok(typeof a === 'object' && a !== null);
  const fd = socketFd(server);
  assert.ok(fd !== null);
  return { server, port: a.port, fd };
}

const LOOPBACK = Buffer.from([127, 0, 0, 1]);

/** Connects with `key`; resolves with the first data, or with null once `gaveUp` says so. */
function connectWith(port: number, key: string | null, gaveUp: () => boolean): Promise<string | null> {
  const s = securedSocket(native(), LOOPBACK, key === null ? {} : { md5Key: new Md5Key(Buffer.from(key), 'test') });
  return new Promise((resolve) => {
    const t = setInterval(() => {
      if (!gaveUp()) return;
      clearInterval(t);
      s.destroy();
      resolve(null);
    }, 50);
    s.on('error', () => undefined);
    s.on('data', (d: Buffer) => {
      clearInterval(t);
      s.destroy();
      resolve(d.toString());
    });
    s.connect({ host: '127.0.0.1', port });
  });
}

describe('socket-options addon', () => {
  const servers: Server[] = [];
  after(() => {
    for (const s of servers) s.close();
  });

  it('loads from build/Release', () => {
    const l = loadSockopt();
    assert.ok(l.ok, l.ok ? '' : l.reason);
  });

  it('an exact-address key: the right key connects (SYN signed before it is sent)', async () => {
    const l = await listen((s) => s.end('hello'));
    servers.push(l.server);
    native().setMd5(l.fd, LOOPBACK, -1, Buffer.from('s3cret'));
    assert.equal(await connectWith(l.port, 's3cret', () => false), 'hello');
  });

  it('a prefix key (TCP_MD5SIG_EXT, listen ranges) covers the address', async () => {
    const l = await listen((s) => s.end('range'));
    servers.push(l.server);
    native().setMd5(l.fd, Buffer.from([127, 0, 0, 0]), 8, Buffer.from('range-key'));
    assert.equal(await connectWith(l.port, 'range-key', () => false), 'range');
  });

  it('a wrong key never connects, and the kernel counts the bad signature', async () => {
    const l = await listen((s) => s.end('nope'));
    servers.push(l.server);
    native().setMd5(l.fd, LOOPBACK, -1, Buffer.from('right'));
    const before = readMd5Counters();
    assert.ok(before !== null, '/proc/net/netstat has the TCPMD5 counters');
    const got = await connectWith(l.port, 'wrong', () => (readMd5Counters()?.failure ?? 0) > before.failure);
    assert.equal(got, null);
    const noKeyBefore = readMd5Counters();
    assert.ok(noKeyBefore !== null);
    assert.equal(await connectWith(l.port, null, () => (readMd5Counters()?.notFound ?? 0) > noKeyBefore.notFound), null);
  });

  it('deleting a key lets an unsigned connection in again', async () => {
    const l = await listen((s) => s.end('open'));
    servers.push(l.server);
    native().setMd5(l.fd, LOOPBACK, -1, Buffer.from('k'));
    native().setMd5(l.fd, LOOPBACK, -1, null);
    native().setMd5(l.fd, LOOPBACK, -1, null); // deleting twice is fine
    assert.equal(await connectWith(l.port, null, () => false), 'open');
  });

  it('the SYN TTL of an accepted connection is read back; GTSM sockets send with TTL 255', async () => {
    const ttls: number[] = [];
    const l = await listen((s) => {
      const fd = socketFd(s);
      ttls.push(fd === null ? -2 : native().synTtl(fd));
      s.end('ttl');
    });
    servers.push(l.server);
    native().recordSynTtl(l.fd);
    // The SYN-ACK leaves with the listener's TTL: GTSM peers drop anything below 255.
    native().setTtl(l.fd, 255);
    const plain = securedSocket(native(), LOOPBACK, {});
    plain.on('error', () => undefined);
    plain.connect({ host: '127.0.0.1', port: l.port });
    await pollUntil(() => ttls.length === 1, { what: 'first accept' });
    plain.destroy();
    const gtsm = securedSocket(native(), LOOPBACK, { ttlSecurityHops: 1 });
    gtsm.on('error', () => undefined);
    gtsm.connect({ host: '127.0.0.1', port: l.port });
    await pollUntil(() => ttls.length === 2, { what: 'second accept' });
    gtsm.destroy();
    assert.equal(ttls[0], 64, 'the default TTL of Linux');
    assert.equal(ttls[1], 255);
    assert.equal(gtsmMinTtl(1), 255);
    assert.equal(gtsmMinTtl(3), 253);
  });

  it('bad arguments throw typed errors, a closed descriptor an errno code', () => {
    const n = native();
    assert.throws(() => n.setMinTtl(-1, 255), (e: unknown) => e instanceof Error && (e as { code?: unknown }).code === 'EBADF');
    assert.throws(() => n.setMd5(0, Buffer.alloc(3), -1, null), TypeError);
    assert.throws(() => n.setTtl(0, 0), TypeError);
  });

  it('keys are redacted everywhere they could be printed', () => {
    const k = new Md5Key(Buffer.from('hunter2'), 'file /x');
    const shown = [JSON.stringify({ k }), String(k), `${k}`, inspect({ k }, { depth: 5 })].join(' ');
    assert.ok(!shown.includes('hunter2'), shown);
    assert.equal(k.bytes().toString(), 'hunter2');
    assert.throws(() => new Md5Key(Buffer.alloc(81, 1), 'x'), /1 to 80 octets/);
  });

  it('key files lose one trailing newline; env keys are read as UTF-8', async () => {
    const dir = await makeTmpDir('md5');
    writeFileSync(`${dir.path}/k`, 'abc\n');
    writeFileSync(`${dir.path}/crlf`, 'abc\r\n');
    assert.equal(readMd5KeyFile(`${dir.path}/k`).bytes().toString(), 'abc');
    assert.equal(readMd5KeyFile(`${dir.path}/crlf`).bytes().toString(), 'abc');
    assert.throws(() => readMd5KeyFile(`${dir.path}/missing`), /cannot read TCP-MD5 key file .*missing: ENOENT/);
    assert.equal(readMd5KeyEnv('K', { K: 'xyz' }).bytes().toString(), 'xyz');
    assert.throws(() => readMd5KeyEnv('K', {}), /K is not set/);
    await dir.cleanup();
  });

  it('without the addon, loading reports why instead of throwing', () => {
    const old = process.env['MESHRR_SOCKOPT_ADDON'];
    process.env['MESHRR_SOCKOPT_ADDON'] = '/nonexistent/meshrr_sockopt.node';
    resetSockoptForTests();
    try {
      const l = loadSockopt();
      assert.equal(l.ok, false);
      if (!l.ok) assert.match(l.reason, /socket-options addon \(TCP-MD5, GTSM\) did not load.*nonexistent/);
    } finally {
      if (old === undefined) delete process.env['MESHRR_SOCKOPT_ADDON'];
      else process.env['MESHRR_SOCKOPT_ADDON'] = old;
      resetSockoptForTests();
    }
    assert.ok(loadSockopt().ok);
  });
});
