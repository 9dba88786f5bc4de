// What the inspector webview needs to know about a session, and turning what the user typed in the
// "go to" box (an address, a register, a label, `[rbp-8]`) into an address, through DAP evaluate.
import type * as vscode from 'vscode';
import { validateLaunchArguments, type ResolvedLaunchArguments } from '../../../protocol/launchConfig';
import type { AddressSpace, InspectorLocation, SessionInfo } from '../../../protocol/webviewMessages';
import type { SessionState } from '../debug/sessionWatcher';
import { dap, hex64, parseHex64 } from '../debug/snpRequests';

/** The launch arguments as the adapter resolved them (defaults applied); null if they do not validate. */
function launchArgs(session: vscode.DebugSession): ResolvedLaunchArguments | null {
  const v = validateLaunchArguments(session.configuration);
  return v.ok ? v.args : null;
}

/** The session's VM type as launched (the launch default when launch.json omits it). */
export function vmTypeOf(session: vscode.DebugSession): string {
  return launchArgs(session)?.vmType ?? 'default';
}

/** Only SEV-SNP guests have an RMP; asking another target for one is an error the user would see. */
export const hasRmp = (session: vscode.DebugSession): boolean => vmTypeOf(session) === 'snp';

export function sessionInfo(s: SessionState): SessionInfo {
  const args = launchArgs(s.session);
  return {
    id: s.session.id,
    name: s.session.name,
    state: s.running ? 'running' : 'stopped',
    stopEpoch: s.stopEpoch,
    memorySize: hex64(args?.memoryBytes ?? 0),
    // A plain VM has no VMM to read guest memory; every KVM VM type has (snpHostView).
    hostView: (args?.vmType ?? 'default') !== 'default',
    canWrite: s.capabilities.supportsWriteMemoryRequest === true,
    dataBreakpoints: s.capabilities.supportsDataBreakpointBytes === true,
  };
}

/**
 * An address from text: a number is taken as is; `[expr]` or `qword [expr]` means the address expr
 * computes; anything else is evaluated and its memory reference (or value) taken.
 */
export async function resolveAddress(session: vscode.DebugSession, text: string, space: AddressSpace, frameId: number | undefined): Promise<InspectorLocation & { address: string }> {
  const plain = parseHex64(text.replace(/^(gpa|gva):/i, ''));
  const prefixed = /^(gpa|gva):/i.exec(text.trim())?.[1]?.toLowerCase() as AddressSpace | undefined;
  if (plain !== null) return { space: prefixed ?? space, view: 'guest', address: hex64(plain) };
  const operand = /^\s*(?:(?:byte|word|dword|qword)\s+)?\[(.*)\]\s*$/i.exec(text);
  const expression = operand ? operand[1]! : text;
  const r = await dap.evaluate(session, expression, frameId, 'watch');
  const ref = r.memoryReference ? /^(gpa|gva):(0x[0-9a-f]+)$/i.exec(r.memoryReference) : null;
  if (ref && !operand) return { space: ref[1]!.toLowerCase() as AddressSpace, view: 'guest', address: ref[2]! };
  const value = /0x[0-9a-f]+|\b\d+\b/i.exec(r.result)?.[0];
  if (!value) throw new Error(`'${text}' is not an address (it evaluates to ${r.result})`);
  return { space, view: 'guest', address: hex64(BigInt(value)) };
}
