// VMGEXIT handling through the real KVM vCPU: assembled SNP guests use the GHCB MSR protocol and
// the GHCB page (S3, S6, S9, S15/S18-style requests), and the host sees the exits a VMM would.

import { describe, expect, it } from 'vitest';
import { KVM_CAP_EXIT_COCO, type KvmExitCoco, type KvmExitHypercall, KVM_X86_SNP_VM } from '../../emulator/src/kvm/index';
import { buildGuest, runExpect, SHARED_ALIAS, type Guest } from './coreHarness';

const PRELUDE = `
%define GHCB_MSR 0xC0010130
%macro VMGEXIT 0
  db 0xF3, 0x0F, 0x01, 0xD9
%endmacro
%macro XCHG 1
  mov rax, %1
  mov rdx, rax
  shr rdx, 32
  mov ecx, GHCB_MSR
  wrmsr
  VMGEXIT
  mov ecx, GHCB_MSR
  rdmsr
  shl rdx, 32
  or rax, rdx
%endmacro
%macro EXPECT 1
  mov rbx, %1
  cmp rax, rbx
  jne fail
%endmacro
%macro TERM 1
  mov ecx, GHCB_MSR
  mov eax, %1
  xor edx, edx
  wrmsr
  VMGEXIT
%endmacro
; Clears the valid bitmap (the guest's ghcb_invalidate) before inputs are set.
%macro CLEAR 0
  mov qword [r15+0x3f0], 0
  mov qword [r15+0x3f8], 0
%endmacro
; NAE exit code, info1, info2: sets them valid, version 2, usage 0, GHCB MSR = GHCB GPA, VMGEXIT.
%macro NAE 3
  mov rax, %1
  mov [r15+0x390], rax
  mov rax, %2
  mov [r15+0x398], rax
  mov rax, %3
  mov [r15+0x3a0], rax
  mov rax, 0x001C000000000000
  or [r15+0x3f8], rax
  mov word [r15+0xffa], 2
  mov dword [r15+0xffc], 0
  mov rax, r15
  mov rdx, rax
  shr rdx, 32
  mov ecx, GHCB_MSR
  wrmsr
  VMGEXIT
%endmacro
%macro REGISTER 0
  mov rax, r15
  or rax, 0x12
  XCHG rax
  mov rbx, r15
  or rbx, 0x13
  cmp rax, rbx
  jne fail
%endmacro
start:
  mov r15, [rdi+0x28]
`;
const EPILOGUE = `
  TERM 0x100
fail:
  TERM 0xFF100
`;

function snpGuest(body: string): Guest {
  return buildGuest({ type: KVM_X86_SNP_VM, asm: PRELUDE + body + EPILOGUE });
}
function ghcbU64(g: Guest, off: number): bigint {
  const b = new Uint8Array(8);
  g.mem.read(g.layout.ghcbGpa + off, b);
  return new DataView(b.buffer).getBigUint64(0, true);
}
function expectTerm(g: Guest, code: bigint): void {
  const r = runExpect(g.vcpu, 'KVM_EXIT_SYSTEM_EVENT');
  expect(r.exit).toMatchObject({ system_event: { type: 6, ndata: 1, data: [code] } });
}

