// A connection to one cluster for one command run: the HTTP transport, the discovery cache that
// every step shares, and the secret values that must be scrubbed from anything we print.
import { Discovery } from './discovery.js';
import { KubeHttp, type Transport } from './kubeHttp.js';
import { loadKubeConfig, type ClusterTarget } from './kubeConfig.js';

export interface Session {
  http: Transport;
  discovery: Discovery;
  /** Shared with the transport, which scrubs these from API error messages. */
  secrets: Set<string>;
}

export function connect(target: ClusterTarget): Session & { http: KubeHttp } {
  const http = new KubeHttp(loadKubeConfig(target));
  return { http, discovery: new Discovery(http), secrets: http.secrets };
}
