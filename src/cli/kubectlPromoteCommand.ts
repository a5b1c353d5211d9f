// `kubectl rk promote NAME POD`: a planned switchover to that replica. The request is an
// annotation on the resource (RBAC on the resource decides who may ask); the operator answers it
// with the engine's lossless handover or a refusal with a reason (operator/promotion.ts), and
// this command waits for that answer in `status.promotion` and exits by it: 0 promoted, 1 not.
import { PROMOTE_ANNOTATION } from '../api/requestAnnotations.js';
import { CRD_KIND } from '../api/crd.js';
import { resourcePath } from '../apply/discovery.js';
import { readObject } from '../apply/serverSideApply.js';
import { waitFor, WaitTimeoutError } from '../engine/wait.js';
import { stdio, type ClusterFlags, type Io } from './applyCommand.js';
import { CliError } from './input.js';
import { openResource } from './kubectlStatusCommand.js';

interface PromotionView {
  pod?: string;
  result?: string;
  reason?: string;
  message?: string;
  time?: string;
}

export async function kubectlPromoteCommand(
  o: ClusterFlags & { name: string; pod: string; namespace?: string; wait: boolean; timeout: number },
  io: Io = stdio,
): Promise<number> {
  const { namespace, s, info } = await openResource(o);
  // The answer's time has whole seconds: an answer from this second on is to this request.
  const askedAt = new Date(Math.floor(Date.now() / 1000) * 1000).toISOString().replace(/\.\d{3}Z$/, 'Z');
  const path = resourcePath(info, namespace, o.name);
  await s.http.request('PATCH', path, {
    body: { metadata: { annotations: { [PROMOTE_ANNOTATION]: o.pod } } },
    contentType: 'application/merge-patch+json',
  });
  const what = `${info.plural}/${o.name}`;
  if (!o.wait) {
    io.out(`${what}: promotion of ${o.pod} requested; kubectl rk status ${o.name} shows the answer`);
    return 0;
  }
  let answer: PromotionView | undefined;
  try {
    await waitFor(
      `the operator to answer the promotion of ${o.pod}`,
      async () => {
        const res = await readObject(s, info, namespace, o.name);
        if (!res) throw new CliError(`${CRD_KIND} "${o.name}" was deleted`, 1);
        const pending = res.metadata.annotations?.[PROMOTE_ANNOTATION];
        const p = (res.status as { promotion?: PromotionView } | undefined)?.promotion;
        if (pending === undefined && p?.pod === o.pod && (p.time ?? '') >= askedAt) {
          answer = p;
          return true;
        }
        return pending === undefined ? 'the request is gone without an answer' : 'no answer yet';
      },
      { timeoutMs: o.timeout * 1000, intervalMs: 250 },
    );
  } catch (e) {
    if (e instanceof CliError) throw e;
    if (e instanceof WaitTimeoutError)
      throw new CliError(
        `${what}: no answer from the operator within ${o.timeout}s; the request stays on the resource and is answered when the operator runs (kubectl rk status ${o.name})`,
        1,
      );
    throw e;
  }
  const a = answer!;
  if (a.result === 'Promoted') {
    io.out(`${what}: ${o.pod} is master (${a.reason}): ${a.message}`);
    return 0;
  }
  io.err(`${what}: promotion of ${o.pod} refused (${a.reason}): ${a.message}`);
  return 1;
}
