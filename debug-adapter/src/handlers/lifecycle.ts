// Session lifecycle: launch, configurationDone, restart, terminate, disconnect, threads.
//
//   initialize ─► launch (guest loaded, `initialized` sent) ─► breakpoints… ─► configurationDone
//   ─► the guest starts (stopOnEntry: stopped 'entry'; else running). Nothing runs before both
//   launch and configurationDone have happened, whichever comes first.

import type { DebugProtocol } from '@vscode/debugprotocol';
import { THREAD_ID, type SessionContext } from '../context';
import { ErrorCode, userError } from '../errors';
import { launchGuest, startGuest } from '../launchGuest';
import type { HandlerTable } from './handlerTypes';

function unload(ctx: SessionContext): void {
  const l = ctx.loaded;
  if (!l) return;
  l.run.halt();
  l.target.dispose();
  ctx.loaded = null;
  ctx.invalidateCaches();
}

export const lifecycleHandlers: HandlerTable = {
  launch(ctx: SessionContext, args: DebugProtocol.LaunchRequestArguments) {
    if (ctx.loaded) throw userError(ErrorCode.BadArguments, 'a guest is already launched in this session');
    launchGuest(ctx, args);
    ctx.rawLaunch = args;
    ctx.afterResponse(() => {
      ctx.send({ seq: 0, type: 'event', event: 'initialized' });
      startGuest(ctx);
    });
    return undefined;
  },

  attach() {
    throw userError(ErrorCode.Unsupported, "the 'snp' debugger launches its guest; attach is not supported");
  },

  configurationDone(ctx: SessionContext) {
    ctx.configured = true;
    ctx.afterResponse(() => startGuest(ctx));
    return undefined;
  },

  restart(ctx: SessionContext, args: DebugProtocol.RestartArguments) {
    const raw = (args.arguments as DebugProtocol.LaunchRequestArguments | undefined) ?? ctx.rawLaunch;
    if (!raw) throw userError(ErrorCode.NotLoaded, 'nothing to restart: no guest was launched');
    unload(ctx);
    launchGuest(ctx, raw);
    ctx.rawLaunch = raw;
    ctx.afterResponse(() => startGuest(ctx));
    return undefined;
  },

  terminate(ctx: SessionContext) {
    ctx.loaded?.run.halt();
    if (!ctx.terminated) {
      ctx.terminated = true;
      ctx.afterResponse(() => ctx.send({ seq: 0, type: 'event', event: 'terminated' }));
    }
    return undefined;
  },

  disconnect(ctx: SessionContext) {
    unload(ctx);
    ctx.afterResponse(() => ctx.host.shutdown());
    return undefined;
  },

  threads(ctx: SessionContext): DebugProtocol.ThreadsResponse['body'] {
    return { threads: ctx.loaded ? [{ id: THREAD_ID, name: 'vCPU 0' }] : [] };
  },

  cancel() {
    return undefined;
  },
};
