// A connection to one cluster for one command run: the HTTP transport plus the discovery cache
// that every step shares.
import { Discovery } from './discovery.js';
import { KubeHttp, type Transport } from './kubeHttp.js';
import { loadKubeConfig, type ClusterTarget } from './kubeConfig.js';

export interface Session {
  http: Transport & { readonly secrets: Set<string> };
  discovery: Discovery;
}

export function connect(target: ClusterTarget): Session {
  const http = new KubeHttp(loadKubeConfig(target));
  return { http, discovery: new Discovery(http) };
}

/** For tests and callers that already hold a transport. */
export function sessionFor(http: Transport, secrets = new Set<string>()): Session {
  const withSecrets = Object.assign(Object.create(http) as Transport, { secrets, request: http.request.bind(http) });
  return { http: withSecrets as Session['http'], discovery: new Discovery(http) };
}
