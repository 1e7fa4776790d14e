/**
 * Every Kubernetes YAML document of `manifests/` and the three examples: it parses, it
 * validates against the OpenAPI schemas of Kubernetes (kubernetes-models, generated from the
 * API of a current release), it has no field the API does not know (the schema validator
 * lets unknown fields through, so each document is also type-checked as an object literal of
 * the model's TypeScript interface, where an unknown key is an excess-property error), and
 * its cross-references hold: selectors, Services and ports, ConfigMaps and where they are
 * mounted, the environment meshrr reads, probes, RBAC, security settings. Each example's
 * meshrr.conf.yml (and template) must also render into a router config.
 */
import assert from 'node:assert/strict';
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { describe, it } from 'node:test';
import ts from 'typescript';
import { parse as parseYaml } from 'yaml';
import { loadPodSetup } from '../../src/pod/setup.js';
import { REPO_ROOT } from '../e2e/helpers-pod.js';
import { arr, confFiles, containerEnv, isObj, K8S_DIRS, loadDocs, matchLabels, obj, podTemplate, selects, str, WORKLOAD_KINDS, yamlFiles } from './helpers-manifests.js';
import type { K8sDoc, Obj } from './helpers-manifests.js';

const docs = loadDocs();
const workloads = docs.filter((d) => (WORKLOAD_KINDS as readonly string[]).includes(d.kind));
const services = docs.filter((d) => d.kind === 'Service');
const where = (d: K8sDoc): string => `${d.file}#${d.index} ${d.kind}/${d.name}`;
/**
 * The files applied together with `d`'s file: an example's folder, or one base file (the two
 * DaemonSet variants are alternatives), plus the namespace, the RBAC and the core group.
 */
const SHARED = ['manifests/00-namespace.yaml', 'manifests/rbac.yaml'];
const together = (a: K8sDoc, b: K8sDoc): boolean => (a.file.startsWith('manifests/') ? a.file === b.file : dirname(a.file) === dirname(b.file));
const scope = (d: K8sDoc): K8sDoc[] =>
  docs.filter((x) => together(d, x) || SHARED.includes(x.file) || (d.file.startsWith('manifests/') && x.file === 'manifests/mesh-deployment.yaml'));
const podsOf = (d: K8sDoc): K8sDoc[] => workloads.filter((w) => w.namespace === d.namespace && together(d, w));

/** Sources that read environment variables: the pod's, and the operations issue's when merged. */
const ENV_SOURCES = ['src/pod/pod-env.ts', 'src/status/options.ts', ...(existsSync(join(REPO_ROOT, 'src/k8s')) ? readdirSync(join(REPO_ROOT, 'src/k8s')).map((f) => `src/k8s/${f}`) : [])];
const envNamesIn = (file: string): string[] =>
  existsSync(join(REPO_ROOT, file)) ? [...readFileSync(join(REPO_ROOT, file), 'utf8').matchAll(/\benv\.([A-Z][A-Z0-9_]+)|'([A-Z][A-Z0-9_]+)'/g)].map((m) => m[1] ?? m[2] ?? '') : [];
/**
 * Variables of the operations issue (readiness, Events) that the manifests set before that
 * code is merged here (docs/operations.md on its branch). Once src/status/options.ts exists,
 * the test requires each of them to be read by the code, so this list cannot go stale.
 */
const PENDING_OPERATIONS_ENV = ['READY_MIN_SESSIONS', 'READY_GROUPS', 'POD_NAME', 'POD_NAMESPACE'];
const codeEnvNames = new Set(ENV_SOURCES.flatMap(envNamesIn));
const operationsMerged = existsSync(join(REPO_ROOT, 'src/status/options.ts'));
const podEnvNames = new Set([...codeEnvNames, ...(operationsMerged ? [] : PENDING_OPERATIONS_ENV)]);

