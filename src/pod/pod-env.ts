/**
 * The pod's environment variables: Juniper meshrr's (POD_IP, UPDATE_SECONDS, MESHRR_MODE,
 * AUTONOMOUS_SYSTEM, LICENSE_KEY, ENCRYPTED_ROOT_PW) and ours (paths, DNS, log level). Every
 * variable is documented in docs/pod.md; every problem is reported at once as an `EnvError`
 * (`MESHRR_ENV_INVALID`), one line per variable: `POD_IP: required ...`.
 *
 * Owns: reading and validating variables, their defaults. Must not: read files.
 */
import { MeshrrError } from '../errors.js';
import { normaliseAddress } from '../discovery/dns-resolver.js';
import { parseServerList } from '../discovery/resolv-conf.js';
import { DEFAULT_CONF_PATH, MODE_WHAT, parseAsnStrict, parseMode } from './meshrr-conf.js';
import type { ConfOverrides } from './meshrr-conf-types.js';

export const DEFAULT_TEMPLATE_PATH = '/opt/meshrr/conf/meshrr.conf.njk';
export const DEFAULT_UPDATE_SECONDS = 60;
export const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];

/** One problem with one variable. */
export interface EnvProblem {
  readonly variable: string;
  readonly message: string;
}

/** The environment is not usable; `problems` has one entry per bad variable. */
export class EnvError extends MeshrrError {
  override readonly name = 'EnvError';
  declare readonly code: 'MESHRR_ENV_INVALID';
  readonly problems: readonly EnvProblem[];

  constructor(problems: readonly EnvProblem[]) {
    super('MESHRR_ENV_INVALID', problems.map((p) => `${p.variable}: ${p.message}`).join('\n'));
    this.problems = problems;
  }
}

export interface PodEnv {
  /** Canonical text of POD_IP. */
  readonly podIp: string;
  /** BGP identifier: MESHRR_ROUTER_ID, else POD_IP (which must then be IPv4). */
  readonly routerId: string;
  readonly updateSeconds: number;
  /** Replacement grace for limited (max_peers) groups, seconds; default 2 × UPDATE_SECONDS. */
  readonly graceSeconds: number;
  readonly overrides: ConfOverrides;
  readonly logLevel: LogLevel;
  readonly confPath: string;
  readonly templatePath: string;
  /** Directory of the default templates; null: the package's templates/. */
  readonly templatesDir: string | null;
  readonly resolvConfPath: string;
  /** MESHRR_DNS_SERVERS; null: resolv.conf's nameservers. */
  readonly dnsServers: readonly string[] | null;
  /** Per-try DNS timeout in ms; null: resolv.conf's `timeout`. */
  readonly dnsTimeoutMs: number | null;
  /** One-line notices for the log (LICENSE_KEY, ENCRYPTED_ROOT_PW set but unused). */
  readonly notices: readonly string[];
  /** The whole environment, for templates (`env.NAME`). */
  readonly vars: Readonly<Record<string, string>>;
}

type Env = Readonly<Record<string, string | undefined>>;

const isIpv4 = (a: string): boolean => /^\d+\.\d+\.\d+\.\d+$/.test(a);

function intVar(env: Env, name: string, def: number, min: number, max: number, problems: EnvProblem[]): number {
  const raw = env[name];
  if (raw === undefined || raw.trim() === '') return def;
  if (!/^\d+$/.test(raw.trim()) || Number(raw) < min || Number(raw) > max) {
    problems.push({ variable: name, message: `'${raw}' is not a whole number from ${min} to ${max}` });
    return def;
  }
  return Number(raw);
}

/**
 * Reads the pod's variables from `env` (default: process.env); `flags` (command-line options)
 * win over the variables they stand for.
 * @throws EnvError listing every problem.
 */
