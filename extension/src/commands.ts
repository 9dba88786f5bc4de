// The "SNP: …" commands: open the memory inspector (from the palette, a variable's memory reference
// or a view), the RMP table, the VM exit log, the memory map, and continue to the next VM exit.
import * as vscode from 'vscode';
import { SNP_CONTINUE_TO_VM_EXIT } from '../../protocol/customRequests';
import type { AddressSpace } from '../../protocol/webviewMessages';
import type { SessionWatcher } from './debug/sessionWatcher';
import { hex64, snpRequest } from './debug/snpRequests';
import { resolveAddress } from './memory/inspectorSession';
import type { MemoryInspector } from './memory/memoryPanel';
import type { MemoryMapPanel } from './snp/memoryMapPanel';
import { parseGpaRange } from './snp/rmpRuns';
import type { RmpTree } from './snp/rmpTree';

export interface CommandDeps {
  watcher: SessionWatcher;
  inspector: MemoryInspector;
  rmp: RmpTree;
  map: MemoryMapPanel;
  log: vscode.LogOutputChannel;
}

const NO_SESSION = 'SNP: no SNP debug session is active.';

/** What VS Code passes to commands in debug/variables/context and debug/watch/context. */
interface VariableContext {
  variable?: { name?: string; memoryReference?: string };
}

export function registerCommands(d: CommandDeps): vscode.Disposable {
  const guarded = (id: string, fn: (...args: never[]) => Promise<unknown> | unknown) =>
    vscode.commands.registerCommand(id, async (...args: never[]) => {
      try {
        await fn(...args);
      } catch (e) {
        const message = e instanceof Error ? e.message : String(e);
        d.log.error(`${id}: ${message}`);
        void vscode.window.showErrorMessage(`SNP: ${message}`);
      }
    });

  return vscode.Disposable.from(
    guarded('snpdbg.openMemoryInspector', async (arg?: { space?: AddressSpace; address?: string }) => {
      if (arg?.address) return d.inspector.show({ space: arg.space ?? 'gva', view: 'guest', address: arg.address });
      const s = d.watcher.current();
      if (!s || s.running) return d.inspector.show(null);
      const text = await vscode.window.showInputBox({
        title: 'SNP: Open Memory Inspector', value: 'rsp', prompt: 'An address (gpa:0x… for guest-physical), a register, a label or [expression]',
      });
      if (text === undefined) return;
      const frame = vscode.debug.activeStackItem instanceof vscode.DebugStackFrame ? vscode.debug.activeStackItem.frameId : undefined;
      d.inspector.show(await resolveAddress(s.session, text, 'gva', frame));
    }),
    guarded('snpdbg.viewVariableMemory', (ctx?: VariableContext) => {
      const m = /^(gpa|gva):(0x[0-9a-f]+)$/i.exec(ctx?.variable?.memoryReference ?? '');
      if (!m) throw new Error(`'${ctx?.variable?.name ?? 'this value'}' has no memory reference`);
      d.inspector.show({ space: m[1]!.toLowerCase() as AddressSpace, view: 'guest', address: m[2]! });
    }),
    guarded('snpdbg.showRmpTable', async () => {
      const s = d.watcher.current();
      if (!s) return void vscode.window.showWarningMessage(NO_SESSION);
      const current = d.rmp.currentRange;
      const text = await vscode.window.showInputBox({
        title: 'SNP: Show RMP Table', value: `${hex64(current.start)}-${hex64(current.end)}`,
        prompt: 'GPA range: start-end or start+size (at most 64 MiB)', validateInput: (t) => (parseGpaRange(t) ? null : 'e.g. 0x0-0x200000 or 0x100000+0x10000'),
      });
      if (text === undefined) return;
      const range = parseGpaRange(text)!;
      await vscode.commands.executeCommand('snpdbg.rmp.focus');
      await d.rmp.setRange(range.start, range.end);
    }),
    guarded('snpdbg.continueToVmExit', async () => {
      const s = d.watcher.current();
      if (!s) return void vscode.window.showWarningMessage(NO_SESSION);
      await snpRequest(s.session, SNP_CONTINUE_TO_VM_EXIT, { threadId: s.threadId });
    }),
    guarded('snpdbg.showVmExitLog', async () => {
      if (!d.watcher.current()) return void vscode.window.showWarningMessage(NO_SESSION);
      await vscode.commands.executeCommand('snpdbg.vmExits.focus');
    }),
    guarded('snpdbg.showMemoryMap', () => d.map.show()),
  );
}