describe('Kubernetes YAML: schema', () => {
  it('finds the documents of the base and of every example', () => {
    for (const dir of K8S_DIRS) assert.ok(docs.some((d) => d.file.startsWith(`${dir}/`)), `${dir} has Kubernetes YAML`);
    for (const d of docs) {
      assert.ok(d.apiVersion !== '' && d.kind !== '' && d.name !== '', `${where(d)}: apiVersion, kind and metadata.name`);
      if (d.kind !== 'Namespace') assert.equal(d.namespace, 'meshrr', `${where(d)}: namespace meshrr`);
    }
  });

  it('validates against the Kubernetes OpenAPI schemas', async () => {
    for (const d of docs) {
      const mod = (await import(`kubernetes-models/${d.apiVersion}`)) as Record<string, new (data: unknown) => { validate(): void }>;
      const Model = mod[d.kind];
      assert.ok(Model !== undefined, `${where(d)}: kind ${d.kind} of ${d.apiVersion} is known`);
      assert.doesNotThrow(() => new Model(d.body).validate(), `${where(d)} is valid`);
    }
  });

  it('has no field the API does not know (excess-property check against the models)', () => {
    // One virtual module next to this file, so `kubernetes-models` resolves from node_modules.
    const virtual = join(REPO_ROOT, 'test/manifests/__manifests_check__.ts');
    const lines: string[] = [];
    docs.forEach((d, i) => {
      lines.push(`import type { I${d.kind} as T${i} } from 'kubernetes-models/${d.apiVersion}/${d.kind}';`);
      lines.push(`// ${where(d)}\nexport const d${i}: T${i} = ${JSON.stringify(d.body)};`);
    });
    const source = lines.join('\n');
    const options: ts.CompilerOptions = { strict: true, noEmit: true, skipLibCheck: true, module: ts.ModuleKind.NodeNext, moduleResolution: ts.ModuleResolutionKind.NodeNext, target: ts.ScriptTarget.ES2022, types: [] };
    const host = ts.createCompilerHost(options);
    const getSourceFile = host.getSourceFile.bind(host);
    host.getSourceFile = (name, lang, ...rest) => (name === virtual ? ts.createSourceFile(name, source, lang) : getSourceFile(name, lang, ...rest));
    const fileExists = host.fileExists.bind(host);
    host.fileExists = (name) => name === virtual || fileExists(name);
    const program = ts.createProgram([virtual], options, host);
    const problems = ts.getPreEmitDiagnostics(program).map((diag) => {
      const text = ts.flattenDiagnosticMessageText(diag.messageText, '\n');
      if (diag.file?.fileName !== virtual || diag.start === undefined) return text;
      const { line } = diag.file.getLineAndCharacterOfPosition(diag.start);
      return `${source.split('\n')[line - 1] ?? ''}: ${text}`;
    });
    assert.deepEqual(problems, []);
  });
});

