// `npm run sandbox`: a real one-node cluster (see test/e2e/cluster.ts) to
// poke at by hand or with `rk apply`, until Ctrl-C.
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { startTestCluster } from './e2e/cluster.js';

const cluster = await startTestCluster();
// build.sh links kubectl (built into the control-plane binary) next to it.
const kubectl = join(dirname(fileURLToPath(import.meta.url)), '..', '..', 'test', 'control-plane', 'bin', 'kubectl');
process.stdout.write(`
Sandbox cluster is up (apiserver ${cluster.server}).

  export KUBECONFIG=${cluster.kubeconfigPath}
  alias kubectl=${kubectl}

  npx rk apply -f examples/sentinel.yaml     # rk, kubectl, any client that reads KUBECONFIG
  kubectl get pods -A -o wide

The kubeconfig carries an admin client certificate (system:masters).
Pods run as local processes on loopback IPs (127.x.y.z): valkey-cli -h <pod IP> works from
this shell. Service ClusterIPs are 127.x.y.z too and are proxied by the agent. Names like
<pod>.<headless-svc>.<namespace>.svc.cluster.local resolve inside pods only.
kubectl logs/exec do not work (there is no kubelet API): container logs are under
${cluster.agent.dataDir}/logs
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
