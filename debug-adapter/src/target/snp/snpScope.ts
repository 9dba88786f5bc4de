// The SNP scope: the GHCB MSR decoded per protocol code (GHCB spec §2.3.1), SEV_STATUS decoded
// (AMD APM Vol. 2 §15.34.10, Table 15-32), the GHCB page field by field with its valid bitmap,
// and the VMPCK message sequence numbers the firmware holds for the guest (SNP ABI §7.1).

import { snp } from '../../../../emulator/src/index';
import { ErrorCode, userError } from '../../errors';
import type { VarNode } from '../debugTarget';
import { decodeGhcbMsr, describeGhcbMsr } from './exitNames';
import { ghcbNodes } from './ghcbView';

/** SEV_STATUS bits by name (msr-index.h MSR_AMD64_SEV_*). */
const SEV_STATUS_BITS: [bigint, string][] = [
  [snp.MSR_AMD64_SEV_ENABLED, 'SEV'], [snp.MSR_AMD64_SEV_ES_ENABLED, 'SEV_ES'], [snp.MSR_AMD64_SEV_SNP_ENABLED, 'SNP'],
  [snp.MSR_AMD64_SNP_VTOM, 'VTOM'], [snp.MSR_AMD64_SNP_REFLECT_VC, 'REFLECT_VC'], [snp.MSR_AMD64_SNP_RESTRICTED_INJ, 'RESTRICTED_INJ'],
  [snp.MSR_AMD64_SNP_ALT_INJ, 'ALT_INJ'], [snp.MSR_AMD64_SNP_DEBUG_SWAP, 'DEBUG_SWAP'], [snp.MSR_AMD64_SNP_PREVENT_HOST_IBS, 'PREVENT_HOST_IBS'],
  [snp.MSR_AMD64_SNP_BTB_ISOLATION, 'BTB_ISOLATION'], [snp.MSR_AMD64_SNP_VMPL_SSS, 'VMPL_SSS'], [snp.MSR_AMD64_SNP_SECURE_TSC, 'SECURE_TSC'],
  [snp.MSR_AMD64_SNP_VMGEXIT_PARAM, 'VMGEXIT_PARAM'], [snp.MSR_AMD64_SNP_IBS_VIRT, 'IBS_VIRT'], [snp.MSR_AMD64_SNP_VMSA_REG_PROT, 'VMSA_REG_PROT'],
  [snp.MSR_AMD64_SNP_SMT_PROT, 'SMT_PROT'], [snp.MSR_AMD64_SNP_SECURE_AVIC, 'SECURE_AVIC'],
];

const hex = (v: bigint, bytes = 0): string => '0x' + BigInt.asUintN(64, v).toString(16).padStart(bytes * 2, '0');
const ro = (name: string, value: string, type?: string, children?: () => VarNode[]): VarNode => ({ name, value, type, readOnly: true, children });

/** What the scope reads from the target. */
export interface SnpScopeSource {
  /** The GHCB MSR (null: the VM has no protected state, so no GHCB protocol). */
  ghcbMsr: bigint | null;
  /** Writes the GHCB MSR (as WRMSR in the guest would); an error text or null. */
  setGhcbMsr(v: bigint): string | null;
  parseValue(text: string): bigint;
  sevStatus: bigint;
  /** The GHCB page to show, where it comes from, and its bytes (null: unreadable); `held`: KVM has it mapped (stopped at an exit it caused). */
  ghcb: { gpa: bigint; source: string; page: Uint8Array | null; held: boolean } | null;
  registeredGhcbGpa: bigint | null;
  /** Last sequence number per VMPCK (null: no firmware guest context, e.g. SEV-ES). */
  vmpckSeqnos: bigint[] | null;
  vmpl: number;
  changed(): void;
}

export function sevStatusNames(v: bigint): string {
  return SEV_STATUS_BITS.filter(([bit]) => (v & bit) !== 0n).map(([, n]) => n).join(' ');
}

function msrNode(s: SnpScopeSource, msr: bigint): VarNode {
  const d = decodeGhcbMsr(msr);
  const node: VarNode = {
    name: 'GHCB_MSR', value: `${hex(msr, 8)} ${describeGhcbMsr(d)}`, type: 'MSR 0xC0010130 (MSR_AMD64_SEV_ES_GHCB)',
    evaluateName: 'msr(0xC0010130)', raw: { value: msr, size: 8 },
    children: () => [
      ro('code', `${hex(d.code)} ${d.name}`, 'GHCBInfo, bits 11:0'),
      ...d.fields.map((f) => ro(f.name, `${hex(f.value)}${f.text ? ` (${f.text})` : ''}`)),
    ],
  };
  node.set = (text: string) => {
    const v = s.parseValue(text);
    const err = s.setGhcbMsr(v);
    if (err) throw userError(ErrorCode.BadArguments, err);
    s.changed();
    return hex(v, 8);
  };
  return node;
}

export function snpScopeNodes(s: SnpScopeSource): VarNode[] {
  const status = s.sevStatus;
  const nodes: VarNode[] = s.ghcbMsr === null ? [] : [msrNode(s, s.ghcbMsr)];
  nodes.push(
    ro('SEV_STATUS', `${hex(status, 8)} [${sevStatusNames(status)}]`, 'MSR 0xC0010131 (MSR_AMD64_SEV), read-only', () =>
      SEV_STATUS_BITS.map(([bit, name]) => ro(name, (status & bit) !== 0n ? '1' : '0', `bit ${bit.toString(2).length - 1}`))),
  );
  const g = s.ghcb;
  if (g) {
    const page = g.page;
    const type = g.held
      ? 'KVM holds this GHCB (sev.c): it cleared the valid bitmap when it read the request and writes RAX, RBX, RCX, RDX back when the guest resumes'
      : 'the GHCB page as the hypervisor reads it (shared)';
    nodes.push(ro('GHCB', `${hex(g.gpa)} (${g.source})${page ? '' : ' unreadable'}`, type, page ? () => ghcbNodes(page, g.gpa) : undefined));
  }
  if (s.ghcbMsr !== null) nodes.push(ro('registered_ghcb', s.registeredGhcbGpa === null ? 'none' : hex(s.registeredGhcbGpa), 'GPA registered with GHCB_MSR_REG_GPA_REQ (SNP guests must register before using the GHCB)'));
  const seq = s.vmpckSeqnos;
  if (seq) {
    nodes.push(ro('VMPCK_seqno', seq.map((x) => hex(x)).join(' '), 'last message sequence number per VMPCK, from the firmware\'s guest context (the next request must carry last + 1)', () =>
      seq.map((x, i) => ro(`vmpck${i}`, hex(x), `VMPCK${i}: next request must use ${hex(x + 1n)}`))));
  }
  nodes.push(ro('vmpl', hex(BigInt(s.vmpl)), 'the VMPL the vCPU runs at'));
  return nodes;
}
