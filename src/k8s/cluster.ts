/**
 * Whether meshrr runs in a Kubernetes pod, and which pod: the API server from
 * KUBERNETES_SERVICE_HOST/PORT (set by the kubelet in every container), the service account
 * token mounted at /var/run/secrets/kubernetes.io/serviceaccount, the namespace from
 * POD_NAMESPACE or that mount, the pod name from POD_NAME (downward API) or HOSTNAME.
 */
import { access, readFile } from 'node:fs/promises';

export const SERVICE_ACCOUNT_DIR = '/var/run/secrets/kubernetes.io/serviceaccount';

export type ClusterInfo =
  | { readonly inCluster: true; readonly namespace: string; readonly podName: string; readonly nodeName: string | null }
  | { readonly inCluster: false; readonly reason: string };

export async function detectCluster(env: NodeJS.ProcessEnv, saDir = SERVICE_ACCOUNT_DIR): Promise<ClusterInfo> {
  if ((env['KUBERNETES_SERVICE_HOST'] ?? '') === '' || (env['KUBERNETES_SERVICE_PORT'] ?? '') === '') {
    return { inCluster: false, reason: 'KUBERNETES_SERVICE_HOST/PORT not set: not running in a Kubernetes pod' };
  }
  const token = await access(`${saDir}/token`).then(
    () => true,
    () => false,
  );
  if (!token) return { inCluster: false, reason: `no service account token in ${saDir} (automountServiceAccountToken: false?)` };
  const namespace = env['POD_NAMESPACE'] ?? (await readFile(`${saDir}/namespace`, 'utf8').then((s) => s.trim(), () => ''));
  const podName = env['POD_NAME'] ?? env['HOSTNAME'] ?? '';
  if (namespace === '' || podName === '') return { inCluster: false, reason: 'pod name or namespace unknown (set POD_NAME and POD_NAMESPACE from the downward API)' };
  return { inCluster: true, namespace, podName, nodeName: env['NODE_NAME'] ?? null };
}
