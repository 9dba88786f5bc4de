// Scratch-area rules (sev.c setup_vmgexit_scratch) and the NAE events that use them: IOIO (plain
// and string, x86.c kvm_fast_pio / kvm_sev_es_string_io) and MMIO (kvm_sev_es_mmio), forwarded to
// userspace as KVM_EXIT_IO / KVM_EXIT_MMIO with their completions.

import { describe, expect, it } from 'vitest';
import type { KvmExitIo, KvmExitMmio } from '../../emulator/src/kvm/run';
import { SVM_EXIT_IOIO, SVM_VMGEXIT_MMIO_READ, SVM_VMGEXIT_MMIO_WRITE } from '../../emulator/src/kvm/sev/index';
import { esVm, FakeVcpu, GHCB_GPA } from './sevHarness';

/** SVM IOIO exit info: port, size (1/2/4), IN, string. */
const ioInfo = (port: number, size: number, isIn: boolean, str = false): bigint =>
  BigInt(((port << 16) | (size << 4) | (str ? 4 : 0) | (isIn ? 1 : 0)) >>> 0);

function mmio(v: FakeVcpu, write: boolean, gpa: bigint, len: bigint, scratch: bigint | null): ReturnType<FakeVcpu['vmgexit']> {
  v.prepareNae(write ? SVM_VMGEXIT_MMIO_WRITE : SVM_VMGEXIT_MMIO_READ, gpa, len);
  if (scratch !== null) v.ghcbSet('swScratch', scratch);
  return v.vmgexit();
}

describe('scratch area', () => {
  const inside = GHCB_GPA + 0x800n;
  it.each([
    ['zero GPA', 0n, 8n],
    ['below the shared buffer', GHCB_GPA + 0x7f8n, 8n],
    ['in the save area (S10 f)', GHCB_GPA + 0x10n, 4n],
    ['ending past 0xFF0', GHCB_GPA + 0xfecn, 8n],
    ['outside the GHCB under v2', 0x30000n, 4n],
  ])('rejects a scratch area %s with INVALID_SCRATCH_AREA', (_n, gpa, len) => {
    const v = new FakeVcpu();
    v.map(0x30000n);
    expect(mmio(v, true, 0xfe000000n, len, gpa)).toEqual({ ret: 1, exit: null });
    expect(v.infos()).toEqual([2n, 3n]);
  });

  it('accepts a scratch area ending exactly at 0xFF0', () => {
    const v = new FakeVcpu();
    const r = mmio(v, true, 0xfe000000n, 8n, GHCB_GPA + 0xfe8n);
    expect(r.exit?.reason).toBe('KVM_EXIT_MMIO');
    expect(mmio(new FakeVcpu(), true, 0n, 1n, inside).exit?.reason).toBe('KVM_EXIT_MMIO');
  });

  it('rejects a scratch range that wraps the address space', () => {
    const v = new FakeVcpu(esVm({ ghcbVersion: 1 }));
    expect(mmio(v, false, 0n, 16n, 0xfffffffffffffff8n).ret).toBe(1);
    expect(v.infos()).toEqual([2n, 3n]);
  });

  it('GHCB v1: copies an external area in, back out for reads, limited to 16 pages', () => {
    const v = new FakeVcpu(esVm({ ghcbVersion: 1 }));
    v.map(0x30000n);
    const r = mmio(v, false, 0xfe000000n, 16n, 0x30000n);
    expect((r.exit as KvmExitMmio).mmio).toMatchObject({ phys_addr: 0xfe000000n, len: 8, is_write: 0 });
    (r.exit as KvmExitMmio).mmio.data.set([1, 2, 3, 4, 5, 6, 7, 8]);
    const second = v.rerun();
    expect((second.exit as KvmExitMmio).mmio).toMatchObject({ phys_addr: 0xfe000008n, len: 8 });
    (second.exit as KvmExitMmio).mmio.data.set([9, 10, 11, 12, 13, 14, 15, 16]);
    expect(Array.from(v.readGuest(0x30000n, 16)!)).toEqual(new Array(16).fill(0)); // not yet synced
    expect(v.rerun().ret).toBe(1);
    expect(Array.from(v.readGuest(0x30000n, 16)!)).toEqual([...Array(16).keys()].map((i) => i + 1));

    const big = new FakeVcpu(esVm({ ghcbVersion: 1 }));
    big.map(0x30000n, 17 * 4096);
    expect(mmio(big, false, 0n, BigInt(16 * 4096 + 1), 0x30000n).ret).toBe(1);
    expect(big.infos()).toEqual([2n, 3n]);
    const unmapped = new FakeVcpu(esVm({ ghcbVersion: 1 }));
    expect(mmio(unmapped, false, 0n, 8n, 0x30000n).ret).toBe(-14);
  });
});

