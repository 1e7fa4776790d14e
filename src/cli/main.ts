#!/usr/bin/env node
/**
 * The `meshrr` command (package.json bin): dispatches `meshrr <command> [<subcommand>] ...` to
 * the module implementing it. Command modules are imported lazily, so a command only pays for
 * what it uses at start-up. Later issues add commands by adding a node to COMMANDS
 * (`meshrr rr`, `meshrr show`, ...).
 *
 * Exit codes: 0 success, 1 the command failed (e.g. a torn MRT file), 2 usage error (unknown
 * command, bad arguments).
 *
 * Owns: argument dispatch, help text, exit codes. Must not: implement commands.
 */
import { realpathSync } from 'node:fs';
import process from 'node:process';
import { fileURLToPath } from 'node:url';

/** What a command gets: its own arguments and the output streams. */
export interface CliIo {
  readonly stdout: NodeJS.WritableStream;
  readonly stderr: NodeJS.WritableStream;
}

/** A command (leaf) or a group of subcommands. */
export interface CommandNode {
  readonly summary: string;
  /** Usage line after "meshrr <path>", e.g. "FILE". */
  readonly usage?: string;
  /** Extra help text for `--help`. */
  readonly help?: string;
  readonly run?: (args: readonly string[], io: CliIo) => Promise<number>;
  readonly sub?: Readonly<Record<string, CommandNode>>;
}

export const EXIT_OK = 0;
export const EXIT_FAILURE = 1;
export const EXIT_USAGE = 2;

export const COMMANDS: Readonly<Record<string, CommandNode>> = {
  pod: {
    summary: 'run as a meshrr pod: meshrr.conf.yml + environment, template, DNS discovery',
    usage: '[--conf FILE] [--template FILE]',
    help: 'The container entry point (docs/pod.md): renders the router config, starts the route\nreflector and keeps its mesh and upstream peers in step with DNS every UPDATE_SECONDS.',
    run: async (args, io) => (await import('./pod.js')).podCommand(args, io),
  },
  rr: {
    summary: 'run the route reflector from a router config file (no discovery, no Kubernetes)',
    usage: '--config FILE [--log-level LEVEL]',
    help:
      'Starts the in-process BGP route reflector described by FILE (docs/router-config.md).\n' +
      'Logs are pino JSON on stdout. SIGTERM/SIGINT send Cease / Administrative Shutdown with a\n' +
      'shutdown message to every peer (RFC 9003), then exit 0.',
    run: async (args, io) => (await import('./rr.js')).rrCommand(args, io),
  },
  demo: {
    summary: 'run a demo mesh of route reflectors and routers on loopback addresses (no root)',
    usage: '[--once] [--json] [--port N] [--timeout SECONDS] [--log-level LEVEL] [--print-config NAME]',
    help:
      "Runs Juniper meshrr's 2regions-hrr example in this process: 2 core and 4 regional route\n" +
      'reflectors, 4 routers announcing prefixes, on 127.0.x.y port 1790. Prints the mesh, every\n' +
      "router's routes and what happened, then a line whenever something changes; Ctrl-C closes\n" +
      'every session with Cease/Administrative Shutdown. --once prints and exits; --json prints\n' +
      'JSON lines; --print-config NAME prints one reflector\'s router config.',
    run: async (args, io) => (await import('../demo/command.js')).demoCommand(args, io),
  },
  render: {
    summary: 'print the router config the meshrr pod renders from meshrr.conf.yml and its template',
    usage: '[--conf FILE] [--template FILE] [--templates-dir DIR]',
    help:
      'Reads the pod environment (POD_IP, MESHRR_MODE, AUTONOMOUS_SYSTEM, ...), meshrr.conf.yml\n' +
      '(MESHRR_CONF, default /opt/meshrr/conf/meshrr.conf.yml; built-in defaults when absent) and\n' +
      'the template (MESHRR_TEMPLATE, default /opt/meshrr/conf/meshrr.conf.njk, else the mode\'s\n' +
      'default), then prints the rendered router config once it parses. Exits 1 with every\n' +
      'problem otherwise. docs/pod.md lists the variables.',
    run: async (args, io) => (await import('../pod/commands.js')).renderCommand(args, io),
  },
  allow: {
    summary: "print a subtractive group's allow list: prefixes minus peer addresses",
    usage: '--prefixes PREFIX... [--exclude ADDRESS...]',
    help:
      'Prints the minimal list of CIDR blocks covering the prefixes minus the excluded addresses\n' +
      '(or prefixes), one per line, IPv4 first. Lists may also be comma-separated.',
    run: async (args, io) => (await import('../pod/commands.js')).allowCommand(args, io),
  },
  policy: {
    summary: 'check routing policies before shipping them',
    sub: {
      test: {
        summary: 'show what a group boundary (or one policy) does to one route, term by term',
        usage: '--config FILE (--group NAME --direction import|export | --policy NAME) --prefix PREFIX [attributes...]',
        help:
          'Attributes: --next-hop ADDR --as-path "65001 65002" --origin igp|egp|incomplete --local-pref N\n' +
          '--med N --community C (repeat) --large-community L --extended-community E; where the route\n' +
          'comes from: --from-group NAME (export) and --peer-as N. Prints each term, each condition\n' +
          'and action, the deciding term and the resulting attributes (--json for scripts). Exit 0\n' +
          'when accepted, 3 when rejected. docs/policy.md has the grammar.',
        run: async (args, io) => (await import('./policy-test.js')).policyTestCommand(args, io),
      },
    },
  },
  show: {
    summary: 'show the running meshrr: sessions, neighbours, routes (status API client)',
    sub: {
      summary: {
        summary: 'BGP summary per family, laid out like FRR `show bgp summary`',
        usage: '[--json] [--status-address HOST:PORT]',
        help: 'Talks to the status API of the meshrr on this host (STATUS_ADDRESS, default\n127.0.0.1:8080); works in the container through `kubectl exec`. docs/operations.md.',
        run: async (args, io) => (await import('./show.js')).showCommand('summary', args, io),
      },
      neighbors: {
        summary: 'every neighbour (or one) in detail, like FRR `show bgp neighbors`',
        usage: '[ADDR] [--json] [--status-address HOST:PORT]',
        run: async (args, io) => (await import('./show.js')).showCommand('neighbors', args, io),
      },
      routes: {
        summary: 'routes, like FRR `show bgp ipv4 unicast [PREFIX]`',
        usage: '[PREFIX|ADDRESS] [--community C] [--peer P] [--advertised|--received] [--family F] [--json] [--status-address HOST:PORT]',
        help:
          'PREFIX matches exactly, an ADDRESS by longest match; one prefix prints every path with\n' +
          'its attributes and the rule that decided the best. --received: the paths from --peer;\n' +
          '--advertised: what --peer is sent, with the attributes as sent.',
        run: async (args, io) => (await import('./show.js')).showCommand('routes', args, io),
      },
      discovery: {
        summary: 'DNS discovery: lookups, answers, the peers and listen ranges applied (meshrr pod)',
        usage: '[--json] [--status-address HOST:PORT]',
        run: async (args, io) => (await import('./show.js')).showCommand('discovery', args, io),
      },
      config: {
        summary: 'the router config running, its source and template, and when it was applied',
        usage: '[--json] [--status-address HOST:PORT]',
        run: async (args, io) => (await import('./show.js')).showCommand('config', args, io),
      },
    },
  },
  dump: {
    summary: 'dump state of the running meshrr to files',
    sub: {
      rib: {
        summary: 'write the RIB as a TABLE_DUMP_V2 MRT file (bgpdump reads it)',
        usage: '--mrt FILE [--status-address HOST:PORT]',
        run: async (args, io) => (await import('./dump-rib.js')).dumpRibCommand(args, io),
      },
    },
  },
  mrt: {
    summary: 'read MRT routing dumps (RFC 6396)',
    sub: {
      dump: {
        summary: 'print an MRT file (plain, .gz or .bz2) as `bgpdump -m` lines',
        usage: 'FILE',
        help:
          'Prints one line per prefix in the format of `bgpdump -m`, streaming (memory stays\n' +
          'flat). A truncated file prints every whole record, then an error naming the byte\n' +
          'offset of the torn record, and exits 1.',
        run: async (args, io) => (await import('./mrt-dump.js')).mrtDumpCommand(args, io),
      },
    },
  },
};

