// A STANDALONE instance: one server, started with its persisted data.
import { withClient } from '../valkey/connection.js';
import { send } from '../valkey/command.js';
import { adminConnection } from './adminConnection.js';
import type { EngineContext } from './context.js';
import { startServer } from './launch.js';
import { dataMembers } from './topology.js';
import { waitFor } from './wait.js';

export async function ensureStandalone(ctx: EngineContext): Promise<void> {
  const m = dataMembers(ctx.inst)[0]!;
  const at = ctx.platform.placement(m.name);
  if (!(await ctx.platform.state(m.name)).running) {
    ctx.log(`starting ${m.name}`);
    await startServer(ctx, m.name, null);
  }
  // LOADING is answered while a large dataset is read back from disk: not ready yet.
  await waitFor(
    `${m.name} to answer`,
    async () => {
      const pong = await withClient(at, adminConnection(ctx), (c) => send<string>(c, 'PING'));
      return pong === 'PONG' ? true : `${m.name} answered ${pong}`;
    },
    { timeoutMs: ctx.timeoutMs },
  );
}
