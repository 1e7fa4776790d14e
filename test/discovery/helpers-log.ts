/** A pino logger that keeps every line as an object, for asserting what was logged. */
import { pino } from 'pino';
import type { Logger } from 'pino';

export interface LogLine {
  readonly level: number;
  readonly msg: string;
  readonly [key: string]: unknown;
}

export function memoryLogger(level = 'debug'): { log: Logger; lines: LogLine[]; named: (msg: string) => LogLine[] } {
  const lines: LogLine[] = [];
  const log = pino({ level, base: null, timestamp: false }, { write: (s: string) => void lines.push(JSON.parse(s) as LogLine) });
  return { log, lines, named: (msg) => lines.filter((l) => l.msg === msg) };
}

export const WARN = 40;
export const INFO = 30;
export const DEBUG = 20;
