// Debugger access to guest memory by GVA (translated under the current CR3, page by page) or GPA:
// reads report the readable prefix so unreadable holes become DAP `unreadableBytes`, never errors.
// Translations are cached while the guest is stopped; any resume or state change clears them.

import type { MemSpace } from '../expr/parse';
import type { DebugTarget, Translation } from '../target/debugTarget';

const PAGE = 4096n;
const M64 = (1n << 64n) - 1n;

export class GuestMemory {
  private readonly cache = new Map<bigint, Translation>();

  constructor(private readonly target: DebugTarget) {}

  /** Forget cached translations (the guest ran, or registers/memory changed). */
  invalidate(): void {
    this.cache.clear();
  }

  translate(gva: bigint): Translation {
    const page = gva & ~(PAGE - 1n) & M64;
    let t = this.cache.get(page);
    if (!t) {
      t = this.target.translate(page);
      this.cache.set(page, t);
    }
    return t.ok ? { ...t, gpa: t.gpa + (gva & (PAGE - 1n)) } : t;
  }

  /**
   * The GPA behind `address` in `space` with the C-bit of its mapping (undefined for GPAs: the
   * memory attributes decide), or null when unmapped.
   */
  private gpaOf(space: MemSpace, address: bigint): { gpa: bigint; cbit?: boolean } | null {
    if (space === 'gpa') return { gpa: address };
    const t = this.translate(address);
    return t.ok ? { gpa: t.gpa, cbit: t.cbit } : null;
  }

  /** Reads `length` bytes; `readable` counts the leading bytes that could be read. */
  read(space: MemSpace, address: bigint, length: number): { bytes: Uint8Array; readable: number } {
    const bytes = new Uint8Array(length);
    let done = 0;
    while (done < length) {
      const at = (address + BigInt(done)) & M64;
      const chunk = Math.min(length - done, Number(PAGE - (at & (PAGE - 1n))));
      const p = this.gpaOf(space, at);
      if (p === null) break;
      const n = this.target.readPhysical(p.gpa, bytes.subarray(done, done + chunk), p.cbit);
      done += n;
      if (n < chunk) break;
    }
    return { bytes, readable: done };
  }

  /** How many bytes from `address` on (at most `max`) cannot be read. */
  unreadableRun(space: MemSpace, address: bigint, max: number): number {
    let run = 0;
    const probe = new Uint8Array(1);
    while (run < max) {
      const at = (address + BigInt(run)) & M64;
      const p = this.gpaOf(space, at);
      if (p !== null && this.target.readPhysical(p.gpa, probe, p.cbit) === 1) break;
      run += Math.min(max - run, Number(PAGE - (at & (PAGE - 1n))));
    }
    return run;
  }

  /** Writes bytes; returns how many leading bytes were written. */
  write(space: MemSpace, address: bigint, data: Uint8Array): number {
    let done = 0;
    while (done < data.length) {
      const at = (address + BigInt(done)) & M64;
      const chunk = Math.min(data.length - done, Number(PAGE - (at & (PAGE - 1n))));
      const p = this.gpaOf(space, at);
      if (p === null) break;
      const n = this.target.writePhysical(p.gpa, data.subarray(done, done + chunk), p.cbit);
      done += n;
      if (n < chunk) break;
    }
    return done;
  }

  /** A little-endian value of `size` bytes, or null when not all of it is readable. */
  readValue(space: MemSpace, address: bigint, size: number): bigint | null {
    const { bytes, readable } = this.read(space, address, size);
    if (readable < size) return null;
    let v = 0n;
    for (let i = size - 1; i >= 0; i--) v = (v << 8n) | BigInt(bytes[i]!);
    return v;
  }

  writeValue(space: MemSpace, address: bigint, size: number, value: bigint): boolean {
    const bytes = new Uint8Array(size);
    for (let i = 0; i < size; i++) bytes[i] = Number((value >> BigInt(8 * i)) & 0xffn);
    return this.write(space, address, bytes) === size;
  }
}
