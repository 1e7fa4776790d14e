/**
 * The Dockerfile, checked without a Docker engine (none can run here, and hadolint is in
 * neither Debian 12 nor npm): it is parsed with dockerfile-ast (the parser of the VS Code
 * Docker extension) and held to the rules of issue 8 plus the hadolint rules that matter for
 * it; then the runtime stage's ENTRYPOINT + CMD run outside a container, with the image's
 * paths mapped onto the repository (after `npm run build`), in a network namespace: meshrr
 * must start from a meshrr.conf.yml and stop with exit 0 on SIGTERM, also as uid 1000 with
 * each of the two ways the manifests give it port 179 (docs/kubernetes.md), and must fail to
 * bind it as uid 1000 without them.
 */
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { chmod, copyFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { DockerfileParser } from 'dockerfile-ast';
import type { Copy, Instruction } from 'dockerfile-ast';
import { createNetns, run } from '../helpers/netns.js';
import { pollUntil } from '../helpers/poll.js';
import type { Netns } from '../helpers/netns.js';
import { makeTmpDir } from '../helpers/tmp.js';
import type { TmpDir } from '../helpers/tmp.js';
import { imageRoot, MAIN_JS, REPO_ROOT, startPod } from '../e2e/helpers-pod.js';
import type { PodProcess } from '../e2e/helpers-pod.js';

const text = readFileSync(join(REPO_ROOT, 'Dockerfile'), 'utf8');
const dockerfile = DockerfileParser.parse(text);
const instructions = dockerfile.getInstructions();

interface Stage {
  readonly name: string;
  readonly image: string;
  readonly body: Instruction[];
}

/** ARG defaults declared before the first FROM (the only ones FROM can use). */
function globalArgs(): Map<string, string> {
  const m = new Map<string, string>();
  for (const i of instructions) {
    if (i.getKeyword() === 'FROM') break;
    if (i.getKeyword() === 'ARG') {
      const [k, v] = i.getArgumentsContent()?.split('=') ?? [];
      if (k !== undefined && v !== undefined) m.set(k, v);
    }
  }
  return m;
}

function stages(): Stage[] {
  const args = globalArgs();
  const out: Stage[] = [];
  let cur: Stage | null = null;
  for (const i of instructions) {
    if (i.getKeyword() === 'FROM') {
      const words = (i.getArgumentsContent() ?? '').split(/\s+/);
      const image = (words[0] ?? '').replace(/\$\{(\w+)\}/g, (_, k: string) => args.get(k) ?? `\${${k}}`);
      cur = { name: words[2] ?? String(out.length), image, body: [] };
      out.push(cur);
    } else if (cur !== null) {
      cur.body.push(i);
    }
  }
  return out;
}

/** The JSON array of an exec-form instruction; fails on shell form (hadolint DL3025). */
function execForm(i: Instruction | undefined): string[] {
  assert.ok(i !== undefined);
  const raw = i.getArgumentsContent() ?? '';
  let parsed: unknown;
  try {
    parsed = JSON.parse(raw);
  } catch {
    assert.fail(`${i.getKeyword()} must use the exec (JSON) form so signals reach the process: ${raw}`);
  }
  assert.ok(Array.isArray(parsed) && parsed.every((s) => typeof s === 'string'), `${i.getKeyword()} is not a list of strings`);
  return parsed as string[];
}

/** The stage a COPY takes its files from (`--from=`), if any. */
function copyFrom(i: Instruction): string | undefined {
  const flag = (i as Copy).getFromFlag();
  return flag === null ? undefined : (flag.getValue() ?? undefined);
}

const all = stages();
const runtime = all[all.length - 1];
const kw = (s: Stage, k: string): Instruction[] => s.body.filter((i) => i.getKeyword() === k);

describe('Dockerfile rules', () => {
  it('parses without syntax problems', () => {
    assert.ok(runtime !== undefined);
    assert.deepEqual(
      instructions.filter((i) => i.getKeyword() !== i.getInstruction().toUpperCase()).map((i) => i.getInstruction()),
      [],
      'instructions are upper case',
    );
  });

  it('is multi-stage on a Node 20 slim base, pinned by tag (no latest)', () => {
    assert.ok(all.length >= 2, 'a build stage and a runtime stage');
    for (const s of all) assert.match(s.image, /^node:20(\.\d+)*-(bookworm-)?slim$/, `stage ${s.name} base image`);
    assert.equal(new Set(all.map((s) => s.name)).size, all.length, 'stage names are unique');
  });

  it('builds with the dev dependencies and ships production dependencies only', () => {
    const runs = (s: Stage): string => kw(s, 'RUN').map((i) => i.getArgumentsContent() ?? '').join('\n');
    const build = all.find((s) => /npx tsc|npm run build/.test(runs(s)));
    assert.ok(build !== undefined && build !== runtime, 'TypeScript is compiled in a build stage');
    const prodDeps = all.find((s) => /npm ci[^\n]*--omit=dev/.test(runs(s)));
    assert.ok(prodDeps !== undefined, 'a stage installs production dependencies with npm ci --omit=dev');
    assert.doesNotMatch(runs(runtime!), /npm (ci|install)/, 'the runtime stage installs no npm packages itself');
    const copiesFrom = kw(runtime!, 'COPY').map(copyFrom).filter((x) => x !== undefined);
    assert.ok(copiesFrom.includes(build.name), 'dist comes from the build stage');
    assert.ok(copiesFrom.includes(prodDeps.name), 'node_modules comes from the production-dependency stage');
    for (const from of copiesFrom) assert.ok(all.some((s) => s.name === from), `COPY --from=${from} names a stage`);
    for (const i of kw(runtime!, 'COPY')) {
      if (copyFrom(i) === build.name) assert.doesNotMatch(i.getArgumentsContent() ?? '', /node_modules/, 'dev node_modules never reach the runtime');
    }
  });

  it('runs as a numeric non-root user, and the only capability is cap_net_bind_service on node', () => {
    const users = kw(runtime!, 'USER').map((i) => i.getArgumentsContent() ?? '');
    const last = users[users.length - 1];
    assert.ok(last !== undefined, 'USER is set in the runtime stage');
    assert.match(last, /^[1-9]\d*(:\d+)?$/, 'numeric uid (runAsNonRoot can only verify a number), not 0');
    const runText = kw(runtime!, 'RUN').map((i) => i.getArgumentsContent() ?? '').join('\n');
    const setcaps = [...runText.matchAll(/setcap\s+(\S+)\s+(\S+)/g)].map((m) => [m[1], m[2]]);
    assert.deepEqual(setcaps, [['cap_net_bind_service=+ep', '/usr/local/bin/node']]);
    assert.doesNotMatch(text, /\bsudo\b|chmod\s+[0-7]*[4-7][0-7]{3}\b|\bsetuid\b/i, 'no sudo, no setuid bits');
  });

  it('has tini as PID 1 forwarding signals to meshrr, in exec form, and no HEALTHCHECK', () => {
    const ep = execForm(kw(runtime!, 'ENTRYPOINT').at(-1));
    assert.deepEqual(ep.slice(0, 2), ['/usr/bin/tini', '--']);
    assert.deepEqual(ep.slice(2), ['node', '/opt/meshrr/dist/cli/main.js']);
    assert.deepEqual(execForm(kw(runtime!, 'CMD').at(-1)), ['pod']);
    assert.match(kw(runtime!, 'RUN').map((i) => i.getArgumentsContent()).join('\n'), /apt-get install[^\n]*\btini\b/);
    assert.equal(instructions.filter((i) => i.getKeyword() === 'HEALTHCHECK').length, 0, 'Kubernetes probes do health checks');
  });

  it('carries the OCI labels', () => {
    const labels = new Map(kw(runtime!, 'LABEL').flatMap((i) => (i as unknown as { getProperties(): { getName(): string; getValue(): string | null }[] }).getProperties().map((p) => [p.getName(), p.getValue() ?? ''] as const)));
    for (const k of ['title', 'description', 'version', 'revision', 'licenses', 'source']) {
      assert.ok((labels.get(`org.opencontainers.image.${k}`) ?? '') !== '', `label org.opencontainers.image.${k}`);
    }
    const pkg = JSON.parse(readFileSync(join(REPO_ROOT, 'package.json'), 'utf8')) as { version: string; license: string };
    assert.equal(labels.get('org.opencontainers.image.licenses'), pkg.license);
    assert.match(text, new RegExp(`ARG VERSION=${pkg.version.replace(/\./g, '\\.')}\\b`), 'the version label defaults to package.json version');
  });

  it('follows the hadolint rules that apply (DL3009, DL3015, DL3020, DL3000, DL4006-free)', () => {
    for (const i of instructions) {
      const a = i.getArgumentsContent() ?? '';
      if (i.getKeyword() === 'RUN' && /apt-get install/.test(a)) {
        assert.match(a, /--no-install-recommends/, 'DL3015');
        assert.match(a, /-y\b/, 'DL3014');
        assert.match(a, /rm -rf \/var\/lib\/apt\/lists/, 'DL3009');
      }
      assert.notEqual(i.getKeyword(), 'ADD', 'DL3020: COPY, not ADD');
      if (i.getKeyword() === 'WORKDIR') assert.match(a, /^\//, 'DL3000: absolute WORKDIR');
      if (i.getKeyword() === 'RUN') assert.doesNotMatch(a, /\|/, 'no pipes (DL4006 would need SHELL pipefail)');
    }
  });

  it('copies only what .dockerignore lets into the context, and every source exists', () => {
    const ignore = readFileSync(join(REPO_ROOT, '.dockerignore'), 'utf8').split('\n').map((l) => l.trim()).filter((l) => l !== '' && !l.startsWith('#'));
    assert.equal(ignore[0], '*', '.dockerignore starts by excluding everything');
    const allowed = ignore.filter((l) => l.startsWith('!')).map((l) => l.slice(1).replace(/\/$/, ''));
    for (const s of all) {
      for (const i of kw(s, 'COPY')) {
        if (copyFrom(i) !== undefined) continue;
        const words = i.getArguments().map((a) => a.getValue());
        for (const src of words.slice(0, -1)) {
          assert.ok(allowed.includes(src), `${src} is let in by .dockerignore`);
          assert.ok(existsSync(join(REPO_ROOT, src)), `${src} exists`);
        }
      }
    }
    for (const never of ['node_modules', 'dist', 'test', '.git', '.ci']) assert.ok(!allowed.includes(never), `${never} stays out of the context`);
  });
});

describe('the image command line, outside a container', () => {
  const namespaces: Netns[] = [];
  let tmp: TmpDir | undefined;
  /** The image's ENTRYPOINT + CMD and ENV, /opt/meshrr/conf -> the temp dir, /opt/meshrr -> the repository. */
  let argv: string[] = [];
  let env: Record<string, string> = {};
  /** A copy of node with the image's file capability (setcap cap_net_bind_service=+ep). */
  let capNode = '';

  before(async () => {
    assert.ok(existsSync(MAIN_JS), `${MAIN_JS} is missing: run npm run build first`);
    tmp = await makeTmpDir('dockerfile');
    await chmod(tmp.path, 0o755); // readable by uid 1000, like a ConfigMap mount
    await writeFile(tmp.join('meshrr.conf.yml'), readFileSync(join(REPO_ROOT, 'templates/examples/2regions-hrr/core.meshrr.conf.yml')));
    const root = await imageRoot(); // the repository, or a copy uid 1000 can read
    const mapPath = (p: string): string => p.replace(/^\/opt\/meshrr\/conf\//, `${tmp!.path}/`).replace(/^\/opt\/meshrr\//, root);
    for (const i of kw(runtime!, 'ENV')) {
      for (const p of (i as unknown as { getProperties(): { getName(): string; getValue(): string | null }[] }).getProperties()) env[p.getName()] = mapPath(p.getValue() ?? '');
    }
    env = { ...env, POD_IP: '10.42.0.5', UPDATE_SECONDS: '5', MESHRR_DNS_SERVERS: '127.0.0.1:53', MESHRR_DNS_TIMEOUT_MS: '200' };
    const full = [...execForm(kw(runtime!, 'ENTRYPOINT').at(-1)), ...execForm(kw(runtime!, 'CMD').at(-1))].map(mapPath);
    // tini comes from Debian's package in the image; run it too when this machine has it.
    argv = existsSync(full[0] ?? '') ? full : full.slice(2);
    capNode = tmp.join('node');
    await copyFile(process.execPath, capNode);
    await chmod(capNode, 0o755);
    await run('setcap', ['cap_net_bind_service=+ep', capNode]);
  });
  after(async () => {
    for (const ns of namespaces) await ns.destroy();
    await tmp?.cleanup();
  });

  /** Runs the image's command line in a fresh network namespace (port 179 privileged there). */
  async function launch(label: string, opts: { prefix?: readonly string[]; node?: string; sysctl?: string; ready?: boolean }): Promise<{ ns: Netns; pod: PodProcess }> {
    const ns = await createNetns(label);
    namespaces.push(ns);
    await ns.addLoopback('10.42.0.5/32');
    if (opts.sysctl !== undefined) await ns.sysctl('net.ipv4.ip_unprivileged_port_start', opts.sysctl);
    const cmd = argv.map((a) => (a === 'node' && opts.node !== undefined ? opts.node : a));
    const pod = await startPod({ name: label, netns: ns, dir: tmp!.path, argv: [...(opts.prefix ?? []), ...cmd], env, readyLog: opts.ready === false ? null : 'configApplied' });
    return { ns, pod };
  }
  const asUid1000 = ['setpriv', '--reuid=1000', '--regid=1000', '--clear-groups', '--'];

  async function startsAndStops(ns: Netns, pod: PodProcess): Promise<void> {
    const applied = await pod.waitLog('configApplied');
    assert.equal(applied['routerId'], '10.42.0.5');
    const listening = await ns.exec('ss', ['-Hltnp', 'sport = :179']);
    assert.match(listening.stdout, /:179\b/, 'the pod listens on port 179');
    const exit = await pod.stop('SIGTERM', 10_000);
    assert.deepEqual(exit, { code: 0, signal: null }, await pod.logTail());
    await pod.waitLog('shutdown', (l) => l['signal'] === 'SIGTERM', 1000);
  }

  it('starts meshrr pod from a mounted meshrr.conf.yml and ends with exit 0 on SIGTERM', async () => {
    const { ns, pod } = await launch('image', {});
    await startsAndStops(ns, pod);
  });

  it('binds 179 as uid 1000 on the pod network through ip_unprivileged_port_start=179 (the manifests\' sysctl)', async () => {
    const { ns, pod } = await launch('uidsysctl', { prefix: [...asUid1000, 'setpriv', '--no-new-privs', '--'], sysctl: '179' });
    await startsAndStops(ns, pod);
  });

  it("binds 179 as uid 1000 on the host network through node's file capability (the image's setcap)", async () => {
    const { ns, pod } = await launch('uidfcap', { prefix: asUid1000, node: capNode });
    await startsAndStops(ns, pod);
  });

  it('cannot bind 179 as uid 1000 without either, nor with the capability under no_new_privs', async () => {
    for (const [label, opts] of [
      ['uidplain', { prefix: asUid1000, ready: false }],
      // allowPrivilegeEscalation: false sets no_new_privs, and exec then ignores file capabilities.
      ['uidnnp', { prefix: [...asUid1000, 'setpriv', '--no-new-privs', '--'], node: capNode, ready: false }],
    ] as const) {
      const { pod } = await launch(label, opts);
      const exit = await pollUntil(() => pod.exit, { what: `${label} exits`, timeoutMs: 20_000 });
      assert.equal(exit.code, 1, `${label}: exit code 1\n${await pod.logTail()}`);
      assert.match(await pod.logTail(), /EACCES|permission denied/i, `${label}: the bind is refused`);
    }
  });
});
