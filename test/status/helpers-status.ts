/**
 * Reaching a meshrr's status API from a test: meshrr runs inside the test's namespace with
 * the status server on its default 127.0.0.1:8080 (each namespace has its own loopback), so
 * queries run there too: plain `node` with fetch for raw HTTP (probes, /metrics; no curl
 * on a fresh CI machine), and the real `meshrr`
 * CLI (`node --import tsx src/cli/main.ts ...`) for `show` and `dump rib`.
 */
import type { Netns } from '../helpers/netns.js';
import { join } from 'node:path';
import { REPO_ROOT } from '../topo/helpers-meshrr.js';

export const STATUS_PORT = 8080;

export interface HttpResult {
  readonly status: number;
  readonly body: string;
}

/** Prints the body, a newline and the status of one GET (5 s bound). */
const FETCH_SCRIPT =
  'fetch(process.argv[1], { signal: AbortSignal.timeout(5000) }).then(async (r) => process.stdout.write(`${await r.text()}\\n${r.status}`), (e) => { console.error(String(e)); process.exit(3); })';

/** GET http://127.0.0.1:PORT/PATH inside `ns`. */
export async function nsGet(ns: Netns, path: string, port = STATUS_PORT): Promise<HttpResult> {
  const r = await ns.exec('node', ['-e', FETCH_SCRIPT, `http://127.0.0.1:${port}${path}`], { allowFailure: true, timeoutMs: 10_000 });
  if (r.code !== 0) throw new Error(`GET ${path}: exit ${r.code} ${r.stderr}`);
  const i = r.stdout.lastIndexOf('\n');
  return { status: Number(r.stdout.slice(i + 1)), body: r.stdout.slice(0, i) };
}

/** Runs the meshrr CLI inside `ns`; rejects on a non-zero exit. */
export async function nsMeshrr(ns: Netns, args: readonly string[]): Promise<string> {
  const r = await ns.exec('node', ['--import', 'tsx', join(REPO_ROOT, 'src/cli/main.ts'), ...args], { timeoutMs: 30_000 });
  return r.stdout;
}

export async function nsMeshrrJson<T>(ns: Netns, args: readonly string[]): Promise<T> {
  return JSON.parse(await nsMeshrr(ns, [...args, '--json'])) as T;
}
