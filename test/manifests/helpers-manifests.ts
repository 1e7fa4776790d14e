/**
 * Reads the Kubernetes YAML of `manifests/` and `examples/<name>/` for the manifest checks
 * and the end-to-end tests: every document with its file and index, and typed accessors for
 * what the tests look at (workloads and their pod templates, Services, ConfigMaps, the
 * environment a container gets).
 *
 * Must not: interpret anything the API server would default (the tests check what is written).
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { parseAllDocuments } from 'yaml';
import { REPO_ROOT } from '../e2e/helpers-pod.js';

export type Json = null | boolean | number | string | Json[] | { [k: string]: Json };
export type Obj = { [k: string]: Json };

export interface K8sDoc {
  /** Path relative to the repository root. */
  readonly file: string;
  readonly index: number;
  readonly apiVersion: string;
  readonly kind: string;
  readonly name: string;
  readonly namespace: string;
  readonly body: Obj;
}

export const WORKLOAD_KINDS = ['Deployment', 'DaemonSet', 'StatefulSet'] as const;

/** Folders holding Kubernetes YAML (examples/router holds a router config, not Kubernetes YAML). */
export const K8S_DIRS = ['manifests', 'examples/2regions-hrr', 'examples/3clientgroups', 'examples/load-balanced-route-servers'] as const;

export function yamlFiles(dir: string): string[] {
  const abs = join(REPO_ROOT, dir);
  const out: string[] = [];
  for (const e of readdirSync(abs)) {
    const p = join(abs, e);
    if (statSync(p).isDirectory()) out.push(...yamlFiles(relative(REPO_ROOT, p)));
    else if (/\.ya?ml$/.test(e)) out.push(relative(REPO_ROOT, p));
  }
  return out.sort();
}

export const isObj = (v: Json | undefined): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);
export const obj = (v: Json | undefined): Obj => (isObj(v) ? v : {});
export const arr = (v: Json | undefined): Json[] => (Array.isArray(v) ? v : []);
export const str = (v: Json | undefined): string => (typeof v === 'string' ? v : '');

/** Every document of every YAML file under `dirs`; throws on a YAML error (with file and line). */
export function loadDocs(dirs: readonly string[] = K8S_DIRS): K8sDoc[] {
  const docs: K8sDoc[] = [];
  for (const dir of dirs) {
    for (const file of yamlFiles(dir)) {
      const text = readFileSync(join(REPO_ROOT, file), 'utf8');
      parseAllDocuments(text).forEach((d, index) => {
        if (d.errors.length > 0) throw new Error(`${file} document ${index}: ${d.errors.map((e) => e.message).join('; ')}`);
        const body = d.toJS() as Json;
        if (body === null) return;
        if (!isObj(body)) throw new Error(`${file} document ${index}: not a mapping`);
        const md = obj(body['metadata']);
        docs.push({ file, index, apiVersion: str(body['apiVersion']), kind: str(body['kind']), name: str(md['name']), namespace: str(md['namespace']), body });
      });
    }
  }
  return docs;
}

/** The pod template of a workload. */
export function podTemplate(d: K8sDoc): { labels: Record<string, string>; spec: Obj } {
  const t = obj(obj(d.body['spec'])['template']);
  return { labels: obj(obj(t['metadata'])['labels']) as Record<string, string>, spec: obj(t['spec']) };
}

export function matchLabels(selector: Json | undefined): Record<string, string> {
  return obj(obj(selector)['matchLabels']) as Record<string, string>;
}

export const selects = (selector: Record<string, string>, labels: Record<string, string>): boolean =>
  Object.keys(selector).length > 0 && Object.entries(selector).every(([k, v]) => labels[k] === v);

/** A ConfigMap's data by name. */
export function configMapData(docs: readonly K8sDoc[], name: string, namespace: string): Record<string, string> {
  const cm = docs.find((d) => d.kind === 'ConfigMap' && d.name === name && d.namespace === namespace);
  if (cm === undefined) throw new Error(`no ConfigMap ${namespace}/${name}`);
  return obj(cm.body['data']) as Record<string, string>;
}

/** The plain `value:` environment of the workload's container `meshrr` (fieldRefs listed apart). */
export function containerEnv(d: K8sDoc): { values: Record<string, string>; fieldRefs: Record<string, string> } {
  const c = arr(podTemplate(d).spec['containers']).map(obj).find((x) => x['name'] === 'meshrr');
  const values: Record<string, string> = {};
  const fieldRefs: Record<string, string> = {};
  for (const e of arr(c?.['env']).map(obj)) {
    const name = str(e['name']);
    if (typeof e['value'] === 'string') values[name] = e['value'];
    const ref = str(obj(obj(e['valueFrom'])['fieldRef'])['fieldPath']);
    if (ref !== '') fieldRefs[name] = ref;
  }
  return { values, fieldRefs };
}

/** The files a workload's `conf` volume puts in /opt/meshrr/conf: file name -> content. */
export function confFiles(docs: readonly K8sDoc[], d: K8sDoc): Record<string, string> {
  const vol = arr(podTemplate(d).spec['volumes']).map(obj).find((v) => v['name'] === 'conf');
  const cm = obj(vol?.['configMap']);
  const data = configMapData(docs, str(cm['name']), d.namespace);
  const out: Record<string, string> = {};
  for (const it of arr(cm['items']).map(obj)) {
    const v = data[str(it['key'])];
    if (v === undefined) throw new Error(`${d.file}: ConfigMap ${str(cm['name'])} has no key ${str(it['key'])}`);
    out[str(it['path'])] = v;
  }
  return out;
}
