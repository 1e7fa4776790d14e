/**
 * `meshrr policy test`: what a group boundary does to one route, before the config ships.
 * Loads the router config (all its checks, policies compiled), builds the route from the
 * command line, and prints the evaluation step by step (src/policy/explain.ts): every term,
 * each condition's result, each action, the deciding term and the resulting attributes.
 *
 *   meshrr policy test --config rr.yml --group core --direction export \
 *     --prefix 203.0.113.0/24 --community 65000:102 --from-group region-a
 *
 * The boundary is a group and a direction (its importPolicy / exportPolicy, or the default
 * without one: iBGP accept, eBGP nothing per RFC 8212; on export NO_ADVERTISE / NO_EXPORT
 * are checked first), or `--policy NAME` for one policy alone. Exit code: 0 accepted,
 * 3 rejected, 1 a config error, 2 a usage error.
 *
 * Owns: argument parsing and the route. Must not: duplicate the evaluator.
 */
import { loadRouterConfig } from '../config/router-config.js';
import type { GroupConfig, RouterConfig } from '../config/router-config-types.js';
import { AttrSetTable } from '../rib/attr-set.js';
import { explain } from '../policy/explain.js';
import { parseExtended, parseLarge, parseStandard, WELL_KNOWN_NAMES } from '../policy/communities.js';
import { parseAddress, parsePrefix } from '../policy/prefix.js';
import { defaultVerdict } from '../policy/defaults.js';
import type { PolicyRoute, SourceRole } from '../policy/types.js';
import type { PathAttribute } from '../wire/attribute-types.js';
import { FLAG } from '../wire/iana.js';
import type { CliIo } from './main.js';

// Not imported from main.ts: a value import of the entry module deadlocks its top-level await.
const EXIT_OK = 0;
const EXIT_FAILURE = 1;
const EXIT_USAGE = 2;
const EXIT_REJECTED = 3;

const USAGE =
  'usage: meshrr policy test --config FILE (--group NAME --direction import|export | --policy NAME)\n' +
  '         --prefix PREFIX [--next-hop ADDR] [--as-path "65001 65002"] [--origin igp|egp|incomplete]\n' +
  '         [--local-pref N] [--med N] [--community C]... [--large-community L]... [--extended-community E]...\n' +
  '         [--from-group NAME] [--peer-as N] [--json]\n';

interface Args {
  config: string | null;
  group: string | null;
  direction: 'import' | 'export' | null;
  policy: string | null;
  prefix: string | null;
  nextHop: string | null;
  asPath: string;
  origin: string;
  localPref: number | null;
  med: number | null;
  communities: string[];
  large: string[];
  extended: string[];
  fromGroup: string | null;
  peerAs: number | null;
  json: boolean;
}

function parseArgs(argv: readonly string[]): Args | string {
  const a: Args = { config: null, group: null, direction: null, policy: null, prefix: null, nextHop: null, asPath: '', origin: 'igp', localPref: null, med: null, communities: [], large: [], extended: [], fromGroup: null, peerAs: null, json: false };
  const num = (flag: string, v: string | undefined): number | string => (v !== undefined && /^\d+$/.test(v) && Number(v) <= 0xffffffff ? Number(v) : `${flag} needs a number from 0 to 4294967295, got ${v ?? 'nothing'}`);
  for (let i = 0; i < argv.length; i++) {
    const flag = argv[i] as string;
    const v = argv[i + 1];
    const take = (): string | undefined => {
      i++;
      return v;
    };
    switch (flag) {
      case '--config': a.config = take() ?? null; break;
      case '--group': a.group = take() ?? null; break;
      case '--policy': a.policy = take() ?? null; break;
      case '--prefix': a.prefix = take() ?? null; break;
      case '--next-hop': a.nextHop = take() ?? null; break;
      case '--as-path': a.asPath = take() ?? ''; break;
      case '--origin': a.origin = take() ?? ''; break;
      case '--from-group': a.fromGroup = take() ?? null; break;
      case '--community': a.communities.push(take() ?? ''); break;
      case '--large-community': a.large.push(take() ?? ''); break;
      case '--extended-community': a.extended.push(take() ?? ''); break;
      case '--json': a.json = true; break;
      case '--direction': {
        const d = take();
        if (d !== 'import' && d !== 'export') return `--direction is import or export, got ${d ?? 'nothing'}`;
        a.direction = d;
        break;
      }
      case '--local-pref':
      case '--med':
      case '--peer-as': {
        const n = num(flag, take());
        if (typeof n === 'string') return n;
        if (flag === '--local-pref') a.localPref = n;
        else if (flag === '--med') a.med = n;
        else a.peerAs = n;
        break;
      }
      default:
        return `unknown argument ${flag}`;
    }
  }
  if (a.config === null) return '--config FILE is required';
  if (a.prefix === null) return '--prefix is required';
  if (a.policy === null && (a.group === null || a.direction === null)) return 'give --group and --direction, or --policy';
  return a;
}