describe('MMIO NAE events', () => {
  it('forwards a write of up to 8 bytes from the shared buffer', () => {
    const v = new FakeVcpu();
    v.map(GHCB_GPA);
    v.prepareNae(SVM_VMGEXIT_MMIO_WRITE, 0xfeb00000n, 4n);
    v.writeGuest(GHCB_GPA + 0x800n, new Uint8Array([0xde, 0xad, 0xbe, 0xef]));
    v.ghcbSet('swScratch', GHCB_GPA + 0x800n);
    const r = v.vmgexit();
    expect(r.exit).toEqual({ reason: 'KVM_EXIT_MMIO', exit_reason: 6,
      mmio: { phys_addr: 0xfeb00000n, data: new Uint8Array([0xde, 0xad, 0xbe, 0xef, 0, 0, 0, 0]), len: 4, is_write: 1 } });
    expect(v.rerun().ret).toBe(1);
    expect(v.infos()).toEqual([0n, 0n]);
  });

  it('stores read data in the scratch area on completion', () => {
    const v = new FakeVcpu();
    const r = mmio(v, false, 0xfeb00010n, 2n, GHCB_GPA + 0x900n);
    (r.exit as KvmExitMmio).mmio.data.set([0x34, 0x12]);
    v.rerun();
    expect(Array.from(v.readGuest(GHCB_GPA + 0x900n, 3)!)).toEqual([0x34, 0x12, 0]);
  });

  it('does nothing for length 0 and rejects more than 8 bytes under v2', () => {
    const v = new FakeVcpu();
    expect(mmio(v, false, 0n, 0n, GHCB_GPA + 0x800n)).toEqual({ ret: 1, exit: null });
    expect(v.infos()).toEqual([0n, 0n]);
    expect(mmio(v, false, 0n, 9n, GHCB_GPA + 0x800n)).toEqual({ ret: 1, exit: null });
    expect(v.infos()).toEqual([2n, 5n]);
  });
});

