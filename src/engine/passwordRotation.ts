// Changing the instance's password while it serves, without a moment in which any member
// refuses a connection made with the password its peer holds:
//   1. every running member (servers and sentinels) accepts the new password besides the old
//      one (ACL SETUSER default >new: the default user may hold several passwords);
//   2. every member presents the new one from then on: masterauth on servers, auth-pass and
//      sentinel-pass on sentinels (links already open stay authenticated; AUTH is only sent
//      when a link is made);
//   3. every member drops the old one (ACL SETUSER default resetpass >new).
// Each step is idempotent and tolerates members that already took it or were restarted with
// the new password's configuration, so an interrupted rotation is finished by running it again.
// Members that are not running are skipped: they start with configuration made from ctx.password.
import { aclSetUser, configSet } from '../valkey/admin.js';
import { connect, closeClient, type ValkeyClient } from '../valkey/connection.js';
import { errorKind } from '../valkey/errors.js';
import { fetchReplication } from '../valkey/info.js';
import { sentinelConfigSet, sentinelSet } from '../valkey/sentinel.js';
import { adminConnection } from './adminConnection.js';
import type { EngineContext } from './context.js';
import { knownDataMembers, knownSentinelMembers } from './topology.js';
import { waitFor } from './wait.js';

export interface PasswordChange {
  /** The password being retired; members may still accept (and present) only this one. */
  from: string;
  /** The new password: ctx.password must already be this one. */
  to: string;
}

interface Reached {
  member: string;
  kind: 'server' | 'sentinel';
  client: ValkeyClient;
}

/** Rotates every running member of the instance from `change.from` to `change.to`. */
export async function rotatePassword(ctx: EngineContext, change: PasswordChange): Promise<void> {
  if (!ctx.inst.auth.enabled) throw new Error(`${ctx.inst.name} has auth disabled: there is no password to rotate`);
  if (ctx.password !== change.to) throw new Error('rotatePassword: the engine context must carry the new password');
  const reached = await reachRunningMembers(ctx, change);
  try {
    for (const r of reached) await aclSetUser(r.client, 'default', ['on', `>${change.to}`]);
    ctx.log(`password: ${reached.length} running member${reached.length === 1 ? '' : 's'} accept the new password`);

    const name = ctx.inst.sentinel?.masterName;
    for (const r of reached) {
      if (r.kind === 'server') await configSet(r.client, { masterauth: change.to });
      else {
        await sentinelSet(r.client, name!, { 'auth-pass': change.to });
        await sentinelConfigSet(r.client, 'sentinel-pass', change.to);
      }
    }
    ctx.log('password: every member presents the new password to its master and peers');

    // A replica whose link broke while the masters knew only one of the passwords has to be
    // linked again before the old password goes, or it would have no password left to try.
    await waitForReplicaLinks(ctx, reached);

    if (change.from !== change.to) {
      for (const r of reached) await aclSetUser(r.client, 'default', ['on', 'resetpass', `>${change.to}`]);
    }
    ctx.log('password: the old password is no longer accepted anywhere');
  } finally {
    await Promise.all(reached.map((r) => closeClient(r.client)));
  }
}

/** A connection to every running member, made with whichever of the two passwords it accepts. */
async function reachRunningMembers(ctx: EngineContext, change: PasswordChange): Promise<Reached[]> {
  const members = [
    ...knownDataMembers(ctx).map((m) => ({ member: m, kind: 'server' as const })),
    ...knownSentinelMembers(ctx).map((m) => ({ member: m, kind: 'sentinel' as const })),
  ].filter((m) => ctx.platform.members().includes(m.member));
  const reached: Reached[] = [];
  try {
    for (const m of members) {
      if (!(await ctx.platform.state(m.member)).running) {
        ctx.log(`password: ${m.member} is not running; it starts with the new password`);
        continue;
      }
      reached.push({ ...m, client: await connectWithEither(ctx, m.member, change) });
    }
  } catch (e) {
    await Promise.all(reached.map((r) => closeClient(r.client)));
    throw e;
  }
  return reached;
}

async function connectWithEither(ctx: EngineContext, member: string, change: PasswordChange): Promise<ValkeyClient> {
  const at = ctx.platform.placement(member);
  const base = adminConnection(ctx);
  try {
    return await connect(at, { ...base, password: change.to });
  } catch (e) {
    if (errorKind(e) !== 'auth' || change.from === change.to) throw e;
  }
  try {
    return await connect(at, { ...base, password: change.from });
  } catch (e) {
    if (errorKind(e) === 'auth')
      throw new Error(`${member} accepts neither the new nor the previous password; it was changed outside rk`, {
        cause: e,
      });
    throw e;
  }
}

async function waitForReplicaLinks(ctx: EngineContext, reached: readonly Reached[]): Promise<void> {
  const servers = reached.filter((r) => r.kind === 'server');
  await waitFor(
    'replicas linked to their masters with the new password',
    async () => {
      for (const r of servers) {
        const repl = await fetchReplication(r.client);
        if (repl.role === 'replica' && repl.masterLinkStatus !== 'up')
          return `${r.member}: master link ${repl.masterLinkStatus}`;
      }
      return true;
    },
    { timeoutMs: ctx.timeoutMs, intervalMs: 100, onWait: (why) => ctx.log(`password: waiting: ${why}`) },
  );
}