export function readPodEnv(env: Env = process.env, flags: { conf?: string; template?: string; templatesDir?: string } = {}): PodEnv {
  const problems: EnvProblem[] = [];
  const notices: string[] = [];

  const rawIp = env.POD_IP;
  let podIp = '';
  if (rawIp === undefined || rawIp.trim() === '') problems.push({ variable: 'POD_IP', message: 'required: the pod\'s address (valueFrom: fieldRef: fieldPath: status.podIP)' });
  else {
    const a = normaliseAddress(rawIp.trim());
    if (a === null || !(isIpv4(rawIp.trim()) || rawIp.includes(':'))) problems.push({ variable: 'POD_IP', message: `'${rawIp}' is not an IPv4 or IPv6 address` });
    else podIp = a;
  }

  let routerId = podIp;
  const rawId = env.MESHRR_ROUTER_ID;
  if (rawId !== undefined && rawId.trim() !== '') {
    const a = normaliseAddress(rawId.trim());
    if (a === null || !isIpv4(rawId.trim()) || a === '0.0.0.0') problems.push({ variable: 'MESHRR_ROUTER_ID', message: `'${rawId}' is not a non-zero IPv4 address (the BGP identifier is a dotted quad)` });
    else routerId = a;
  } else if (podIp !== '' && !isIpv4(podIp)) {
    problems.push({ variable: 'MESHRR_ROUTER_ID', message: `required when POD_IP is IPv6 (${podIp}): the BGP identifier and cluster ID are dotted quads` });
  }

  const updateSeconds = intVar(env, 'UPDATE_SECONDS', DEFAULT_UPDATE_SECONDS, 1, 86400, problems);
  const graceSeconds = intVar(env, 'MESHRR_GRACE_SECONDS', 2 * updateSeconds, 1, 7 * 86400, problems);

  let asn: ConfOverrides['asn'];
  const rawAs = env.AUTONOMOUS_SYSTEM;
  if (rawAs !== undefined && rawAs.trim() !== '') {
    const r = parseAsnStrict(rawAs);
    if ('error' in r) problems.push({ variable: 'AUTONOMOUS_SYSTEM', message: r.error });
    else asn = { value: r.value, text: rawAs.trim() };
  }
  let mode: ConfOverrides['mode'];
  const rawMode = env.MESHRR_MODE;
  if (rawMode !== undefined && rawMode.trim() !== '') {
    const m = parseMode(rawMode);
    if (m === null) problems.push({ variable: 'MESHRR_MODE', message: `'${rawMode}' is not a mode; expected ${MODE_WHAT}` });
    else mode = m;
  }

  let logLevel: LogLevel = 'info';
  const rawLevel = env.LOG_LEVEL;
  if (rawLevel !== undefined && rawLevel.trim() !== '') {
    const l = rawLevel.trim().toLowerCase();
    if ((LOG_LEVELS as readonly string[]).includes(l)) logLevel = l as LogLevel;
    else problems.push({ variable: 'LOG_LEVEL', message: `'${rawLevel}' is not a log level; expected one of ${LOG_LEVELS.join(', ')}` });
  }

  let dnsServers: string[] | null = null;
  const rawServers = env.MESHRR_DNS_SERVERS;
  if (rawServers !== undefined && rawServers.trim() !== '') {
    try {
      dnsServers = parseServerList(rawServers);
    } catch (e) {
      problems.push({ variable: 'MESHRR_DNS_SERVERS', message: e instanceof Error ? e.message : String(e) });
    }
  }
  const timeout = intVar(env, 'MESHRR_DNS_TIMEOUT_MS', 0, 1, 60000, problems);

  if (env.LICENSE_KEY !== undefined && env.LICENSE_KEY !== '') notices.push('LICENSE_KEY is set but not needed: meshrr is not cRPD and needs no license');
  if (env.ENCRYPTED_ROOT_PW !== undefined && env.ENCRYPTED_ROOT_PW !== '') notices.push('ENCRYPTED_ROOT_PW is ignored: meshrr has no root login');

  if (problems.length > 0) throw new EnvError(problems);
  const nonEmpty = (v: string | undefined): string | undefined => (v === undefined || v.trim() === '' ? undefined : v);
  const vars: Record<string, string> = {};
  for (const [k, v] of Object.entries(env)) if (v !== undefined) vars[k] = v;
  return {
    podIp,
    routerId,
    updateSeconds,
    graceSeconds,
    overrides: { ...(asn !== undefined ? { asn } : {}), ...(mode !== undefined ? { mode } : {}) },
    logLevel,
    confPath: flags.conf ?? nonEmpty(env.MESHRR_CONF) ?? DEFAULT_CONF_PATH,
    templatePath: flags.template ?? nonEmpty(env.MESHRR_TEMPLATE) ?? DEFAULT_TEMPLATE_PATH,
    templatesDir: flags.templatesDir ?? nonEmpty(env.MESHRR_TEMPLATES_DIR) ?? null,
    resolvConfPath: nonEmpty(env.MESHRR_RESOLV_CONF) ?? '/etc/resolv.conf',
    dnsServers,
    dnsTimeoutMs: timeout === 0 ? null : timeout,
    notices,
    vars,
  };
}
