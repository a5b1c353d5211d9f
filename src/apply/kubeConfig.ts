// Choosing the cluster: kubectl's rules (--kubeconfig, else $KUBECONFIG, else ~/.kube/config,
// else the in-cluster service account), with errors that say which source was used.
import { existsSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { KubeConfig } from '@kubernetes/client-node';
import { KubeError } from './errors.js';

export interface ClusterTarget {
  kubeconfig?: string;
  context?: string;
}

const IN_CLUSTER_TOKEN = '/var/run/secrets/kubernetes.io/serviceaccount/token';

/** Where the configuration came from, for error messages. */
export function kubeConfigSource(t: ClusterTarget, env: NodeJS.ProcessEnv = process.env): string | null {
  if (t.kubeconfig) return t.kubeconfig;
  if (env.KUBECONFIG) return `$KUBECONFIG (${env.KUBECONFIG})`;
  const home = join(env.HOME ?? homedir(), '.kube', 'config');
  if (existsSync(home)) return home;
  if (existsSync(IN_CLUSTER_TOKEN)) return 'the in-cluster service account';
  return null;
}

export function loadKubeConfig(t: ClusterTarget): KubeConfig {
  const source = kubeConfigSource(t);
  // Without any source, client-node silently falls back to http://localhost:8080; a clear
  // message is more useful than the connection error that would follow.
  if (!source)
    throw new KubeError(
      'no kubeconfig found (looked at $KUBECONFIG, ~/.kube/config and the in-cluster service account): pass --kubeconfig FILE',
    );
  const kc = new KubeConfig();
  try {
    if (t.kubeconfig) kc.loadFromFile(t.kubeconfig);
    else kc.loadFromDefault();
  } catch (e) {
    const err = e as NodeJS.ErrnoException;
    const why = err.code === 'ENOENT' ? 'no such file' : err.message;
    throw new KubeError(`cannot load kubeconfig ${source}: ${why}`);
  }
  if (t.context !== undefined) {
    if (!kc.getContextObject(t.context)) {
      const names = kc.getContexts().map((c) => c.name);
      throw new KubeError(
        `context "${t.context}" is not in ${source}; available: ${names.length ? names.join(', ') : '(none)'}`,
      );
    }
    kc.setCurrentContext(t.context);
  }
  const cluster = kc.getCurrentCluster();
  if (!cluster) {
    const ctx = kc.getCurrentContext();
    throw new KubeError(
      ctx
        ? `kubeconfig ${source}: context "${ctx}" names no known cluster`
        : `kubeconfig ${source} has no current context: pass --context (available: ${
            kc
              .getContexts()
              .map((c) => c.name)
              .join(', ') || 'none'
          })`,
    );
  }
  if (!/^https?:\/\//.test(cluster.server))
    throw new KubeError(
      `kubeconfig ${source}: cluster "${cluster.name}" has no usable server URL (${JSON.stringify(cluster.server)})`,
    );
  return kc;
}
