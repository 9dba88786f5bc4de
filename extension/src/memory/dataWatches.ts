// Data breakpoints made from a selection in the memory inspector. They travel as the adapter's
// second set (snpSetInspectorDataBreakpoints), apart from VS Code's setDataBreakpoints, so neither
// replaces the other's: a watch stays armed while VS Code changes its own breakpoints.
import type * as vscode from 'vscode';
import { SNP_SET_INSPECTOR_DATA_BREAKPOINTS, type InspectorDataBreakpoint, type SnpSetInspectorDataBreakpointsResponse } from '../../../protocol/customRequests';
import type { AddressSpace } from '../../../protocol/webviewMessages';
import type { SessionState, SessionWatcher } from '../debug/sessionWatcher';
import { dap, snpRequest } from '../debug/snpRequests';
import { memoryReference } from './memorySource';

export class DataWatches {
  /** The inspector's watches per session id, in the order they were made. */
  private readonly watches = new Map<string, InspectorDataBreakpoint[]>();

  constructor(watcher: SessionWatcher, private readonly log: vscode.LogOutputChannel) {
    watcher.onEnd((s) => this.watches.delete(s.id));
  }

  /** Adds a watch on [address, address+count); says whether the adapter took it, and why not. */
  async add(state: SessionState, space: AddressSpace, address: bigint, count: number, access: 'write' | 'read' | 'readWrite'): Promise<{ ok: boolean; message: string }> {
    const info = await dap.dataBreakpointInfo(state.session, memoryReference(space, address), count);
    if (!info.dataId) return { ok: false, message: `no data breakpoint possible: ${info.description}` };
    if (info.accessTypes && !info.accessTypes.includes(access)) return { ok: false, message: `the adapter cannot break on ${access} there (it offers ${info.accessTypes.join(', ')})` };
    const before = this.watches.get(state.session.id) ?? [];
    const list = [...before, { dataId: info.dataId, accessType: access }];
    const r = await this.send(state, list);
    const mine = r?.breakpoints.at(-1);
    if (!r || !mine?.verified) {
      // keep only what the adapter armed
      if (r) await this.send(state, before);
      return { ok: false, message: `data breakpoint refused: ${mine?.message ?? 'the adapter did not take it'}` };
    }
    this.watches.set(state.session.id, list);
    return { ok: true, message: `data breakpoint (${access}) set on ${info.description}; ${list.length} set from this inspector` };
  }

  /** Removes every watch the inspector made in this session. */
  async clear(state: SessionState): Promise<{ ok: boolean; message: string }> {
    const n = this.watches.get(state.session.id)?.length ?? 0;
    if (!(await this.send(state, []))) return { ok: false, message: 'the adapter did not take the change' };
    this.watches.delete(state.session.id);
    return { ok: true, message: n ? `removed ${n} data breakpoint${n > 1 ? 's' : ''} set from this inspector` : 'no data breakpoints were set from this inspector' };
  }

  private async send(state: SessionState, breakpoints: InspectorDataBreakpoint[]): Promise<SnpSetInspectorDataBreakpointsResponse | null> {
    try {
      return await snpRequest(state.session, SNP_SET_INSPECTOR_DATA_BREAKPOINTS, { breakpoints });
    } catch (e) {
      this.log.error(`${SNP_SET_INSPECTOR_DATA_BREAKPOINTS} failed: ${e instanceof Error ? e.message : String(e)}`);
      return null;
    }
  }
}
