// The `snp` debug type's custom DAP requests, declared once: names plus argument and response
// types. 64-bit values travel as "0x…" strings (JSON has no 64-bit integers); binary data as base64.

/** Resume and stop at the next VM exit (any exit, whatever the exception filters say). */
export const SNP_CONTINUE_TO_VM_EXIT = 'snpContinueToVmExit';
/** RMP entries of a guest-physical range. */
export const SNP_READ_RMP = 'snpReadRmp';
/** The guest-physical memory map: RAM/MMIO ranges with attributes, RMP state and mappings. */
export const SNP_MEMORY_MAP = 'snpMemoryMap';
/** The log of VM exits, with the instruction count at each. */
export const SNP_VM_EXIT_LOG = 'snpVmExitLog';
/** The page walk of a guest-virtual address, with the C-bit at each level. */
export const SNP_PAGE_WALK = 'snpPageWalk';
/** The host's view (ciphertext for private pages) of a guest-physical range. */
export const SNP_HOST_VIEW = 'snpHostView';
/**
 * The memory inspector's own data breakpoints: a second set beside the one VS Code sends with
 * setDataBreakpoints. Each request replaces only this set, and setDataBreakpoints replaces only
 * VS Code's, so neither side can drop the other's watches, even for a moment.
 */
export const SNP_SET_INSPECTOR_DATA_BREAKPOINTS = 'snpSetInspectorDataBreakpoints';

/** Event sent about twice a second while the guest runs: how far it got and how fast. */
export const SNP_RUN_PROGRESS_EVENT = 'snpRunProgress';
export interface SnpRunProgressEventBody {
  /** Guest instructions retired since launch. */
  instructions: number;
  /** Instructions per second over the last report interval. */
  instructionsPerSecond: number;
}

export const CUSTOM_REQUEST_NAMES = [SNP_CONTINUE_TO_VM_EXIT, SNP_READ_RMP, SNP_MEMORY_MAP, SNP_VM_EXIT_LOG, SNP_PAGE_WALK, SNP_HOST_VIEW, SNP_SET_INSPECTOR_DATA_BREAKPOINTS] as const;
export type CustomRequestName = (typeof CUSTOM_REQUEST_NAMES)[number];

/** A 64-bit value as "0x…". */
export type Hex64 = string;

export interface SnpContinueToVmExitArguments {
  threadId?: number;
}
export type SnpContinueToVmExitResponse = Record<string, never>;

export interface SnpReadRmpArguments {
  gpa: Hex64;
  /** 4 KiB pages from gpa (default 1, at most 4096). */
  pages?: number;
}
/** One RMP entry (AMD APM Vol. 2 §15.36.3), as the adapter decodes it. */
export interface RmpEntryInfo {
  gpa: Hex64;
  assigned: boolean;
  validated: boolean;
  pageSize: '4K' | '2M';
  immutable: boolean;
  vmsa: boolean;
  asid: number;
  /** Guest physical frame the page is assigned to, for assigned pages. */
  gpaAssigned: Hex64 | null;
  vmplPermissions: string[];
}
export interface SnpReadRmpResponse {
  entries: RmpEntryInfo[];
}

export type SnpMemoryMapArguments = Record<string, never>;
export interface MemoryMapRange {
  gpaStart: Hex64;
  /** Exclusive. */
  gpaEnd: Hex64;
  kind: 'ram' | 'mmio';
  /** What the range holds, when the VMM knows ("image", "boot stack", "page tables", "GHCB"...). */
  label: string | null;
  /** Private (encrypted) memory; null when the VM type has no private memory. */
  private: boolean | null;
  /** RMP state summary for the range; null without an RMP. */
  rmp: 'assigned-validated' | 'assigned' | 'shared' | 'mixed' | null;
  /** Guest-virtual addresses the range is mapped at under the current CR3 (first page only). */
  mappedAt: Hex64[];
}
export interface SnpMemoryMapResponse {
  ranges: MemoryMapRange[];
}

