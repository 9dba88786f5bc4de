// The call stack by stack scan (fallback until the vCPU reports CALL/RET to the debugger): walks
// up from RSP and takes a qword as a return address when it points into executable image code
// right after a CALL instruction; a direct CALL must target the function the inner frame is in.

import { decode, type GuestImage } from '../../../emulator/src/index';
import type { GuestMemory } from '../memory/guestMemory';
import type { FunctionRange, SymbolTable } from '../symbols';

export interface CallFrame {
  /** Frame 0: RIP; outer frames: the return address. */
  pc: bigint;
  /** RSP as it is in this frame (outer frames: just above the return address slot). */
  sp: bigint;
  /** Where the return address into the next outer frame is stored, if there is one. */
  returnSlot: bigint | null;
  fn: FunctionRange | null;
}

/** How far above RSP the scan looks (bytes) and how many frames it reports. */
const SCAN_BYTES = 256 * 1024;
const MAX_FRAMES = 64;
const E8_CALL_REL32 = 0xe8;

interface CallSite {
  /** Target of a direct call; null for an indirect one. */
  target: bigint | null;
}

/** The CALL instruction that ends exactly at `ret`, if there is one. */
function callEndingAt(mem: GuestMemory, ret: bigint): CallSite | null {
  const { bytes, readable } = mem.read('gva', ret - 16n, 16);
  if (readable < 16) return null;
  if (bytes[11] === E8_CALL_REL32) {
    const insn = decode(bytes, 11, 5);
    if (insn.mnem === 'call' && insn.len === 5) {
      const rel = new DataView(bytes.buffer).getInt32(12, true);
      return { target: BigInt.asUintN(64, ret + BigInt(rel)) };
    }
  }
  // Indirect near calls (FF /2) are 2 to 7 bytes with prefixes, REX, ModRM, SIB and displacement.
  for (let len = 2; len <= 9; len++) {
    if (len === 5 && bytes[11] === E8_CALL_REL32) continue;
    const insn = decode(bytes, 16 - len, len);
    if (insn.mnem === 'call' && insn.len === len) return { target: null };
  }
  return null;
}

function inExecutableSegment(image: GuestImage, a: bigint): boolean {
  return image.segments.some((s) => s.executable && a >= s.gva && a < s.gva + BigInt(s.memSize));
}

export function scanCallFrames(mem: GuestMemory, image: GuestImage, symbols: SymbolTable, rip: bigint, rsp: bigint): CallFrame[] {
  const frames: CallFrame[] = [{ pc: rip, sp: rsp, returnSlot: null, fn: symbols.functionAt(rip) }];
  const aligned = rsp & ~7n;
  const { bytes, readable } = mem.read('gva', aligned, SCAN_BYTES);
  const view = new DataView(bytes.buffer);
  for (let off = 0; off + 8 <= readable && frames.length < MAX_FRAMES; off += 8) {
    const v = view.getBigUint64(off, true);
    if (!inExecutableSegment(image, v)) continue;
    const site = callEndingAt(mem, v);
    if (!site) continue;
    const inner = frames[frames.length - 1]!;
    // A direct call proves the link only when it targets the function the inner frame is in.
    if (site.target !== null && inner.fn && site.target !== inner.fn.start) continue;
    const slot = aligned + BigInt(off);
    inner.returnSlot = slot;
    frames.push({ pc: v, sp: slot + 8n, returnSlot: null, fn: symbols.functionAt(v) });
  }
  return frames;
}
