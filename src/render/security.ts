// The hardening every pod and container gets, whatever the mode.
import type { V1PodSecurityContext, V1SecurityContext } from '@kubernetes/client-node';

/** uid/gid of the "valkey" and "redis" users in the official images. */
export const SERVER_UID = 999;

export function podSecurityContext(): V1PodSecurityContext {
  return {
    runAsNonRoot: true,
    runAsUser: SERVER_UID,
    runAsGroup: SERVER_UID,
    fsGroup: SERVER_UID,
    fsGroupChangePolicy: 'OnRootMismatch',
    seccompProfile: { type: 'RuntimeDefault' },
  };
}

export function containerSecurityContext(): V1SecurityContext {
  return {
    runAsNonRoot: true,
    runAsUser: SERVER_UID,
    runAsGroup: SERVER_UID,
    allowPrivilegeEscalation: false,
    readOnlyRootFilesystem: true,
    privileged: false,
    capabilities: { drop: ['ALL'] },
    seccompProfile: { type: 'RuntimeDefault' },
  };
}