/** The attributes the command line describes (what the route carries at the boundary). */
function attributesOf(a: Args): { attrs: PathAttribute[] } | { error: string } {
  const origin = ['igp', 'egp', 'incomplete'].indexOf(a.origin);
  if (origin < 0) return { error: `--origin is igp, egp or incomplete, got ${a.origin}` };
  const asns: number[] = [];
  for (const t of a.asPath.split(/\s+/).filter((x) => x !== '')) {
    if (!/^\d+$/.test(t) || Number(t) > 0xffffffff) return { error: `--as-path holds AS numbers separated by spaces, got '${t}'` };
    asns.push(Number(t));
  }
  const attrs: PathAttribute[] = [
    { kind: 'origin', code: 1, flags: FLAG.TRANSITIVE, value: origin },
    { kind: 'asPath', code: 2, flags: FLAG.TRANSITIVE, value: asns.length === 0 ? [] : [{ type: 2, asns }] },
  ];
  if (a.med !== null) attrs.push({ kind: 'med', code: 4, flags: FLAG.OPTIONAL, value: a.med });
  if (a.localPref !== null) attrs.push({ kind: 'localPref', code: 5, flags: FLAG.TRANSITIVE, value: a.localPref });
  const communities: number[] = [];
  for (const c of a.communities) {
    const v = WELL_KNOWN_NAMES[c.toLowerCase().replace(/_/g, '-')] ?? parseStandard(c);
    if (v === null || v === undefined) return { error: `--community ${c} is not a community like 65000:101 or no-export` };
    communities.push(v);
  }
  if (communities.length > 0) attrs.push({ kind: 'communities', code: 8, flags: FLAG.OPTIONAL | FLAG.TRANSITIVE, value: communities });
  const ext: string[] = [];
  for (const e of a.extended) {
    const v = parseExtended(e);
    if (v === null) return { error: `--extended-community ${e} is not an extended community like rt:65000:1` };
    ext.push(v);
  }
  if (ext.length > 0) attrs.push({ kind: 'extendedCommunities', code: 16, flags: FLAG.OPTIONAL | FLAG.TRANSITIVE, value: Buffer.from(ext.join(''), 'hex') });
  const large: number[] = [];
  for (const l of a.large) {
    const v = parseLarge(l);
    if (v === null) return { error: `--large-community ${l} is not a large community like 65000:1:2` };
    large.push(...v);
  }
  if (large.length > 0) attrs.push({ kind: 'largeCommunities', code: 32, flags: FLAG.OPTIONAL | FLAG.TRANSITIVE, value: large });
  return { attrs };
}

