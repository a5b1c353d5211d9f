// `npm run sandbox`: a real one-node cluster (see test/e2e/cluster.ts) to
// poke at by hand or with `rk apply`, until Ctrl-C.
import { startTestCluster } from './e2e/cluster.js';

const cluster = await startTestCluster();
const ns = 'default';
process.stdout.write(`
Sandbox cluster is up (apiserver ${cluster.server}).

  export KUBECONFIG=${cluster.kubeconfigPath}

  rk apply -f examples/standalone.yaml     # or any client that reads KUBECONFIG

kubectl is not installed on this machine; any KUBECONFIG-aware client works
(the kubeconfig carries an admin client certificate).
Pods run as local processes on loopback IPs (127.x.y.z); Service ClusterIPs
are 127.x.y.z too and are proxied by the agent. Names like
<pod>.<headless-svc>.${ns}.svc.cluster.local resolve inside pods only.
Agent state and container logs: ${cluster.agent.dataDir}/logs
Control-plane logs: ${cluster.dir}/{apiserver,controller-manager}.log

Ctrl-C stops everything and removes all state.
`);

let stopping = false;
const shutdown = () => {
  if (stopping) return;
  stopping = true;
  process.stdout.write('\nstopping sandbox...\n');
  void cluster.stop().then(() => process.exit(0));
};
process.on('SIGINT', shutdown);
process.on('SIGTERM', shutdown);
