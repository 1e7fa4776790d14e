/**
 * The pod's CLI commands (registered in src/cli/main.ts):
 * - `meshrr render [--conf FILE] [--template FILE] [--templates-dir DIR]`: prints the router
 *   config the pod would run from in this environment (what Juniper meshrr's
 *   render_config.py did), after checking it; exit 1 with the problems otherwise.
 * - `meshrr allow --prefixes P... --exclude A...`: prints a subtractive group's allow list,
 *   the prefixes minus the addresses, as a minimal CIDR list, one per line.
 *
 * Owns: argument parsing and output. Must not: hold the logic it prints.
 */
import { subtractAddresses } from '../discovery/allow-range.js';
import { isMeshrrError } from '../errors.js';
import { loadPodSetup } from './setup.js';
import type { SetupFlags } from './setup.js';

/** The streams a command writes to (the CLI's `CliIo`). */
export interface CommandIo {
  readonly stdout: NodeJS.WritableStream;
  readonly stderr: NodeJS.WritableStream;
}

const RENDER_USAGE = 'usage: meshrr render [--conf FILE] [--template FILE] [--templates-dir DIR]\n';
const ALLOW_USAGE = 'usage: meshrr allow --prefixes PREFIX... [--exclude ADDRESS...]\n';

export async function renderCommand(args: readonly string[], io: CommandIo, vars: Readonly<Record<string, string | undefined>> = process.env): Promise<number> {
  const flags: { -readonly [K in keyof SetupFlags]: SetupFlags[K] } = {};
  for (let i = 0; i < args.length; i++) {
    const a = args[i];
    const v = args[i + 1];
    const key = a === '--conf' ? 'conf' : a === '--template' ? 'template' : a === '--templates-dir' ? 'templatesDir' : null;
    if (key === null || v === undefined || v.startsWith('--')) {
      io.stderr.write(`meshrr render: ${key === null ? `unknown argument ${a}` : `${a} needs a value`}\n${RENDER_USAGE}`);
      return 2;
    }
    flags[key] = v;
    i++;
  }
  try {
    const setup = await loadPodSetup(vars, flags);
    for (const n of setup.notices) io.stderr.write(`meshrr render: ${n}\n`);
    io.stdout.write(setup.rendered.text.endsWith('\n') ? setup.rendered.text : `${setup.rendered.text}\n`);
    return 0;
  } catch (e) {
    if (!isMeshrrError(e)) throw e;
    io.stderr.write(`meshrr render: ${e.message}\n`);
    return 1;
  }
}

export function allowCommand(args: readonly string[], io: CommandIo): Promise<number> {
  const lists: Record<'--prefixes' | '--exclude', string[]> = { '--prefixes': [], '--exclude': [] };
  let current: string[] | null = null;
  for (const a of args) {
    if (a === '--prefixes' || a === '--exclude') current = lists[a];
    else if (a.startsWith('-') && !a.includes(':') && !/^-?\d/.test(a)) {
      io.stderr.write(`meshrr allow: unknown argument ${a}\n${ALLOW_USAGE}`);
      return Promise.resolve(2);
    } else if (current === null) {
      io.stderr.write(`meshrr allow: ${a}: say whether it is a prefix or an exclusion\n${ALLOW_USAGE}`);
      return Promise.resolve(2);
    } else current.push(...a.split(',').filter((s) => s !== ''));
  }
  if (lists['--prefixes'].length === 0) {
    io.stderr.write(ALLOW_USAGE);
    return Promise.resolve(2);
  }
  try {
    for (const p of subtractAddresses(lists['--prefixes'], lists['--exclude'])) io.stdout.write(`${p}\n`);
    return Promise.resolve(0);
  } catch (e) {
    if (!isMeshrrError(e)) throw e;
    io.stderr.write(`meshrr allow: ${e.message}\n`);
    return Promise.resolve(1);
  }
}
