// A changed password Secret, carried to the running members without a restart: the engine's
// rotation (every member accepts both, presents the new one, then drops the old), from the
// password they accept now (appliedPassword.ts) to the one the Secret holds. Interrupted, it
// is finished by the next reconcile: the rotation is idempotent and the record is written last.
import type { Session } from '../apply/session.js';
import type { EngineContext } from '../engine/context.js';
import { rotatePassword } from '../engine/passwordRotation.js';
import { readAppliedPassword, writeAppliedPassword } from './appliedPassword.js';
import type { EventSink } from './events.js';
import type { Resource } from './resource.js';

/** Returns true when it rotated the members onto a changed password. */
export async function carryPasswordChange(
  s: Session,
  ctx: EngineContext,
  res: Resource,
  event: EventSink,
): Promise<boolean> {
  const wanted = ctx.password;
  if (!ctx.inst.auth.enabled || wanted === null) return false;
  const applied = await readAppliedPassword(s, ctx.inst);
  // First reconcile of this resource: the pods started with what the Secret holds now.
  if (applied === null) {
    await writeAppliedPassword(s, ctx.inst, res, wanted);
    return false;
  }
  if (applied === wanted) return false;
  ctx.log('the password Secret changed: rotating the running members onto it');
  await rotatePassword(ctx, { from: applied, to: wanted });
  await writeAppliedPassword(s, ctx.inst, res, wanted);
  await event(
    res,
    'Normal',
    'PasswordRotated',
    'RotatePassword',
    `every running member accepts and presents only the password now in Secret ${ctx.inst.auth.secretName}; no restart`,
  );
  return true;
}
