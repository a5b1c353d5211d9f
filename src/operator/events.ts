// Events (events.k8s.io/v1) about a resource, for what a person watching `kubectl describe` or
// `kubectl get events` should see: the cluster formed, the master moved, a step not taken. An
// event that cannot be written is logged and forgotten: it never fails a reconcile.
import { randomBytes } from 'node:crypto';
import type { Session } from '../apply/session.js';
import { microTime } from './leaseDecision.js';
import type { Resource } from './resource.js';

export interface EventSink {
  (res: Resource, type: 'Normal' | 'Warning', reason: string, action: string, note: string): Promise<void>;
}

export function eventSink(s: Session, identity: string, log: (line: string) => void): EventSink {
  return async (res, type, reason, action, note) => {
    const ns = res.metadata.namespace;
    try {
      await s.http.request('POST', `/apis/events.k8s.io/v1/namespaces/${encodeURIComponent(ns)}/events`, {
        body: {
          apiVersion: 'events.k8s.io/v1',
          kind: 'Event',
          // client-go's naming, <object>.<hex time>: generateName would end in a dot, which is refused.
          metadata: {
            name: `${res.metadata.name}.${Date.now().toString(16)}${randomBytes(2).toString('hex')}`,
            namespace: ns,
          },
          eventTime: microTime(Date.now()),
          reportingController: 'redis-kubernetes.io/operator',
          reportingInstance: identity,
          action,
          reason,
          note: note.slice(0, 1024),
          type,
          regarding: {
            apiVersion: res.apiVersion,
            kind: res.kind,
            name: res.metadata.name,
            namespace: ns,
            uid: res.metadata.uid,
          },
        },
      });
    } catch (e) {
      log(`${ns}/${res.metadata.name}: event ${reason} not recorded: ${(e as Error).message}`);
    }
  };
}
