/**
 * `meshrr pod`: the container's entry point. Reads meshrr.conf.yml and the environment,
 * renders the router config from the template, starts the route reflector, then runs DNS
 * discovery every UPDATE_SECONDS and applies what it finds (issue 7); mesh groups with
 * `sourcetype: kubernetes` follow their Service's EndpointSlices, and a change runs
 * discovery at once (issue 8; DNS when the API cannot be used). A bad config at start
 * exits non-zero with the message. SIGTERM: discovery stops, every peer gets Cease /
 * Administrative Shutdown with a message (RFC 9003), exit 0.
 *
 * Reload (build, validate, swap): SIGHUP, or meshrr.conf.yml or the template changing
 * (polled every 2 s, which sees a ConfigMap update), renders and checks the router config
 * again from the same environment; if that fails, or the router refuses the change (router
 * ID, AS...), the running config stays and `configRejected` says why. Otherwise the router
 * applies it live and discovery runs at once with the new groups.
 */
import { unwatchFile, watchFile } from 'node:fs';
import process from 'node:process';
import { pino } from 'pino';
import type { CliIo } from './main.js';
import { RouteReflector } from '../rr/route-reflector.js';
import { createResolver, loadPodSetup } from '../pod/setup.js';
import { Pod } from '../pod/pod.js';
import { untilSignal } from './signals.js';
import { logDestination } from './pretty-log.js';
import { OPERATIONS_USAGE, takeOperationsArgs } from '../status/options.js';
import { startOperations } from '../status/operations.js';
import { instrumentResolver } from '../status/discovery-view.js';
import { kubernetesDiscoveryFromEnv } from '../k8s/k8s-discovery.js';
import { warmUpUnlessDisabled } from './warm-up.js';

export async function podCommand(allArgs: readonly string[], io: CliIo): Promise<number> {
  const podIp = process.env['POD_IP'];
  const ops = takeOperationsArgs(allArgs, process.env, podIp !== undefined && podIp !== '' ? { host: podIp, port: 8081 } : null);
  if ('error' in ops) {
    io.stderr.write(`meshrr pod: ${ops.error}\nusage: meshrr pod [--conf FILE] [--template FILE] ${OPERATIONS_USAGE}\n`);
    return 2;
  }
  const args = ops.rest;
  const flags: { conf?: string; template?: string } = {};
  let pretty = process.env['LOG_PRETTY'] === '1' || process.env['LOG_PRETTY'] === 'true';
  for (let i = 0; i < args.length; i++) {
    const a = args[i];
    if (a === '--pretty') pretty = true;
    else if (a === '--conf') flags.conf = args[++i] ?? '';
    else if (a === '--template') flags.template = args[++i] ?? '';
    else {
      io.stderr.write(`meshrr pod: unknown argument ${a}\nusage: meshrr pod [--conf FILE] [--template FILE] [--pretty]\n`);
      return 2;
    }
  }
  let setup;
  try {
    setup = await loadPodSetup(process.env, flags);
  } catch (err) {
    io.stderr.write(`meshrr pod: ${err instanceof Error ? err.message : String(err)}\n`);
    return 1;
  }
  const log = pino({ level: setup.env.logLevel, base: { pod: setup.env.podIp } }, logDestination(pretty, process.stdout));
  for (const n of setup.notices) log.info(n);
  const rr = new RouteReflector({ config: setup.rendered.config, log });
  const podRef: { pod?: Pod } = {};
  // sourcetype: kubernetes groups: a watched EndpointSlice change runs discovery at once.
  const k8s = await kubernetesDiscoveryFromEnv(process.env, log.child({ component: 'k8s-discovery' }), () => void podRef.pod?.runSoon());
  await k8s.update(setup.conf);
  const discovery = instrumentResolver(k8s.resolver((await createResolver(setup.env)).resolve));
  let rendered = setup.rendered;
  let confSource = setup.conf.source;
  let appliedAt = new Date().toISOString();
  let operations;
  try {
    operations = await startOperations({
      rr,
      log,
      options: ops.options,
      config: () => ({ source: confSource, template: rendered.template, text: rendered.text, appliedAt }),
      discovery: () => discovery.view(podRef.pod),
      onLookup: discovery.onLookup,
    });
    await warmUpUnlessDisabled(log);
    await rr.start();
  } catch (err) {
    io.stderr.write(`meshrr pod: ${err instanceof Error ? err.message : String(err)}\n`);
    await operations?.stop();
    k8s.stop();
    await rr.stop('start-up failed');
    return 1;
  }
  operations.configApplied();
  const running = operations;
  const pod = new Pod({
    conf: setup.conf,
    routerConfig: setup.rendered.config,
    podIp: setup.env.podIp,
    updateSeconds: setup.env.updateSeconds,
    graceSeconds: setup.env.graceSeconds,
    resolve: discovery.resolve,
    log,
    router: {
      addNeighbor: (group, address) => rr.addDiscoveredNeighbor(group, address),
      removeNeighbor: (address, n) => rr.removeNeighbor(address, { code: n.code, subcode: n.subcode, data: Buffer.alloc(0) }),
      setListenRanges: (group, prefixes) => rr.setGroupListenRanges(group, prefixes),
      isEstablished: (address) => rr.isEstablished(address),
    },
  });
  podRef.pod = pod;
  // Not awaited: SIGTERM must be handled while the first discovery run waits on DNS; reloads queue behind it.
  let chain: Promise<void> = pod.start().catch((err: unknown) => log.error({ err: err instanceof Error ? err.message : String(err) }, 'discoveryStartFailed'));
  const reload = (why: string): void => {
    chain = chain.then(async () => {
      try {
        const next = await loadPodSetup(process.env, flags);
        await rr.reload(next.rendered.config);
        rendered = next.rendered;
        confSource = next.conf.source;
        appliedAt = new Date().toISOString();
        running.configApplied();
        await k8s.update(next.conf);
        await pod.reconfigure(next.conf, next.rendered.config);
      } catch (err) {
        const message = err instanceof Error ? err.message : String(err);
        log.error({ why, err: message }, 'configRejected');
        running.configFailed(message);
      }
    });
  };
  const onHup = (): void => reload('SIGHUP');
  process.on('SIGHUP', onHup);
  const watched = [setup.env.confPath, setup.env.templatePath];
  for (const file of watched) {
    watchFile(file, { interval: 2000 }, (cur, prev) => {
      if (cur.mtimeMs !== prev.mtimeMs || cur.ino !== prev.ino || cur.size !== prev.size) reload(`${file} changed`);
    });
  }
  return untilSignal(log, async (text) => {
    process.off('SIGHUP', onHup);
    for (const file of watched) unwatchFile(file);
    await chain;
    k8s.stop();
    await pod.stop();
    await rr.stop(text);
    await running.stop();
  });
}
