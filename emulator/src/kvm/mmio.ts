// Emulated MMIO for non-ES guests (KVM_EXIT_MMIO; x86.c emulator_read_write, complete_emulated_mmio).
// An access without a memslot ends KVM_RUN; the instruction re-executes after the VMM answered,
// replaying the accesses already done by this instruction (their read data, or the fact that a
// write was delivered) until it completes. Accesses only run with the instruction alone (the MMU's
// single mode), so the retired-instruction count identifies the instruction.

import type { KvmExitMmio } from './run';

interface MmioAccess {
  gpa: number;
  size: number;
  write: boolean;
  /** Write data, or the read data once the VMM answered (null until then). */
  data: Uint8Array | null;
}

export class MmioReplay {
  private log: MmioAccess[] = [];
  private cursor = 0;
  private icount = -1;

  /** Positions the replay at the start of the instruction with this retired-instruction count. */
  private sync(icount: number): void {
    if (icount !== this.icount) {
      this.log = [];
      this.icount = icount;
      this.cursor = 0;
    }
  }

  /** Restarts replay for the next execution attempt of the same instruction. */
  rewind(): void {
    this.cursor = 0;
  }

  /**
   * A read: the bytes when this access was already answered, else the exit to hand to the VMM
   * (its completion stores the VMM's data for the replay).
   */
  read(icount: number, gpa: number, size: number): Uint8Array | { exit: KvmExitMmio; complete: (e: KvmExitMmio) => void } {
    this.sync(icount);
    const at = this.log[this.cursor];
    if (at !== undefined && !at.write && at.gpa === gpa && at.size === size && at.data !== null) {
      this.cursor++;
      return at.data;
    }
    // Anything after this point in the log belongs to a different path: drop it.
    this.log.length = this.cursor;
    const entry: MmioAccess = { gpa, size, write: false, data: null };
    this.log.push(entry);
    const exit: KvmExitMmio = { reason: 'KVM_EXIT_MMIO', exit_reason: 6, mmio: { phys_addr: BigInt(gpa), data: new Uint8Array(8), len: size, is_write: 0 } };
    return { exit, complete: (e) => { entry.data = e.mmio.data.slice(0, size); } };
  }

  /** A write: null when already delivered in an earlier attempt, else the exit carrying it. */
  write(icount: number, gpa: number, size: number, bytes: Uint8Array): KvmExitMmio | null {
    this.sync(icount);
    const at = this.log[this.cursor];
    if (at !== undefined && at.write && at.gpa === gpa && at.size === size && equal(at.data!, bytes)) {
      this.cursor++;
      return null;
    }
    this.log.length = this.cursor;
    this.log.push({ gpa, size, write: true, data: bytes.slice() });
    const data = new Uint8Array(8);
    data.set(bytes.subarray(0, 8));
    return { reason: 'KVM_EXIT_MMIO', exit_reason: 6, mmio: { phys_addr: BigInt(gpa), data, len: size, is_write: 1 } };
  }
}

function equal(a: Uint8Array, b: Uint8Array): boolean {
  return a.length === b.length && a.every((x, i) => x === b[i]);
}

/** Little-endian bytes of an MMU access value (lo, hi halves). */
export function valueBytes(size: number, lo: number, hi: number): Uint8Array {
  const b = new Uint8Array(size);
  const v = new DataView(new ArrayBuffer(8));
  v.setInt32(0, lo, true);
  v.setInt32(4, hi, true);
  b.set(new Uint8Array(v.buffer, 0, size));
  return b;
}
