/**
 * `--pretty` (or LOG_PRETTY=1): the pino JSON lines turned into one readable line each, for
 * an engineer at a terminal: `12:03:04.512 INFO  peer=198.51.100.1 group=clients fsmTransition
 * from=OpenConfirm to=Established`. Production keeps JSON (what log pipelines parse).
 *
 * Owns: the text layout. Must not: drop fields (everything in the JSON line is printed).
 */
import type { DestinationStream } from 'pino';

const LEVELS: Readonly<Record<number, string>> = { 10: 'TRACE', 20: 'DEBUG', 30: 'INFO ', 40: 'WARN ', 50: 'ERROR', 60: 'FATAL' };
/** Fields printed first, in this order, when present (the context of the line). */
const CONTEXT = ['component', 'node', 'peer', 'group', 'conn'];
const SKIP = new Set(['level', 'time', 'msg', 'pid', 'hostname', ...CONTEXT]);

function value(v: unknown): string {
  if (typeof v === 'string') return /[\s"=]/.test(v) || v === '' ? JSON.stringify(v) : v;
  return JSON.stringify(v) ?? String(v);
}

/** One JSON log line as text; a line that is not JSON is returned as it is. */
export function prettyLine(line: string): string {
  let o: Record<string, unknown>;
  try {
    const parsed: unknown = JSON.parse(line);
    if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) return line;
    o = parsed as Record<string, unknown>;
  } catch {
    return line;
  }
  const t = typeof o['time'] === 'number' ? new Date(o['time']).toISOString().slice(11, 23) : '--:--:--.---';
  const level = LEVELS[typeof o['level'] === 'number' ? o['level'] : 30] ?? String(o['level']);
  const parts = [t, level];
  for (const k of CONTEXT) if (o[k] !== undefined) parts.push(`${k}=${value(o[k])}`);
  parts.push(typeof o['msg'] === 'string' ? o['msg'] : '-');
  for (const [k, v] of Object.entries(o)) if (!SKIP.has(k)) parts.push(`${k}=${value(v)}`);
  return parts.join(' ');
}

/** Where pino writes: `out` itself, or a stream that rewrites each line with prettyLine. */
export function logDestination(pretty: boolean, out: NodeJS.WritableStream): DestinationStream {
  if (!pretty) return out as DestinationStream;
  return {
    write(chunk: string): void {
      for (const line of chunk.split('\n')) if (line !== '') out.write(`${prettyLine(line)}\n`);
    },
  };
}
