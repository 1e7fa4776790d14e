/**
 * Renders the router config (docs/router-config.md) from a Nunjucks template, as Juniper's
 * meshrr rendered cRPD's juniper.conf from Jinja2: the user's template when the file at
 * MESHRR_TEMPLATE (default /opt/meshrr/conf/meshrr.conf.njk, a ConfigMap mount) exists, else
 * the default template of the mode in the package's templates/ (`routereflector.njk`,
 * `routeserver.njk`). A user template may `{% extends %}` or `{% include %}` those.
 *
 * Nunjucks runs with `throwOnUndefined` (outputting an undefined value is an error, not an
 * empty string; `is defined` tests still work) and without HTML autoescaping. The output is
 * parsed back with `parseRouterConfig` and must declare every group of meshrr.conf.yml, since
 * the pod adds discovered peers and allow ranges to those groups at run time.
 *
 * Template variables (docs/pod.md lists them): POD_IP, ROUTER_ID, CLUSTER_ID, asn, asn_text,
 * mode, bgpgroups (list), bgpgroups_mesh and bgpgroups_subtractive (name -> group, extra keys
 * included), conf (unknown top-level keys), env (the environment), UPDATE_SECONDS; filters
 * template_name; filters tojson, asdot, asplain, merge, also callable as functions.
 *
 * Owns: template choice, context, error wording. Must not: start anything.
 */
import { existsSync, readFileSync } from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import nunjucks from 'nunjucks';
import { MeshrrError } from '../errors.js';
import { ConfigError, formatProblem, parseRouterConfig } from '../config/router-config.js';
import type { ConfigProblem, RouterConfig } from '../config/router-config.js';
import type { MeshrrConf } from './meshrr-conf-types.js';
import type { PodEnv } from './pod-env.js';

/** The package's templates/ (src/pod/../../templates, also right for dist/pod/). */
export const PACKAGE_TEMPLATES_DIR = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..', 'templates');

/** Where a template problem is: the template file, 1-based line and column when known. */
export interface TemplateLocation {
  readonly file: string;
  readonly line: number | null;
  readonly column: number | null;
}

/** A template could not be read (`MESHRR_TEMPLATE_READ`) or rendered (`MESHRR_TEMPLATE_RENDER`). */
export class TemplateError extends MeshrrError {
  override readonly name = 'TemplateError';
  declare readonly code: 'MESHRR_TEMPLATE_READ' | 'MESHRR_TEMPLATE_RENDER';
  readonly location: TemplateLocation;

  constructor(code: 'MESHRR_TEMPLATE_READ' | 'MESHRR_TEMPLATE_RENDER', location: TemplateLocation, message: string, cause?: unknown) {
    super(code, message, { cause });
    this.location = location;
  }
}

/** The template rendered, but not into a router config the pod can use. */
export class TemplateOutputError extends MeshrrError {
  override readonly name = 'TemplateOutputError';
  declare readonly code: 'MESHRR_TEMPLATE_OUTPUT';
  readonly template: string;
  readonly problems: readonly ConfigProblem[];
  /** The rendered text, for `meshrr render` and the log. */
  readonly output: string;

  constructor(template: string, problems: readonly ConfigProblem[], output: string, cause?: unknown) {
    super('MESHRR_TEMPLATE_OUTPUT', `${template} rendered an invalid router config:\n${problems.map(formatProblem).join('\n')}`, { cause });
    this.template = template;
    this.problems = problems;
    this.output = output;
  }
}

export interface Rendered {
  /** The template used (a path). */
  readonly template: string;
  readonly text: string;
  readonly config: RouterConfig;
}

/** asdot text (RFC 5396): 65000 -> "65000", 4259840001 -> "65000.1". */
export function asdot(asn: unknown): string {
  const n = typeof asn === 'string' ? Number(asn) : asn;
  if (typeof n !== 'number' || !Number.isSafeInteger(n) || n < 0 || n > 0xffffffff) throw new Error(`asdot: ${String(asn)} is not an AS number`);
  return n < 65536 ? String(n) : `${Math.floor(n / 65536)}.${n % 65536}`;
}

/** asplain number from asplain or asdot text: "65000.1" -> 4259840001. */
export function asplain(text: unknown): number {
  const m = /^(\d+)(?:\.(\d+))?$/.exec(String(text).trim());
  if (m === null) throw new Error(`asplain: '${String(text)}' is not an AS number`);
  return m[2] === undefined ? Number(m[1]) : Number(m[1]) * 65536 + Number(m[2]);
}

/** A shallow merge that ignores an undefined or null right side (`{...} | merge(g.router)`). */
function merge(base: unknown, extra: unknown): Record<string, unknown> {
  const b = typeof base === 'object' && base !== null ? (base as Record<string, unknown>) : {};
  const e = typeof extra === 'object' && extra !== null ? (extra as Record<string, unknown>) : {};
  return { ...b, ...e };
}