describe('IOIO NAE event', () => {
  it('forwards OUT with RAX and resumes', () => {
    const v = new FakeVcpu();
    v.prepareNae(SVM_EXIT_IOIO, ioInfo(0x3f8, 1, false), 0n);
    v.ghcbSet('rax', 0x4142n);
    const r = v.vmgexit();
    expect(r.exit).toEqual({ reason: 'KVM_EXIT_IO', exit_reason: 2, io: { direction: 1, size: 1, port: 0x3f8, count: 1, data: new Uint8Array([0x42]) } });
    expect(v.rerun().ret).toBe(1);
    expect(v.ghcbGet('rax')).toBe(0x4142n);
  });

  it('merges IN below 4 bytes into RAX and zero-extends 4-byte IN', () => {
    const v = new FakeVcpu();
    v.prepareNae(SVM_EXIT_IOIO, ioInfo(0x3fd, 1, true), 0n);
    v.ghcbSet('rax', 0x1122334455667788n);
    const r = v.vmgexit();
    (r.exit as KvmExitIo).io.data[0] = 0x60;
    v.rerun();
    expect(v.ghcbGet('rax')).toBe(0x1122334455667760n);
    v.prepareNae(SVM_EXIT_IOIO, ioInfo(0xcfc, 4, true), 0n);
    v.ghcbSet('rax', 0x1122334455667788n);
    (v.vmgexit().exit as KvmExitIo).io.data.set([1, 2, 3, 4]);
    v.rerun();
    expect(v.ghcbGet('rax')).toBe(0x04030201n);
    v.prepareNae(SVM_EXIT_IOIO, ioInfo(0x71, 2, true), 0n); // RAX not supplied: reads as 0
    (v.vmgexit().exit as KvmExitIo).io.data.set([0xcd, 0xab]);
    v.rerun();
    expect(v.ghcbGet('rax')).toBe(0xabcdn);
  });

  it('treats size 0 as a no-op', () => {
    const v = new FakeVcpu();
    v.prepareNae(SVM_EXIT_IOIO, ioInfo(0x80, 0, false), 0n);
    v.ghcbSet('rax', 0n);
    expect(v.vmgexit()).toEqual({ ret: 1, exit: null });
  });

  it('sends a string OUT from the scratch area (the ucall form: count 8, size 1)', () => {
    const v = new FakeVcpu();
    v.prepareNae(SVM_EXIT_IOIO, ioInfo(0x1000, 1, false, true), 8n);
    v.writeGuest(GHCB_GPA + 0x800n, new TextEncoder().encode('ucall!!\n'));
    v.ghcbSet('swScratch', GHCB_GPA + 0x800n);
    const io = (v.vmgexit().exit as KvmExitIo).io;
    expect([io.direction, io.size, io.port, io.count]).toEqual([1, 1, 0x1000, 8]);
    expect(new TextDecoder().decode(io.data)).toBe('ucall!!\n');
    expect(v.rerun().ret).toBe(1);
  });

  it('splits string I/O into page-sized exits (OUT) and fills the scratch area (IN)', () => {
    const v = new FakeVcpu();
    v.prepareNae(SVM_EXIT_IOIO, ioInfo(0x60, 1, false, true), 2000n);
    v.writeGuest(GHCB_GPA + 0x800n, new Uint8Array(2000).map((_, i) => i & 0xff));
    v.ghcbSet('swScratch', GHCB_GPA + 0x800n);
    expect((v.vmgexit().exit as KvmExitIo).io.count).toBe(2000);
    const w = new FakeVcpu();
    w.prepareNae(SVM_EXIT_IOIO, ioInfo(0x60, 2, true, true), 1000n);
    w.ghcbSet('swScratch', GHCB_GPA + 0x808n);
    const r = w.vmgexit();
    expect((r.exit as KvmExitIo).io).toMatchObject({ direction: 0, size: 2, count: 1000 });
    (r.exit as KvmExitIo).io.data.fill(0x5a);
    expect(w.rerun().ret).toBe(1);
    expect(Array.from(w.readGuest(GHCB_GPA + 0x806n, 4)!)).toEqual([0, 0, 0x5a, 0x5a]);
    expect(Array.from(w.readGuest(GHCB_GPA + 0xfd6n, 4)!)).toEqual([0x5a, 0x5a, 0, 0]);
  });

  it('GHCB v1: more than a page of string data takes several exits', () => {
    const v = new FakeVcpu(esVm({ ghcbVersion: 1 }));
    v.map(0x40000n, 3 * 4096);
    v.prepareNae(SVM_EXIT_IOIO, ioInfo(0x61, 4, true, true), 2500n);
    v.ghcbSet('swScratch', 0x40000n);
    const counts: number[] = [];
    let r = v.vmgexit();
    let n = 0;
    while (r.exit) {
      const io = (r.exit as KvmExitIo).io;
      counts.push(io.count);
      io.data.fill(++n);
      r = v.rerun();
    }
    expect(counts).toEqual([1024, 1024, 452]);
    expect(v.readGuest(0x40000n + 4095n, 2)).toEqual(new Uint8Array([1, 2]));
    expect(v.readGuest(0x40000n + 8192n + 452n * 4n - 1n, 2)).toEqual(new Uint8Array([3, 0]));
  });

  it('rejects string counts that overflow an int and scratch areas that are too small', () => {
    const v = new FakeVcpu();
    v.prepareNae(SVM_EXIT_IOIO, ioInfo(0x60, 1, true, true), 0x80000000n);
    v.ghcbSet('swScratch', GHCB_GPA + 0x800n);
    expect(v.vmgexit().ret).toBe(-22);
    v.prepareNae(SVM_EXIT_IOIO, ioInfo(0x60, 4, true, true), 0x20000000n);
    v.ghcbSet('swScratch', GHCB_GPA + 0x800n);
    expect(v.vmgexit().ret).toBe(-22);
    v.prepareNae(SVM_EXIT_IOIO, ioInfo(0x60, 1, true, true), 2033n);
    v.ghcbSet('swScratch', GHCB_GPA + 0x800n);
    expect(v.vmgexit()).toEqual({ ret: 1, exit: null });
    expect(v.infos()).toEqual([2n, 3n]);
    v.prepareNae(SVM_EXIT_IOIO, ioInfo(0x60, 1, true, true), 0n);
    v.ghcbSet('swScratch', GHCB_GPA + 0x800n);
    expect(v.vmgexit()).toEqual({ ret: 1, exit: null });
    expect(v.infos()).toEqual([0n, 0n]);
  });
});
