// Messages between the extension host and its webviews (memory inspector, memory map), declared
// once so both sides type-check against the same shapes. 64-bit addresses travel as "0x…" strings,
// bytes as base64. Each webview talks only to the extension host, never to the adapter.

import type { Hex64, MemoryMapRange, RmpEntryInfo } from './customRequests';

/** Which addresses the inspector shows: guest-physical or guest-virtual (under the frame's CR3). */
export type AddressSpace = 'gpa' | 'gva';
/** Guest view (plaintext, what the guest reads) or host view (what the VMM reads: ciphertext for private pages). */
export type MemoryView = 'guest' | 'host';

/** The colour class of a 4 KiB page. */
export type PageState =
  | 'private-validated'
  | 'private-unvalidated'
  /** Private (encrypted) memory of a VM without an RMP (SEV, SEV-ES, sw-protected). */
  | 'private'
  | 'shared'
  | 'firmware'
  | 'vmsa'
  /** RAM of a VM without private memory (vmType 'default'): neither private nor shared. */
  | 'plain'
  | 'mmio'
  | 'unmapped';

export const PAGE_STATES: readonly PageState[] = ['private-validated', 'private-unvalidated', 'private', 'shared', 'firmware', 'vmsa', 'plain', 'mmio', 'unmapped'];

export const PAGE_STATE_LABELS: Record<PageState, string> = {
  'private-validated': 'private, validated',
  'private-unvalidated': 'private, not validated',
  private: 'private (no RMP)',
  shared: 'shared',
  firmware: 'firmware / secrets',
  vmsa: 'VMSA',
  plain: 'RAM (no private memory)',
  mmio: 'MMIO',
  unmapped: 'unmapped',
};

/** One 4 KiB page of the inspected range, as the hover and the page colouring need it. */
export interface PageInfo {
  /** Page start in the inspected space. */
  address: Hex64;
  /** The guest-physical page behind it; null when a GVA does not translate. */
  gpa: Hex64 | null;
  state: PageState;
  /** What the VMM says the range holds ("GHCB", "boot stack"...). */
  label: string | null;
  rmp: RmpEntryInfo | null;
  /** Short attribute words: 'private', 'C-bit', 'writable', 'NX', 'user'... */
  attributes: string[];
  /** Why a GVA does not translate. */
  fault: string | null;
}

/** The debug session as a webview needs to know it. */
export interface SessionInfo {
  id: string;
  name: string;
  state: 'stopped' | 'running';
  /** Counts stops; bytes are compared between epochs to mark changes. */
  stopEpoch: number;
  memorySize: Hex64;
  /** The adapter answers snpHostView (the target has private memory to show as ciphertext). */
  hostView: boolean;
  canWrite: boolean;
  /** Data breakpoints on addresses are supported. */
  dataBreakpoints: boolean;
}

export interface InspectorLocation {
  space: AddressSpace;
  view: MemoryView;
  address: Hex64;
}

// ---- memory inspector ----------------------------------------------------------------------

export type InspectorToHost =
  | { type: 'ready' }
  | { type: 'read'; requestId: number; space: AddressSpace; view: MemoryView; address: Hex64; count: number }
  | { type: 'write'; requestId: number; space: AddressSpace; address: Hex64; data: string }
  /** An address or an expression typed in the view (`rsp`, `[rbp-8]`, `ghcb`, `0x1000`). */
  | { type: 'resolve'; requestId: number; space: AddressSpace; text: string }
  | { type: 'dataBreakpoint'; space: AddressSpace; address: Hex64; count: number; access: 'write' | 'read' | 'readWrite' }
  /** Remove every data breakpoint this inspector set in the session. */
  | { type: 'clearDataBreakpoints' }
  | { type: 'follow'; enabled: boolean }
  | { type: 'log'; level: 'error' | 'warn' | 'info'; message: string };

export type HostToInspector =
  | { type: 'init'; location: InspectorLocation; follow: boolean; session: SessionInfo | null }
  | { type: 'session'; session: SessionInfo | null }
  | {
      type: 'memory'; requestId: number; space: AddressSpace; view: MemoryView; address: Hex64;
      /** base64 of the readable prefix. */
      data: string;
      /** Bytes after the readable prefix that could not be read. */
      unreadable: number;
      pages: PageInfo[];
      stopEpoch: number;
    }
  /** Show an address (from a command, the followed frame or the memory map). */
  | { type: 'navigate'; location: Partial<InspectorLocation> & { address: Hex64 }; reason: 'command' | 'frame' | 'map' | 'resolve' }
  /** The guest state changed without a stop (a write, a memory event): read again. */
  | { type: 'refresh' }
  /** Following the selected frame was switched (off by an explicit navigation). */
  | { type: 'follow'; enabled: boolean }
  | { type: 'result'; requestId: number; ok: boolean; message: string };

// ---- memory map picture ----------------------------------------------------------------------

/** State of a run of pages, for the strip. */
export interface PageRun {
  gpaStart: Hex64;
  /** Exclusive. */
  gpaEnd: Hex64;
  state: PageState;
  label: string | null;
}

export type MapToHost =
  | { type: 'ready' }
  /** The strip shows this range at page detail: send per-page states (at most 16384 pages). */
  | { type: 'detail'; requestId: number; gpaStart: Hex64; gpaEnd: Hex64 }
  | { type: 'open'; gpa: Hex64 }
  | { type: 'log'; level: 'error' | 'warn' | 'info'; message: string };

export type HostToMap =
  | { type: 'map'; session: SessionInfo | null; ranges: MemoryMapRange[]; runs: PageRun[]; stopEpoch: number }
  | { type: 'detail'; requestId: number; runs: PageRun[]; stopEpoch: number }
  | { type: 'error'; message: string };