describe('VMGEXIT through the KVM vCPU', () => {
  it('negotiates over the MSR protocol, registers its GHCB, asks HV features and prints via string OUT (S3, S6 A)', () => {
    const g = snpGuest(`
  mov ecx, GHCB_MSR
  rdmsr
  shl rdx, 32
  or rax, rdx
  EXPECT 0x0002000133000001
  XCHG 0x002
  EXPECT 0x0002000133000001
  XCHG 0x080
  EXPECT 0x3081
  XCHG 0x8000001F40000004
  cmp eax, 0x40000005
  jne fail
  shr rax, 32
  and eax, 0x3f
  cmp eax, 51
  jne fail
  XCHG 0x010
  EXPECT 0xFFFFFFFFFFFFF011
  REGISTER
  CLEAR
  NAE 0x8000FFFD, 0, 0
  cmp qword [r15+0x398], 0
  jne fail
  cmp qword [r15+0x3a0], 3
  jne fail
  CLEAR
  mov rax, 0x0A6F6C6C6568
  mov [r15+0x800], rax
  lea rax, [r15+0x800]
  mov [r15+0x3a8], rax
  mov rax, 0x0020000000000000
  or [r15+0x3f8], rax
  NAE 0x7B, 0x3F80014, 6
  cmp qword [r15+0x398], 0
  jne fail
`);
    const io = runExpect(g.vcpu, 'KVM_EXIT_IO');
    expect(io.exit).toMatchObject({ io: { direction: 1, size: 1, port: 0x3f8, count: 6 } });
    expect(new TextDecoder().decode((io.exit as { io: { data: Uint8Array } }).io.data)).toBe('hello\n');
    expectTerm(g, 0x100n);
    expect(g.vcpu.registeredGhcbGpa).toBe(BigInt(g.layout.ghcbGpa));
  });

  it('fails KVM_RUN with EINVAL when the GHCB was never registered (S6 B)', () => {
    const g = snpGuest(`
  NAE 0x8000FFFD, 0, 0
`);
    const r = g.vcpu.run(100_000);
    expect(r.ret).toBe(-22);
    expect(g.vm.log).toContain(`vmgexit: GHCB GPA [0x${g.layout.ghcbGpa.toString(16)}] is not registered.`);
  });

  it('changes page state through the GHCB with merged exits, then validates the pages (S9)', () => {
    const g = snpGuest(`
  REGISTER
  mov qword [r15+0x800], 0x20000
  mov rax, 0x0010000000010000
  mov [r15+0x808], rax
  mov rax, 0x0010000000011000
  mov [r15+0x810], rax
  mov rax, 0x0020000000020000
  mov [r15+0x818], rax
again:
  CLEAR
  lea rax, [r15+0x800]
  mov [r15+0x3a8], rax
  mov rax, 0x0020000000000000
  or [r15+0x3f8], rax
  NAE 0x80000010, 0, 0
  cmp qword [r15+0x3a0], 0
  jne fail
  cmp dword [r15+0x804], 0
  jne fail
  movzx eax, word [r15+0x800]
  movzx ebx, word [r15+0x802]
  cmp eax, ebx
  jbe again
  mov rax, 0x10000
  xor ecx, ecx
  mov edx, 1
  pvalidate
  jc fail
  test eax, eax
  jnz fail
  mov rax, 0x11000
  xor ecx, ecx
  mov edx, 1
  pvalidate
  jc fail
  test eax, eax
  jnz fail
  mov byte [0x11000], 0x5a
`);
    const e1 = runExpect(g.vcpu, 'KVM_EXIT_HYPERCALL').exit as KvmExitHypercall;
    expect(e1.hypercall).toEqual({ nr: 12n, args: [0x10000n, 2n, 0x10n, 0n, 0n, 0n], ret: 0n, flags: 0n });
    expect(g.vm.setMemoryAttributes({ address: 0x10000n, size: 0x2000n, attributes: 8n, flags: 0n })).toBe(0);
    const e2 = runExpect(g.vcpu, 'KVM_EXIT_HYPERCALL').exit as KvmExitHypercall;
    expect(e2.hypercall.args.slice(0, 3)).toEqual([0x20000n, 1n, 0n]);
    expectTerm(g, 0x100n);
    expect([ghcbU64(g, 0x800), ghcbU64(g, 0x808), ghcbU64(g, 0x810), ghcbU64(g, 0x818)])
      .toEqual([0x20003n, 0x0010000000010001n, 0x0010000000011001n, 0x0020000000020001n]);
  });

  it('completes IN and MMIO reads into the GHCB and reports a refused PSC as GENERIC', () => {
    const RES = SHARED_ALIAS + 0x30000n;
    const g = snpGuest(`
  REGISTER
  mov r14, ${RES}
  CLEAR
  mov qword [r15+0x1f8], -1
  mov rax, 0x8000000000000000
  mov [r15+0x3f0], rax
  NAE 0x7B, 0x00710021, 0
  mov rax, [r15+0x1f8]
  mov [r14], rax
  CLEAR
  lea rax, [r15+0x900]
  mov [r15+0x3a8], rax
  mov rax, 0x0020000000000000
  or [r15+0x3f8], rax
  NAE 0x80000001, 0xFEB00000, 8
  mov rax, [r15+0x900]
  mov [r14+8], rax
  CLEAR
  mov qword [r15+0x800], 0
  mov rax, 0x0010000000040000
  mov [r15+0x808], rax
  lea rax, [r15+0x800]
  mov [r15+0x3a8], rax
  mov rax, 0x0020000000000000
  or [r15+0x3f8], rax
  NAE 0x80000010, 0, 0
  mov rax, [r15+0x3a0]
  mov [r14+16], rax
`);
    const io = runExpect(g.vcpu, 'KVM_EXIT_IO').exit as { io: { direction: number; size: number; port: number; data: Uint8Array } };
    expect(io.io).toMatchObject({ direction: 0, size: 2, port: 0x71 });
    io.io.data.set([0x34, 0x12]);
    const mmio = runExpect(g.vcpu, 'KVM_EXIT_MMIO').exit as { mmio: { phys_addr: bigint; len: number; data: Uint8Array } };
    expect(mmio.mmio).toMatchObject({ phys_addr: 0xfeb00000n, len: 8, is_write: 0 });
    mmio.mmio.data.set([1, 2, 3, 4, 5, 6, 7, 8]);
    const psc = runExpect(g.vcpu, 'KVM_EXIT_HYPERCALL').exit as KvmExitHypercall;
    expect(psc.hypercall.args.slice(0, 3)).toEqual([0x40000n, 1n, 0x10n]);
    psc.hypercall.ret = 22n; // the VMM refuses
    expectTerm(g, 0x100n);
    const res = new Uint8Array(24);
    g.mem.read(0x30000, res);
    const q = (i: number): bigint => new DataView(res.buffer).getBigUint64(8 * i, true);
    expect([q(0), q(1), q(2)]).toEqual([0xffffffffffff1234n, 0x0807060504030201n, 0x0000010000000000n]);
  });

  it('sends guest requests to the firmware, fetches certificates via KVM_EXIT_COCO and throttles (S15, S18)', () => {
    const RES = SHARED_ALIAS + 0x30000n;
    const g = snpGuest(`
  REGISTER
  mov r14, ${RES}
  CLEAR
  NAE 0x80000011, 0x20000, 0x21000
  mov rax, [r15+0x3a0]
  mov [r14], rax
  CLEAR
  mov qword [r15+0x1f8], 0x31000
  mov qword [r15+0x318], 1
  mov rax, 0x8000000000000000
  mov [r15+0x3f0], rax
  mov rax, 0x0000000800000000
  mov [r15+0x3f8], rax
  NAE 0x80000012, 0x20000, 0x21000
  mov rax, [r15+0x3a0]
  mov [r14+8], rax
  mov rax, [r15+0x318]
  mov [r14+16], rax
  CLEAR
  NAE 0x80000011, 0x20000, 0x21000
  mov rax, [r15+0x3a0]
  mov [r14+24], rax
  CLEAR
  NAE 0x80000011, 0x20000, 0x21000
  mov rax, [r15+0x3a0]
  mov [r14+32], rax
`);
    expect(g.vm.enableCap({ cap: KVM_CAP_EXIT_COCO, args: [1n] })).toBe(0);
    g.vm.setGuestRequestThrottle({ intervalMs: 60_000, burst: 2 });
    g.mem.write(0x20034, new Uint8Array([5])); // MSG_REPORT_REQ (an otherwise empty, invalid message)
    g.mem.write(0x21000, new Uint8Array(16).fill(0xcc));
    const coco = runExpect(g.vcpu, 'KVM_EXIT_COCO').exit as KvmExitCoco;
    expect(coco).toMatchObject({ exit_reason: 40, coco: { nr: 0, req_certs: { gfn: 0x31n, npages: 1n, ret: 0n } } });
    coco.coco.req_certs.ret = 1n; // KVM_EXIT_COCO_REQ_CERTS_ERR_INVALID_LEN
    coco.coco.req_certs.npages = 3n;
    expectTerm(g, 0x100n);
    const res = new Uint8Array(40);
    g.mem.read(0x30000, res);
    const q = (i: number): bigint => new DataView(res.buffer).getBigUint64(8 * i, true);
    const fwErr = q(0);
    expect(fwErr > 0n && fwErr < 0x100000000n).toBe(true); // a firmware status in [31:0]
    expect([q(1), q(2), q(3), q(4)]).toEqual([0x0000000100000000n, 3n, fwErr, 0x0000000200000000n]);
    const resp = new Uint8Array(16);
    g.mem.read(0x21000, resp);
    expect(resp).toEqual(new Uint8Array(16)); // KVM copied its response page back
  });
});
