/**
 * The pod's start-up, up to a router config (issue 7): environment -> meshrr.conf.yml ->
 * template -> parsed and checked router config, plus the DNS resolver discovery uses. The
 * future `meshrr pod` command and `meshrr render` share it, so a configuration that renders
 * is exactly one that starts. Any failure is a MeshrrError whose message names the file, key
 * path or variable at fault; at start the caller prints it and exits non-zero, on a reload it
 * keeps the running config and logs it.
 *
 * Owns: the order of the steps and their notices. Must not: start sessions or timers.
 */
import { readFile } from 'node:fs/promises';
import { HeadlessResolver } from '../discovery/dns-resolver.js';
import { parseResolvConf, RESOLV_DEFAULTS } from '../discovery/resolv-conf.js';
import { loadMeshrrConf } from './meshrr-conf.js';
import type { MeshrrConf } from './meshrr-conf-types.js';
import { readPodEnv } from './pod-env.js';
import type { PodEnv } from './pod-env.js';
import { renderRouterConfig } from './render.js';
import type { Rendered } from './render.js';

export interface PodSetup {
  readonly env: PodEnv;
  readonly conf: MeshrrConf;
  readonly rendered: Rendered;
  /** One-line notices to log at info (ignored keys and variables, defaults, overrides). */
  readonly notices: readonly string[];
}

export interface SetupFlags {
  readonly conf?: string;
  readonly template?: string;
  readonly templatesDir?: string;
}

/**
 * Reads the environment and meshrr.conf.yml, renders and checks the router config.
 * @throws EnvError, ConfigReadError, ConfigError, TemplateError, TemplateOutputError
 */
export async function loadPodSetup(vars: Readonly<Record<string, string | undefined>> = process.env, flags: SetupFlags = {}): Promise<PodSetup> {
  const env = readPodEnv(vars, flags);
  const conf = await loadMeshrrConf(env.confPath, env.overrides);
  const rendered = renderRouterConfig(conf, env);
  const notices = [...env.notices, ...conf.notices, `router config rendered from ${rendered.template}`];
  return { env, conf, rendered, notices };
}

/** The resolver discovery uses: resolv.conf's search list, its or MESHRR_DNS_SERVERS' nameservers. */
export async function createResolver(env: PodEnv): Promise<HeadlessResolver> {
  let text = '';
  try {
    text = await readFile(env.resolvConfPath, 'utf8');
  } catch {
    // glibc runs without resolv.conf too: 127.0.0.1, no search list.
  }
  const resolvConf = text === '' ? RESOLV_DEFAULTS : parseResolvConf(text);
  return new HeadlessResolver({
    resolvConf,
    ...(env.dnsServers !== null ? { servers: env.dnsServers } : {}),
    ...(env.dnsTimeoutMs !== null ? { timeoutMs: env.dnsTimeoutMs } : {}),
  });
}
