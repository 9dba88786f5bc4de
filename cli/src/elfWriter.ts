// Wraps a flat image in a minimal static ELF64 executable (one RWX PT_LOAD), so the benchmark can
// run the same workload under qemu-x86_64 without nasm or ld.

export const ELF_BASE = 0x400000;
export const ELF_HEADERS = 64 + 56;

/** bytes were assembled with `org ELF_BASE + ELF_HEADERS`; bss follows them in memory. */
export function writeElf(bytes: Uint8Array, bssSize: number, entry: bigint): Uint8Array {
  const out = new Uint8Array(ELF_HEADERS + bytes.length);
  const v = new DataView(out.buffer);
  out.set([0x7f, 0x45, 0x4c, 0x46, 2, 1, 1, 0]); // ELFCLASS64, little-endian, version 1, SysV
  v.setUint16(16, 2, true); // ET_EXEC
  v.setUint16(18, 62, true); // EM_X86_64
  v.setUint32(20, 1, true);
  v.setBigUint64(24, entry, true);
  v.setBigUint64(32, 64n, true); // e_phoff
  v.setUint16(52, 64, true); // e_ehsize
  v.setUint16(54, 56, true); // e_phentsize
  v.setUint16(56, 1, true); // e_phnum
  const ph = 64;
  v.setUint32(ph, 1, true); // PT_LOAD
  v.setUint32(ph + 4, 7, true); // RWX
  v.setBigUint64(ph + 16, BigInt(ELF_BASE), true);
  v.setBigUint64(ph + 24, BigInt(ELF_BASE), true);
  v.setBigUint64(ph + 32, BigInt(out.length), true);
  v.setBigUint64(ph + 40, BigInt(out.length + bssSize), true);
  v.setBigUint64(ph + 48, 0x1000n, true);
  out.set(bytes, ELF_HEADERS);
  return out;
}