/** The variables a template sees. */
export function templateContext(conf: MeshrrConf, env: PodEnv, template = ''): Record<string, unknown> {
  const byName = (type: string): Record<string, unknown> => Object.fromEntries(conf.groups.filter((g) => g.type === type).map((g) => [g.name, g.data]));
  const podIpv4 = /^\d+\.\d+\.\d+\.\d+$/.test(env.podIp);
  return {
    POD_IP: env.podIp,
    ROUTER_ID: env.routerId,
    // meshrr set the client groups' cluster ID to POD_IP; an IPv6 pod uses its router ID.
    CLUSTER_ID: podIpv4 ? env.podIp : env.routerId,
    UPDATE_SECONDS: env.updateSeconds,
    asn: conf.asn,
    asn_text: conf.asnText,
    mode: conf.mode,
    bgpgroups: conf.groups.map((g) => g.data),
    bgpgroups_mesh: byName('mesh'),
    bgpgroups_subtractive: byName('subtractive'),
    conf: conf.extra,
    env: env.vars,
    template_name: basename(template),
  };
}

function makeEnvironment(templatesDir: string): nunjucks.Environment {
  const e = new nunjucks.Environment(new nunjucks.FileSystemLoader(templatesDir, { noCache: true }), {
    throwOnUndefined: true,
    autoescape: false,
    trimBlocks: true,
    lstripBlocks: true,
  });
  const helpers = { tojson: (v: unknown) => JSON.stringify(v), asdot, asplain, merge };
  for (const [name, fn] of Object.entries(helpers)) {
    e.addFilter(name, fn);
    e.addGlobal(name, fn);
  }
  return e;
}

/** Which template applies: the user's file when it exists, else the mode's default. */
export function chooseTemplate(conf: MeshrrConf, env: PodEnv): string {
  if (existsSync(env.templatePath)) return env.templatePath;
  return join(env.templatesDir ?? PACKAGE_TEMPLATES_DIR, `${conf.mode}.njk`);
}

/** Renders the template to text (no validation). @throws TemplateError */
export function renderTemplate(conf: MeshrrConf, env: PodEnv, template = chooseTemplate(conf, env)): string {
  let src: string;
  try {
    src = readFileSync(template, 'utf8');
  } catch (e) {
    const code = (e as { code?: unknown } | null)?.code;
    throw new TemplateError('MESHRR_TEMPLATE_READ', { file: template, line: null, column: null }, `${template}: cannot read the template: ${code === 'ENOENT' ? 'no such file' : e instanceof Error ? e.message : String(e)}`, e);
  }
  const nj = makeEnvironment(env.templatesDir ?? PACKAGE_TEMPLATES_DIR);
  try {
    return new nunjucks.Template(src, nj, template, true).render(templateContext(conf, env, template));
  } catch (e) {
    throw renderError(template, src, e);
  }
}

/** Turns a Nunjucks error ("(path) [Line 3, Column 7]\n  message") into a located TemplateError. */
function renderError(template: string, src: string, e: unknown): TemplateError {
  const text = e instanceof Error ? e.message : String(e);
  const at = /\[Line (\d+)(?:, Column (\d+))?\]/.exec(text);
  const line = at === null ? null : Number(at[1]);
  const column = at?.[2] === undefined ? null : Number(at[2]);
  // Nunjucks puts the template path and the position first; keep only what went wrong.
  const what = text.split('\n').map((l) => l.trim()).filter((l) => l !== '' && !/^\(.*\)( \[Line \d+(, Column \d+)?\])?$/.test(l) && l !== 'Template render error:').pop() ?? text;
  const reason = what.replace(/^Error: /, '').replace(/^Template render error:\s*/, '');
  const hint = reason.startsWith('attempted to output null or undefined value') ? ' (throwOnUndefined: a variable or key in this line is not defined; test it with "is defined" or give it a default)' : '';
  const shown = line === null ? '' : `\n  ${line} | ${src.split('\n')[line - 1] ?? ''}`;
  const where = line === null ? template : column === null ? `${template}:${line}` : `${template}:${line}:${column}`;
  return new TemplateError('MESHRR_TEMPLATE_RENDER', { file: template, line, column }, `${where}: ${reason}${hint}${shown}`, e);
}

/**
 * Renders, parses and checks the router config for `conf` and `env`.
 * @throws TemplateError, TemplateOutputError
 */
export function renderRouterConfig(conf: MeshrrConf, env: PodEnv): Rendered {
  const template = chooseTemplate(conf, env);
  const text = renderTemplate(conf, env, template);
  const file = `${template} (rendered)`;
  let config: RouterConfig;
  try {
    config = parseRouterConfig(text, file);
  } catch (e) {
    if (e instanceof ConfigError) throw new TemplateOutputError(template, e.problems, text, e);
    throw e;
  }
  const names = new Set(config.groups.map((g) => g.name));
  const missing: ConfigProblem[] = conf.groups
    .filter((g) => !names.has(g.name))
    .map((g) => ({ file, path: 'groups', line: 1, message: `no group '${g.name}': ${conf.source} declares it (type ${g.type}), and the pod adds its ${g.type === 'mesh' ? 'discovered peers' : 'allow ranges'} to the router config's group of that name` }));
  if (missing.length > 0) throw new TemplateOutputError(template, missing, text);
  return { template, text, config };
}
