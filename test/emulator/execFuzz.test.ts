// Executes random byte strings (biased towards real opcodes) with random registers: whatever the
// bytes are, the vCPU answers with guest events (faults, stops), never a JavaScript exception.

import { describe, expect, it } from 'vitest';
import { createMachine } from '../../emulator/src/index';

const SEED = Number(process.env.EXEC_FUZZ_SEED ?? 0x5eed);

function rng(seed: number): () => number {
  let x = seed >>> 0 || 1;
  return () => {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    return (x >>> 0) / 4294967296;
  };
}

const COMMON = [0x48, 0x66, 0x0f, 0xf3, 0xf2, 0x89, 0x8b, 0x01, 0x29, 0x31, 0xff, 0xc7, 0xd1, 0xf7, 0xa4, 0xaa, 0xe8, 0xc3, 0x50, 0x58];

describe('execution fuzz', () => {
  it(`runs 400 random programs without a JavaScript exception (seed ${SEED})`, () => {
    const rand = rng(SEED);
    const m = createMachine({ memorySize: 16 << 20 });
    const code = 0x100000;
    m.load({ format: 'bin', entry: BigInt(code), symbols: [], lines: [], segments: [{ gva: BigInt(code), gpa: BigInt(code), bytes: new Uint8Array(4096), memSize: 4096, readable: true, writable: true, executable: true }] });
    for (let v = 0; v < 32; v++) m.cpu.stopOnVectors.add(v);
    const s = m.cpu.s;
    const kinds = new Map<string, number>();
    let retired = 0;
    for (let p = 0; p < Number(process.env.EXEC_FUZZ_N ?? 400); p++) {
      const t0 = performance.now();
      const bytes = new Uint8Array(64);
      for (let i = 0; i < bytes.length; i++) bytes[i] = rand() < 0.4 ? COMMON[Math.floor(rand() * COMMON.length)]! : Math.floor(rand() * 256);
      m.phys.write(code, bytes);
      m.cpu.invalidateAll();
      for (let r = 0; r < 16; r++) s.setReg(r, BigInt(Math.floor(rand() * 2 ** 32)) * (rand() < 0.5 ? 1n : 0x10000n));
      s.setReg(4, BigInt(m.boot!.stackTopGpa - 0x800)); // a usable stack
      s.setReg(6, BigInt(code + 2048)); // RSI/RDI near mapped memory
      s.setReg(7, BigInt(code + 3072));
      s.setReg(1, BigInt(Math.floor(rand() * 64))); // small RCX keeps rep ops short
      s.flags = 2 | (Math.floor(rand() * 0x1000) & 0x8d5);
      s.cpl = 0;
      s.setRip(BigInt(code));
      const before = s.icount;
      for (let step = 0; step < 30; step++) {
        const r = m.run(50);
        kinds.set(r.kind, (kinds.get(r.kind) ?? 0) + 1);
        if (r.kind === 'exception') {
          m.cpu.clearPendingFault();
          s.setRip(s.getRip() + 1n); // skip a byte and go on
        } else if (r.kind === 'shutdown' || r.kind === 'hook' || r.kind === 'exit') {
          break;
        }
        if (s.getRip() < BigInt(code) || s.getRip() >= BigInt(code + 64)) s.setRip(BigInt(code + Math.floor(rand() * 60)));
      }
      retired += s.icount - before;
      if (process.env.EXEC_FUZZ_TRACE && performance.now() - t0 > 200) console.log(`slow program ${p}: ${Buffer.from(bytes).toString("hex")} ${performance.now() - t0} ms`);
      if (m.cpu.shutdownWhy !== null) {
        m.cpu.shutdownWhy = null;
      }
    }
    expect(retired).toBeGreaterThan(4_000);
    expect(kinds.get("exception") ?? 0).toBeGreaterThan(200);
  });
});