function helpText(path: readonly string[], node: { sub?: Readonly<Record<string, CommandNode>> } & Partial<CommandNode>): string {
  const name = ['meshrr', ...path].join(' ');
  let s = '';
  if (node.run !== undefined) {
    s += `usage: ${name}${node.usage === undefined ? '' : ` ${node.usage}`}\n\n${node.summary ?? ''}\n`;
    if (node.help !== undefined) s += `\n${node.help}\n`;
    return s;
  }
  s += `usage: ${name} <command> [args...]\n\ncommands:\n`;
  const entries = Object.entries(node.sub ?? {});
  const width = Math.max(...entries.map(([k]) => k.length));
  for (const [k, v] of entries) s += `  ${k.padEnd(width)}  ${v.summary}\n`;
  s += `\nRun '${name} <command> --help' for details.\n`;
  return s;
}

const isHelp = (a: string | undefined): boolean => a === '--help' || a === '-h' || a === 'help';

/** Runs the CLI with `args` (without "node" and the script path); resolves to the exit code. */
export async function runCli(args: readonly string[], io: CliIo): Promise<number> {
  let node: { sub?: Readonly<Record<string, CommandNode>> } & Partial<CommandNode> = { sub: COMMANDS };
  const path: string[] = [];
  let i = 0;
  while (node.run === undefined) {
    const word = args[i];
    if (word === undefined || isHelp(word)) {
      (word === undefined ? io.stderr : io.stdout).write(helpText(path, node));
      return word === undefined ? EXIT_USAGE : EXIT_OK;
    }
    const next: CommandNode | undefined = node.sub?.[word];
    if (next === undefined) {
      io.stderr.write(`meshrr: unknown command '${[...path, word].join(' ')}'\n\n${helpText(path, node)}`);
      return EXIT_USAGE;
    }
    path.push(word);
    node = next;
    i++;
  }
  const rest = args.slice(i);
  if (rest.some(isHelp)) {
    io.stdout.write(helpText(path, node));
    return EXIT_OK;
  }
  return node.run(rest, io);
}

/** True when this module is the program (run directly or through the npm bin symlink). */
function isMain(): boolean {
  const script = process.argv[1];
  if (script === undefined) return false;
  try {
    return realpathSync(script) === realpathSync(fileURLToPath(import.meta.url));
  } catch {
    return false;
  }
}

if (isMain()) {
  process.exitCode = await runCli(process.argv.slice(2), { stdout: process.stdout, stderr: process.stderr });
}
