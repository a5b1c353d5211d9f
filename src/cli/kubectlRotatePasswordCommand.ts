// `kubectl rk rotate-password NAME`: a new password in the instance's password Secret, which the
// operator carries to every running member live (engine/passwordRotation.ts: both accepted, the
// new one presented, the old one dropped; no restart). The new password is random, or read from
// --password-file (/dev/stdin works); it is never printed, never an argument. The command waits until
// the operator records that the members run on it.
import { CRD_KIND } from '../api/crd.js';
import { RECONCILE_REQUEST_ANNOTATION } from '../api/requestAnnotations.js';
import { newPassword } from '../apply/authSecret.js';
import { resourcePath } from '../apply/discovery.js';
import { readObject } from '../apply/serverSideApply.js';
import { waitFor, WaitTimeoutError } from '../engine/wait.js';
import { readAppliedPassword } from '../operator/appliedPassword.js';
import { resolveResource, type Resource } from '../operator/resource.js';
import { stdio, type ClusterFlags, type Io } from './applyCommand.js';
import { CliError } from './input.js';
import { openResource } from './kubectlStatusCommand.js';
import { readNewPassword } from './rotatePasswordCommand.js';

export async function kubectlRotatePasswordCommand(
  o: ClusterFlags & { name: string; namespace?: string; passwordFile?: string; wait: boolean; timeout: number },
  io: Io = stdio,
): Promise<number> {
  const { namespace, s, info, res } = await openResource(o);
  const resolved = resolveResource(res as unknown as Resource);
  if (!resolved.ok) throw new CliError(`${CRD_KIND} "${o.name}": ${resolved.message}`, 1);
  const inst = resolved.inst;
  if (!inst.auth.enabled)
    throw new CliError(`${CRD_KIND} "${o.name}" has auth disabled: there is no password to rotate`, 1);

  const password = o.passwordFile ? readNewPassword(o.passwordFile) : newPassword();
  s.secrets.add(password);

  const secretInfo = await s.discovery.resolve('v1', 'Secret');
  const secret = await readObject(s, secretInfo, namespace, inst.auth.secretName);
  if (!secret) throw new CliError(`Secret ${namespace}/${inst.auth.secretName} does not exist yet`, 1);
  await s.http.request('PATCH', resourcePath(secretInfo, namespace, inst.auth.secretName), {
    // Checked against the version read: a concurrent change is refused (409) rather than overwritten.
    body: {
      metadata: { resourceVersion: secret.metadata.resourceVersion },
      data: { [inst.auth.secretKey]: Buffer.from(password).toString('base64') },
    },
    contentType: 'application/merge-patch+json',
  });
  // The operator reconciles on a changed annotation: at once, rather than at its next resync.
  await s.http.request('PATCH', resourcePath(info, namespace, o.name), {
    body: { metadata: { annotations: { [RECONCILE_REQUEST_ANNOTATION]: new Date().toISOString() } } },
    contentType: 'application/merge-patch+json',
  });
  const what = `Secret ${namespace}/${inst.auth.secretName} (key ${inst.auth.secretKey})`;
  const managed = inst.auth.generated ? '' : '; it is your Secret: whatever manages it must not write the old one back';
  if (!o.wait) {
    io.out(`${what}: new password written; the operator rotates the members live${managed}`);
    return 0;
  }
  try {
    await waitFor(
      'the operator to rotate the members onto the new password',
      async () => ((await readAppliedPassword(s, inst)) === password ? true : 'members still on the old password'),
      { timeoutMs: o.timeout * 1000, intervalMs: 250 },
    );
  } catch (e) {
    if (e instanceof WaitTimeoutError)
      throw new CliError(
        `${what}: new password written, but the operator has not rotated the members within ${o.timeout}s; clients with the new password are refused until it does (kubectl rk status ${o.name})`,
        1,
      );
    throw e;
  }
  io.out(`${what}: new password written; every running member accepts only it now, no restart${managed}`);
  return 0;
}