describe('Kubernetes YAML: cross-references', () => {
  it('gives every workload its own selector, matching its own pods only', () => {
    assert.ok(workloads.length >= 6);
    for (const w of workloads) {
      const sel = matchLabels(obj(w.body['spec'])['selector']);
      assert.ok(selects(sel, podTemplate(w).labels), `${where(w)}: selector matches its pod template`);
      for (const other of podsOf(w)) {
        if (other !== w) assert.ok(!selects(sel, podTemplate(other).labels), `${where(w)}: selector also matches ${where(other)}`);
      }
      assert.ok('app.kubernetes.io/instance' in sel, `${where(w)}: selects by instance, not only app`);
    }
  });

  it('points every Service at pods with the ports it names (bgp 179), or at EndpointSlices', () => {
    for (const s of services) {
      const spec = obj(s.body['spec']);
      const ports = arr(spec['ports']).map(obj);
      assert.ok(ports.some((p) => p['name'] === 'bgp' && p['port'] === 179 && (p['protocol'] ?? 'TCP') === 'TCP'), `${where(s)}: port bgp 179/TCP`);
      const sel = obj(spec['selector']) as Record<string, string>;
      if (spec['clusterIP'] === 'None') assert.notEqual(spec['publishNotReadyAddresses'], true, `${where(s)}: discovery follows readiness`);
      if (Object.keys(sel).length === 0) {
        assert.equal(spec['clusterIP'], 'None', `${where(s)}: a selector-less Service is headless`);
        const slices = scope(s).filter((d) => d.kind === 'EndpointSlice' && obj(obj(d.body['metadata'])['labels'])['kubernetes.io/service-name'] === s.name);
        assert.ok(slices.length > 0, `${where(s)}: EndpointSlices list its routers`);
        for (const sl of slices) {
          assert.ok(arr(sl.body['ports']).map(obj).some((p) => p['name'] === 'bgp' && p['port'] === 179), `${where(sl)}: port bgp 179`);
          assert.ok(arr(sl.body['endpoints']).length > 0, `${where(sl)}: has endpoints`);
        }
        continue;
      }
      const pods = podsOf(s).filter((w) => selects(sel, podTemplate(w).labels));
      assert.ok(pods.length > 0, `${where(s)}: selects some pods`);
      for (const w of pods) {
        const names = arr(podTemplate(w).spec['containers']).map(obj).flatMap((c) => arr(c['ports']).map(obj));
        for (const p of ports) {
          const target = p['targetPort'] ?? p['port'];
          assert.ok(names.some((cp) => cp['name'] === target || cp['containerPort'] === target), `${where(s)}: targetPort ${String(target)} exists in ${where(w)}`);
        }
      }
      if (spec['type'] === 'LoadBalancer') {
        assert.equal(spec['externalTrafficPolicy'], 'Local', `${where(s)}: keeps the routers' source addresses`);
        assert.ok(pods.every((w) => selects(matchLabels(obj(w.body['spec'])['selector']), sel) || pods.length === 1), `${where(s)}: one workload behind one address`);
      }
    }
  });

  it("mounts each ConfigMap's keys at /opt/meshrr/conf, where meshrr reads them", () => {
    for (const w of workloads) {
      const spec = podTemplate(w).spec;
      const c = arr(spec['containers']).map(obj).find((x) => x['name'] === 'meshrr');
      assert.ok(c !== undefined, `${where(w)}: container meshrr`);
      const mount = arr(c['volumeMounts']).map(obj).find((m) => m['mountPath'] === '/opt/meshrr/conf');
      assert.ok(mount !== undefined && mount['readOnly'] === true, `${where(w)}: conf mounted read-only at /opt/meshrr/conf`);
      const vol = arr(spec['volumes']).map(obj).find((v) => v['name'] === mount['name']);
      assert.ok(vol !== undefined && isObj(vol['configMap']), `${where(w)}: the conf volume is a ConfigMap`);
      const files = confFiles(scope(w), w);
      assert.ok('meshrr.conf.yml' in files, `${where(w)}: meshrr.conf.yml is mounted`);
      assert.deepEqual(Object.keys(files).filter((f) => !['meshrr.conf.yml', 'meshrr.conf.njk'].includes(f)), [], `${where(w)}: only files meshrr reads`);
      for (const m of arr(c['volumeMounts']).map(obj)) {
        assert.ok(arr(spec['volumes']).map(obj).some((v) => v['name'] === m['name']), `${where(w)}: volume ${str(m['name'])} exists`);
      }
    }
  });

  it('sets only environment variables meshrr reads, POD_IP, POD_NAME and POD_NAMESPACE from the downward API', () => {
    assert.ok(codeEnvNames.has('POD_IP') && codeEnvNames.has('UPDATE_SECONDS'), 'read the names from src/pod/pod-env.ts');
    if (operationsMerged) for (const n of PENDING_OPERATIONS_ENV) assert.ok(codeEnvNames.has(n), `${n} is read by the operations code; drop it from PENDING_OPERATIONS_ENV or from the manifests`);
    for (const w of workloads) {
      const { values, fieldRefs } = containerEnv(w);
      assert.deepEqual(fieldRefs, { POD_IP: 'status.podIP', POD_NAME: 'metadata.name', POD_NAMESPACE: 'metadata.namespace' }, `${where(w)}: downward API`);
      for (const name of [...Object.keys(values), ...Object.keys(fieldRefs)]) assert.ok(podEnvNames.has(name), `${where(w)}: meshrr does not read ${name}`);
      const c = arr(podTemplate(w).spec['containers']).map(obj).find((x) => x['name'] === 'meshrr');
      assert.deepEqual(c?.['args'], ['pod'], `${where(w)}: runs meshrr pod`);
    }
  });

  it('probes /healthz (startup, liveness) and /readyz (readiness) on the probe address, port probes 8081', () => {
    for (const w of workloads) {
      const c = obj(arr(podTemplate(w).spec['containers']).map(obj).find((x) => x['name'] === 'meshrr'));
      const ports = arr(c['ports']).map(obj);
      // The probe server listens on POD_IP:8081; the status API on 127.0.0.1:8080 is not for the kubelet.
      assert.deepEqual(ports.map((p) => [p['name'], p['containerPort']]).sort(), [['bgp', 179], ['probes', 8081]], `${where(w)}: ports`);
      assert.ok(ports.some((p) => p['name'] === 'bgp' && p['containerPort'] === 179), `${where(w)}: port bgp 179`);
      const probe = (k: string): Obj => obj(obj(c[k])['httpGet']);
      for (const [k, path] of [['startupProbe', '/healthz'], ['livenessProbe', '/healthz'], ['readinessProbe', '/readyz']] as const) {
        assert.deepEqual({ path: probe(k)['path'], port: probe(k)['port'] }, { path, port: 'probes' }, `${where(w)}: ${k}`);
      }
    }
  });

  it('runs every pod non-root, read-only, with NET_BIND_SERVICE only, and a way to bind port 179', () => {
    for (const w of workloads) {
      const spec = podTemplate(w).spec;
      const psc = obj(spec['securityContext']);
      const c = obj(arr(spec['containers']).map(obj).find((x) => x['name'] === 'meshrr'));
      const sc = obj(c['securityContext']);
      assert.equal(psc['runAsNonRoot'], true, `${where(w)}: runAsNonRoot`);
      assert.equal(psc['runAsUser'], 1000, `${where(w)}: the image's uid`);
      assert.equal(obj(psc['seccompProfile'])['type'], 'RuntimeDefault', `${where(w)}: seccomp`);
      assert.equal(sc['readOnlyRootFilesystem'], true, `${where(w)}: readOnlyRootFilesystem`);
      assert.deepEqual(obj(sc['capabilities']), { drop: ['ALL'], add: ['NET_BIND_SERVICE'] }, `${where(w)}: capabilities`);
      assert.equal(spec['automountServiceAccountToken'], false, `${where(w)}: no token until the Kubernetes features are on`);
      assert.ok(scope(w).some((d) => d.kind === 'ServiceAccount' && d.name === spec['serviceAccountName']), `${where(w)}: its ServiceAccount exists`);
      const sysctl = arr(psc['sysctls']).map(obj).find((s) => s['name'] === 'net.ipv4.ip_unprivileged_port_start');
      if (spec['hostNetwork'] === true) {
        // The file capability on node is the only way; no_new_privs would drop it.
        assert.equal(sc['allowPrivilegeEscalation'], true, `${where(w)}: hostNetwork needs the file capability`);
        assert.equal(sysctl, undefined, `${where(w)}: no pod sysctls with hostNetwork`);
        assert.equal(spec['dnsPolicy'], 'ClusterFirstWithHostNet', `${where(w)}: cluster DNS on the host network`);
      } else {
        assert.equal(sc['allowPrivilegeEscalation'], false, `${where(w)}: allowPrivilegeEscalation false`);
        assert.ok(sysctl !== undefined && Number(sysctl['value']) <= 179, `${where(w)}: ip_unprivileged_port_start <= 179`);
      }
      const grace = Number(spec['terminationGracePeriodSeconds']);
      assert.ok(grace >= 10 && grace <= 120, `${where(w)}: terminationGracePeriodSeconds`);
      const res = obj(c['resources']);
      assert.ok(str(obj(res['requests'])['cpu']) !== '' && str(obj(res['requests'])['memory']) !== '' && str(obj(res['limits'])['memory']) !== '', `${where(w)}: requests and a memory limit`);
      const tmp = arr(c['volumeMounts']).map(obj).find((m) => m['mountPath'] === '/tmp');
      assert.ok(tmp !== undefined, `${where(w)}: a writable /tmp`);
    }
  });

  it('keeps two reflectors of a group off one node, and guards each group with a PodDisruptionBudget', () => {
    for (const w of workloads) {
      const { labels, spec } = podTemplate(w);
      const anti = arr(obj(obj(obj(spec['affinity'])['podAntiAffinity']))['requiredDuringSchedulingIgnoredDuringExecution']).map(obj);
      assert.ok(anti.some((t) => t['topologyKey'] === 'kubernetes.io/hostname' && selects(matchLabels(t['labelSelector']), labels)), `${where(w)}: anti-affinity on its own group`);
      const pdbs = scope(w).filter((d) => d.kind === 'PodDisruptionBudget' && d.namespace === w.namespace && selects(matchLabels(obj(d.body['spec'])['selector']), labels));
      assert.equal(pdbs.length, 1, `${where(w)}: one PodDisruptionBudget`);
      if (w.kind === 'DaemonSet') {
        const ns = obj(spec['nodeSelector']);
        assert.ok(Object.keys(ns).some((k) => /^meshrr_region_[a-z0-9]+$/.test(k)) && typeof ns['redundancy_group'] === 'string', `${where(w)}: node selection by region and redundancy group`);
      }
      if (w.kind === 'StatefulSet') {
        const svc = services.find((s) => s.name === obj(w.body['spec'])['serviceName'] && s.namespace === w.namespace);
        assert.equal(obj(svc?.body['spec'])['clusterIP'], 'None', `${where(w)}: serviceName is a headless Service`);
      }
    }
  });

  it('names only Services that exist as the DNS sources of the mesh groups', () => {
    for (const w of workloads) {
      const conf = parseYaml(confFiles(scope(w), w)['meshrr.conf.yml'] ?? '') as Obj;
      for (const g of arr(conf['bgpgroups']).map(obj)) {
        if (g['type'] !== 'mesh') continue;
        const host = str(obj(g['source'])['hostname']);
        const [name, ns = w.namespace] = host.split('.');
        assert.ok(services.some((s) => s.name === name && s.namespace === ns && obj(s.body['spec'])['clusterIP'] === 'None' && scope(w).includes(s)), `${where(w)}: group ${str(g['name'])} resolves ${host}: no headless Service ${ns}/${String(name)}`);
      }
    }
  });

  it('lets every group become Ready without sessions to Ready pods it cannot find yet', () => {
    // publishNotReadyAddresses: false means a pod is in DNS only once Ready. A group whose
    // readiness waited for a session with its own mesh would never get one. A group may wait
    // for sessions only in groups that reach other workloads (READY_GROUPS), and those
    // must exist in its meshrr.conf.yml.
    for (const w of workloads) {
      const { values } = containerEnv(w);
      const conf = parseYaml(confFiles(scope(w), w)['meshrr.conf.yml'] ?? '') as Obj;
      const groups = arr(conf['bgpgroups']).map(obj);
      if (values['READY_MIN_SESSIONS'] === '0') continue;
      const ready = (values['READY_GROUPS'] ?? '').split(',').filter((g) => g !== '');
      assert.ok(ready.length > 0, `${where(w)}: READY_MIN_SESSIONS=0 or READY_GROUPS naming groups outside its own mesh`);
      for (const name of ready) {
        const g = groups.find((x) => x['name'] === name);
        assert.ok(g !== undefined, `${where(w)}: READY_GROUPS names ${name}, a group of its meshrr.conf.yml`);
        const host = str(obj(g['source'])['hostname']).split('.')[0] ?? '';
        const svc = services.find((x) => x.name === host && scope(w).includes(x));
        const own = podTemplate(w).labels;
        assert.ok(svc !== undefined && !selects(obj(obj(svc.body['spec'])['selector']) as Record<string, string>, own), `${where(w)}: ${name} reaches other pods than its own group`);
      }
    }
  });

  it('grants the ServiceAccount exactly what meshrr calls, no more', () => {
    const role = docs.find((d) => d.kind === 'Role' && d.name === 'meshrr');
    const binding = docs.find((d) => d.kind === 'RoleBinding' && d.name === 'meshrr');
    assert.ok(role !== undefined && binding !== undefined);
    assert.deepEqual(obj(binding.body['roleRef']), { apiGroup: 'rbac.authorization.k8s.io', kind: 'Role', name: 'meshrr' });
    assert.deepEqual(arr(binding.body['subjects']), [{ kind: 'ServiceAccount', name: 'meshrr', namespace: 'meshrr' }]);
    const granted = new Set(arr(role.body['rules']).map(obj).flatMap((r) => arr(r['apiGroups']).flatMap((g) => arr(r['resources']).flatMap((res) => arr(r['verbs']).map((v) => `${str(g)}/${str(res)}:${str(v)}`)))));
    for (const g of granted) assert.doesNotMatch(g, /\*/, 'no wildcards');
    // What the Kubernetes features call: Events, reading and annotating its own pod.
    const needed = new Set(['/events:create', '/pods:get', '/pods:patch']);
    // And every call the client code makes, when src/k8s exists (@kubernetes/client-node method names).
    const calls: Record<string, string> = {
      createNamespacedEvent: '/events:create', readNamespacedPod: '/pods:get', patchNamespacedPod: '/pods:patch',
      listNamespacedEndpointSlice: 'discovery.k8s.io/endpointslices:list', listNamespacedPod: '/pods:list', listNamespacedEndpoints: '/endpoints:list',
    };
    const k8sDir = join(REPO_ROOT, 'src/k8s');
    if (existsSync(k8sDir)) {
      for (const f of readdirSync(k8sDir).filter((x) => x.endsWith('.ts'))) {
        const text = readFileSync(join(k8sDir, f), 'utf8');
        for (const [m, perm] of Object.entries(calls)) if (text.includes(`.${m}(`)) needed.add(perm);
        for (const m of text.matchAll(/'\/apis\/([^/]+)\/v1\/namespaces\/[^']*\/([a-z]+)'/g)) needed.add(`${m[1] ?? ''}/${m[2] ?? ''}:watch`);
      }
    }
    assert.deepEqual([...granted].sort(), [...needed].sort());
  });
});

describe('examples: configuration and README', () => {
  for (const dir of K8S_DIRS.filter((d) => d.startsWith('examples/'))) {
    it(`${dir}: every meshrr ConfigMap renders a router config`, async () => {
      const tmp = await mkdtemp(join(tmpdir(), 'meshrr-manifests-'));
      try {
        for (const w of workloads.filter((x) => x.file.startsWith(`${dir}/`))) {
          const files = confFiles(scope(w), w);
          for (const [name, text] of Object.entries(files)) await writeFile(join(tmp, name), text);
          const setup = await loadPodSetup({ POD_IP: '10.42.7.7', ...containerEnv(w).values, MESHRR_CONF: join(tmp, 'meshrr.conf.yml'), MESHRR_TEMPLATE: join(tmp, 'meshrr.conf.njk') });
          assert.ok(setup.rendered.config.groups.length >= 2, `${where(w)} renders`);
          if ('meshrr.conf.njk' in files) assert.match(setup.rendered.template, /meshrr\.conf\.njk$/, `${where(w)}: the template override is used`);
          await rm(join(tmp, 'meshrr.conf.njk'), { force: true });
        }
      } finally {
        await rm(tmp, { recursive: true, force: true });
      }
    });

    it(`${dir}: README applies every file, after the namespace and RBAC`, () => {
      const readme = readFileSync(join(REPO_ROOT, dir, 'README.md'), 'utf8');
      const applied = [...readme.matchAll(/kubectl apply -f (\S+)/g)].map((m) => m[1] ?? '');
      const own = yamlFiles(dir).map((f) => f.slice(dir.length + 1));
      for (const f of own) assert.ok(applied.includes(f), `README applies ${f}`);
      assert.deepEqual(applied.slice(0, 2), ['../../manifests/00-namespace.yaml', '../../manifests/rbac.yaml']);
      for (const router of ['Junos', 'FRR']) assert.match(readme, new RegExp(`## .*${router}`), `README has ${router} configuration`);
    });
  }
});