export interface SnpVmExitLogArguments {
  /** First exit index to return (default 0). */
  from?: number;
  /** At most this many (default 1000). */
  count?: number;
}
export interface VmExitRecord {
  index: number;
  /** Retired instructions when the exit happened. */
  icount: number;
  rip: Hex64;
  /** KVM name of the exit (KVM_EXIT_IO, ...), VMGEXIT for one KVM handled, or the instruction for a plain VM (HLT, VMMCALL). */
  reason: string;
  summary: string;
  /** The exit's fields, decoded (kvm_run fields by KVM name; a VMGEXIT's GHCB MSR or SW_EXITCODE/INFO). */
  fields?: Record<string, string>;
  /** What answered it: the VMM's kvm_run answer fields, or KVM's response to a VMGEXIT. */
  answer?: Record<string, string>;
}
export interface SnpVmExitLogResponse {
  exits: VmExitRecord[];
  total: number;
}

export interface SnpPageWalkArguments {
  gva: Hex64;
}
export interface PageWalkLevel {
  level: 4 | 3 | 2 | 1;
  name: 'PML4E' | 'PDPTE' | 'PDE' | 'PTE';
  entryGpa: Hex64;
  entry: Hex64;
  present: boolean;
  writable: boolean;
  user: boolean;
  noExecute: boolean;
  /** PS: this entry maps a 1G/2M page. */
  large: boolean;
  /** C-bit set in this entry (what it points to is private). */
  cbit: boolean;
  /** The table holding this entry was reached with the C-bit set. */
  tableCbit: boolean;
}
export interface SnpPageWalkResponse {
  gva: Hex64;
  cr3: Hex64;
  levels: PageWalkLevel[];
  gpa: Hex64 | null;
  cbit: boolean | null;
  pageSize: number | null;
  /** Why the walk failed (not present, reserved bit...), null on success. */
  fault: string | null;
}

export interface SnpHostViewArguments {
  gpa: Hex64;
  /** Bytes (at most 64 KiB). */
  count: number;
}
export interface SnpHostViewResponse {
  gpa: Hex64;
  /** base64 of the readable prefix. */
  data: string;
  unreadableBytes: number;
  pages: { gpa: Hex64; private: boolean; encrypted: boolean }[];
}

/** One inspector data breakpoint: a dataId from dataBreakpointInfo, as in DAP's DataBreakpoint. */
export interface InspectorDataBreakpoint {
  dataId: string;
  accessType?: 'read' | 'write' | 'readWrite';
  condition?: string;
  hitCondition?: string;
}
export interface SnpSetInspectorDataBreakpointsArguments {
  /** The whole inspector set (an empty list removes them all). */
  breakpoints: InspectorDataBreakpoint[];
}
export interface SnpSetInspectorDataBreakpointsResponse {
  /** In request order; `id` is what a stopped event's hitBreakpointIds names. */
  breakpoints: { id: number; verified: boolean; message?: string }[];
}

/** Argument and response types by request name. */
export interface CustomRequests {
  [SNP_CONTINUE_TO_VM_EXIT]: { args: SnpContinueToVmExitArguments; body: SnpContinueToVmExitResponse };
  [SNP_READ_RMP]: { args: SnpReadRmpArguments; body: SnpReadRmpResponse };
  [SNP_MEMORY_MAP]: { args: SnpMemoryMapArguments; body: SnpMemoryMapResponse };
  [SNP_VM_EXIT_LOG]: { args: SnpVmExitLogArguments; body: SnpVmExitLogResponse };
  [SNP_PAGE_WALK]: { args: SnpPageWalkArguments; body: SnpPageWalkResponse };
  [SNP_HOST_VIEW]: { args: SnpHostViewArguments; body: SnpHostViewResponse };
  [SNP_SET_INSPECTOR_DATA_BREAKPOINTS]: { args: SnpSetInspectorDataBreakpointsArguments; body: SnpSetInspectorDataBreakpointsResponse };
}
