/**
 * A minimal BGP speaker that injects a prepared stream of UPDATEs (helpers-replay.ts), built
 * on src/wire: OPEN (IPv4 unicast, 4-octet AS, route refresh, graceful restart if asked),
 * KEEPALIVEs, then the file's bytes written as fast as the socket drains, then End-of-RIB
 * (RFC 4724 §2) unless told not to. It must run
 * inside the test's namespace, so the test spawns this file there (`startInjector`): run as a
 * program, it reports on stdout, one JSON line per event (`established`, `sent`, `eor`,
 * `notification`, `closed`), with Date.now() times the test compares with its own clock.
 *
 * Must not: answer anything but KEEPALIVEs (UPDATEs meshrr sends are read and dropped).
 */
import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { readFileSync, realpathSync } from 'node:fs';
import { connect } from 'node:net';
import type { Socket } from 'node:net';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import type { Netns } from '../helpers/netns.js';
import { pollUntil, PollAbort } from '../helpers/poll.js';
import { DEFAULT_CTX } from '../../src/wire/context.js';
import { encodeKeepalive } from '../../src/wire/keepalive.js';
import { decodeMessage } from '../../src/wire/message.js';
import { encodeNotification } from '../../src/wire/notification.js';
import { encodeOpen } from '../../src/wire/open.js';
import { encodeUpdate, makeUpdate } from '../../src/wire/update.js';
import { REPO_ROOT } from './helpers-meshrr.js';

export interface InjectorArgs {
  local: string;
  remote: string;
  port: number;
  asn: number;
  /** UPDATEs to send, concatenated; none when absent. */
  file?: string;
  /** Send End-of-RIB after the file (default true). */
  eor?: boolean;
  /** Advertise graceful restart (RFC 4724) for IPv4 unicast with this F bit (default: no capability). */
  gracefulRestart?: { forwardingPreserved: boolean };
}

export interface InjectorEvent {
  readonly event: 'established' | 'sent' | 'eor' | 'notification' | 'closed' | 'error';
  readonly t: number;
  readonly [key: string]: unknown;
}

export interface Injector {
  readonly events: InjectorEvent[];
  /** Poll until an event of this kind was reported; fails at once if the injector exits. */
  waitFor(event: InjectorEvent['event'], timeoutMs: number): Promise<InjectorEvent>;
  stop(): Promise<void>;
}

/** Spawn this file as a program inside `ns`. */
export function startInjector(ns: Netns, args: InjectorArgs): Injector {
  const script = fileURLToPath(import.meta.url);
  const argv = ns.command('node', ['--import', 'tsx', script, JSON.stringify(args)]);
  const child: ChildProcess = spawn(argv.file, argv.args, { cwd: REPO_ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
  const events: InjectorEvent[] = [];
  let stderr = '';
  let exited: string | undefined;
  child.stderr?.on('data', (b: Buffer) => {
    stderr += b.toString('utf8');
  });
  child.on('exit', (code, signal) => {
    exited = signal ?? String(code);
  });
  if (child.stdout !== null) {
    createInterface({ input: child.stdout }).on('line', (line) => {
      try {
        events.push(JSON.parse(line) as InjectorEvent);
      } catch {
        stderr += `${line}\n`;
      }
    });
  }
  return {
    events,
    async waitFor(event, timeoutMs) {
      return pollUntil(
        () => {
          const e = events.find((x) => x.event === event);
          if (e === undefined && exited !== undefined) throw new PollAbort(`injector exited (${exited}): ${JSON.stringify(events)} ${stderr}`);
          return e;
        },
        { what: `injector ${event}`, timeoutMs, intervalMs: 50 },
      );
    },
    async stop() {
      if (exited !== undefined) return;
      const done = once(child, 'exit');
      child.kill('SIGTERM');
      const t = setTimeout(() => child.kill('SIGKILL'), 5_000);
      await done;
      clearTimeout(t);
    },
  };
}

// ===== the program =====

function report(event: InjectorEvent['event'], extra: Record<string, unknown> = {}): void {
  process.stdout.write(`${JSON.stringify({ event, t: Date.now(), ...extra })}\n`);
}

function run(a: InjectorArgs): void {
  const stream = a.file === undefined ? Buffer.alloc(0) : readFileSync(a.file);
  const gr = a.gracefulRestart;
  const open = encodeOpen({
    version: 4,
    myAs: a.asn > 0xffff ? 23456 : a.asn,
    holdTime: 90,
    bgpId: a.local.split('.').reduce((x, y) => x * 256 + Number(y), 0),
    extendedParams: false,
    params: [
      {
        type: 'capabilities',
        capabilities: [
          { kind: 'multiprotocol', afi: 1, safi: 1 },
          { kind: 'routeRefresh' },
          { kind: 'fourOctetAs', asn: a.asn },
          ...(gr === undefined
            ? []
            : [{ kind: 'gracefulRestart' as const, restarting: true, notification: false, restartTime: 120, families: [{ afi: 1, safi: 1, forwardingPreserved: gr.forwardingPreserved }] }]),
        ],
      },
    ],
  });
  const socket: Socket = connect({ host: a.remote, port: a.port, localAddress: a.local });
  let buf: Buffer = Buffer.alloc(0);
  let established = false;
  let keepalives: NodeJS.Timeout | undefined;
  socket.on('connect', () => socket.write(open));
  socket.on('data', (chunk: Buffer) => {
    buf = buf.length === 0 ? chunk : Buffer.concat([buf, chunk]);
    while (buf.length >= 19) {
      const len = buf.readUInt16BE(16);
      if (buf.length < len) break;
      const msg = buf.subarray(0, len);
      buf = buf.subarray(len);
      const type = msg[18];
      if (type === 1) {
        socket.write(encodeKeepalive());
      } else if (type === 3) {
        const d = decodeMessage(Buffer.from(msg), DEFAULT_CTX);
        report('notification', d.ok && d.message.type === 'notification' ? { code: d.message.notification.code, subcode: d.message.notification.subcode } : {});
      } else if (type === 4 && !established) {
        established = true;
        keepalives = setInterval(() => socket.write(encodeKeepalive()), 30_000);
        report('established');
        void inject(socket, stream, a.eor !== false).catch((e: unknown) => report('error', { message: String(e) }));
      }
    }
  });
  socket.on('error', (e) => report('error', { message: e.message }));
  socket.on('close', () => {
    if (keepalives !== undefined) clearInterval(keepalives);
    report('closed');
    process.exit(0);
  });
  process.once('SIGTERM', () => {
    // Cease / Administrative Shutdown (RFC 4486), then close.
    socket.end(encodeNotification({ code: 6, subcode: 2, data: Buffer.alloc(0) }));
  });
}

/** Write the stream in 64 KiB slices, waiting for 'drain' when the socket asks to. */
async function inject(socket: Socket, stream: Buffer, eor: boolean): Promise<void> {
  const start = Date.now();
  for (let p = 0; p < stream.length; p += 65536) {
    if (!socket.write(stream.subarray(p, Math.min(p + 65536, stream.length)))) await once(socket, 'drain');
  }
  report('sent', { bytes: stream.length, ms: Date.now() - start });
  if (!eor) return;
  socket.write(encodeUpdate(makeUpdate({}), DEFAULT_CTX));
  report('eor');
}

function isMain(): boolean {
  const script = process.argv[1];
  return script !== undefined && realpathSync(script) === realpathSync(fileURLToPath(import.meta.url));
}

if (isMain()) run(JSON.parse(process.argv[2] ?? '{}') as InjectorArgs);