export async function policyTestCommand(argv: readonly string[], io: CliIo): Promise<number> {
  const a = parseArgs(argv);
  if (typeof a === 'string') {
    io.stderr.write(`meshrr policy test: ${a}\n${USAGE}`);
    return EXIT_USAGE;
  }
  let config: RouterConfig;
  try {
    config = await loadRouterConfig(a.config as string);
  } catch (err) {
    io.stderr.write(`meshrr policy test: ${err instanceof Error ? err.message : String(err)}\n`);
    return EXIT_FAILURE;
  }
  const fail = (msg: string): number => {
    io.stderr.write(`meshrr policy test: ${msg}\n`);
    return EXIT_USAGE;
  };
  const prefix = parsePrefix(a.prefix as string);
  if ('error' in prefix) return fail(`--prefix ${a.prefix} ${prefix.error}`);
  const built = attributesOf(a);
  if ('error' in built) return fail(built.error);
  const nh = a.nextHop === null ? null : parseAddress(a.nextHop);
  if (a.nextHop !== null && nh === null) return fail(`--next-hop ${a.nextHop} is not an IP address`);
  const nextHop = nh === null ? Buffer.alloc(prefix.afi === 1 ? 4 : 16) : Buffer.from(nh.octets);
  if (prefix.afi === 1 && nextHop.length === 4) built.attrs.push({ kind: 'nextHop', code: 3, flags: FLAG.TRANSITIVE, value: nextHop.readUInt32BE(0) });
  const groupOf = (name: string | null, flag: string): GroupConfig | string | null => {
    if (name === null) return null;
    const g = config.groups.find((x) => x.name === name);
    return g ?? `${flag} ${name}: no such group (groups: ${config.groups.map((x) => x.name).join(', ')})`;
  };
  const group = groupOf(a.group, '--group');
  if (typeof group === 'string') return fail(group);
  const from = groupOf(a.fromGroup, '--from-group');
  if (typeof from === 'string') return fail(from);
  // Import: the route comes from the group itself. Export: from --from-group (default: local).
  const src = a.direction === 'import' ? group : from;
  const role: SourceRole = src === null ? 'local' : src.role;
  const peerAs = a.peerAs ?? (src !== null && typeof src.peerAs === 'number' ? src.peerAs : config.asn);
  const set = new AttrSetTable().intern(built.attrs, nextHop);
  const route: PolicyRoute = {
    set,
    prefix: { afi: prefix.afi, bits: prefix.bits, octets: prefix.octets },
    source: { group: src?.name ?? '', role, peerAs },
    family: prefix.afi === 1 ? 'ipv4-unicast' : 'ipv6-unicast',
  };
  const lines: string[] = [];
  let policyName = a.policy;
  if (policyName === null && group !== null && a.direction !== null) {
    const named = a.direction === 'import' ? group.importPolicy : group.exportPolicy;
    const where = `group ${group.name} (${group.role}) ${a.direction}`;
    if (a.direction === 'export' && (set.noAdvertise || (group.role === 'ebgp' && (set.noExport || set.noExportSubconfed)))) {
      return report(io, a.json, false, [`${where}: not sent: ${set.noAdvertise ? 'NO_ADVERTISE' : 'NO_EXPORT'} is honoured before any policy (RFC 1997)`]);
    }
    if (named === null) {
      const verdict = defaultVerdict(group.role, a.direction, false);
      return report(io, a.json, verdict === 'accept', [`${where}: no policy; the default ${verdict === 'accept' ? 'accepts (iBGP)' : 'rejects (eBGP without a policy, RFC 8212)'}`]);
    }
    lines.push(`${where}: policy ${named}`);
    policyName = named;
  }
  const ex = explain(config.policySet, policyName as string, route);
  if (ex.outcome === null) return fail(ex.lines.join('\n'));
  return report(io, a.json, ex.outcome.accept, [...lines, ...ex.lines]);
}

function report(io: CliIo, json: boolean, accepted: boolean, lines: readonly string[]): number {
  io.stdout.write(json ? `${JSON.stringify({ accepted, lines })}\n` : `${lines.join('\n')}\n`);
  return accepted ? EXIT_OK : EXIT_REJECTED;
}
