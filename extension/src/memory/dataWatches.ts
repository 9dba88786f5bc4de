// Data breakpoints made from a selection in the memory inspector. DAP's setDataBreakpoints replaces
// the adapter's whole set, so ours are always sent together with the set VS Code last sent (seen by
// the SessionWatcher), and sent again whenever VS Code replaces it.
import type * as vscode from 'vscode';
import type { AddressSpace } from '../../../protocol/webviewMessages';
import type { SessionState, SessionWatcher } from '../debug/sessionWatcher';
import { dap, type DataBreakpointArg } from '../debug/snpRequests';
import { memoryReference } from './memorySource';

export class DataWatches {
  /** Our watches per session id. */
  private readonly watches = new Map<string, DataBreakpointArg[]>();

  constructor(private readonly watcher: SessionWatcher, private readonly log: vscode.LogOutputChannel) {
    watcher.onWorkbenchDataBreakpoints((s) => { if (this.watches.get(s.session.id)?.length) void this.apply(s); });
    watcher.onEnd((s) => this.watches.delete(s.id));
  }

  /** Adds a watch on [address, address+count); says whether the adapter took it, and why not. */
  async add(state: SessionState, space: AddressSpace, address: bigint, count: number, access: 'write' | 'read' | 'readWrite'): Promise<{ ok: boolean; message: string }> {
    const info = await dap.dataBreakpointInfo(state.session, memoryReference(space, address), count);
    if (!info.dataId) return { ok: false, message: `no data breakpoint possible: ${info.description}` };
    if (info.accessTypes && !info.accessTypes.includes(access)) return { ok: false, message: `the adapter cannot break on ${access} there (it offers ${info.accessTypes.join(', ')})` };
    const list = this.watches.get(state.session.id) ?? [];
    list.push({ dataId: info.dataId, accessType: access });
    this.watches.set(state.session.id, list);
    const r = await this.apply(state);
    const mine = r?.breakpoints.at(-1);
    if (!r || (mine && !mine.verified)) return { ok: false, message: `data breakpoint refused: ${mine?.message ?? 'the adapter did not take it'}` };
    return { ok: true, message: `data breakpoint (${access}) set on ${info.description}` };
  }

  private async apply(state: SessionState): Promise<{ breakpoints: { verified: boolean; message?: string }[] } | null> {
    const all = [...state.workbenchDataBreakpoints, ...(this.watches.get(state.session.id) ?? [])];
    try {
      return await dap.setMergedDataBreakpoints(state.session, all);
    } catch (e) {
      this.log.error(`setDataBreakpoints failed: ${e instanceof Error ? e.message : String(e)}`);
      return null;
    }
  }
}
