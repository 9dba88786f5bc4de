// The KVM exit scope: the kvm_run fields of the exit the vCPU is stopped at, by their KVM names
// (include/uapi/linux/kvm.h), after the VMM prepared its answer and before the guest sees it. The
// answer fields (req_certs ret/npages, snp_req_certs ret/npages, hypercall.ret, io.data of an IN,
// mmio.data of a read) are settable: the user decides what the VMM answers. Away from an exit,
// the last exit is shown read-only.

import type { KvmRunExit, VmExitRecord } from '../../../../emulator/src/index';
import { kvm } from '../../../../emulator/src/index';
import { ErrorCode, userError } from '../../errors';
import { evaluateText, type EvalEnv } from '../../expr/evaluate';
import { ExprError } from '../../expr/parse';
import type { VarNode } from '../debugTarget';
import { bytesValue } from './kvmExitEvents';

const hex = (v: bigint, bytes = 0): string => '0x' + BigInt.asUintN(64, v).toString(16).padStart(bytes * 2, '0');
const M64 = (1n << 64n) - 1n;

/** Names an answer may be written with, besides numbers (kvm.h; errno values as the upstream ABI uses them). */
const ANSWER_NAMES: Record<string, bigint> = {
  INVALID_LEN: kvm.KVM_EXIT_COCO_REQ_CERTS_ERR_INVALID_LEN, KVM_EXIT_COCO_REQ_CERTS_ERR_INVALID_LEN: kvm.KVM_EXIT_COCO_REQ_CERTS_ERR_INVALID_LEN,
  GENERIC: kvm.KVM_EXIT_COCO_REQ_CERTS_ERR_GENERIC, KVM_EXIT_COCO_REQ_CERTS_ERR_GENERIC: kvm.KVM_EXIT_COCO_REQ_CERTS_ERR_GENERIC,
  ENOSPC: BigInt(kvm.ENOSPC), EAGAIN: BigInt(kvm.EAGAIN), EIO: BigInt(kvm.EIO), EINVAL: BigInt(kvm.EINVAL), ENOSYS: BigInt(kvm.ENOSYS),
};

/** Parses a value typed into the Variables view: numbers, arithmetic, the names above. */
export function parseAnswer(text: string): bigint {
  const env: EvalEnv = {
    lookup: (name) => {
      const v = ANSWER_NAMES[name.toUpperCase()];
      return v === undefined ? undefined : { value: v, size: 8, kind: 'field' };
    },
    readMemory: () => {
      throw new ExprError('memory is not available here', -1);
    },
    call: () => undefined,
  };
  try {
    return evaluateText(text, env).value;
  } catch (e) {
    throw userError(ErrorCode.Expression, `'${text}' is not a value: ${e instanceof Error ? e.message : String(e)}`);
  }
}

/** The kvm_run paths whose value the VMM answers with, for this exit. */
function answerPaths(exit: KvmRunExit): Set<string> {
  switch (exit.reason) {
    case 'KVM_EXIT_COCO': return new Set(['coco.req_certs.ret', 'coco.req_certs.npages']);
    case 'KVM_EXIT_SNP_REQ_CERTS': return new Set(['snp_req_certs.ret', 'snp_req_certs.npages']);
    case 'KVM_EXIT_HYPERCALL': return new Set(['hypercall.ret']);
    case 'KVM_EXIT_IO': return new Set(exit.io.direction === kvm.KVM_EXIT_IO_IN ? ['io.data'] : []);
    case 'KVM_EXIT_MMIO': return new Set(exit.mmio.is_write === 0 ? ['mmio.data'] : []);
    default: return new Set();
  }
}

/** One leaf of kvm_run: shown in hex, settable when it is an answer field. */
function leafNode(path: string, holder: Record<string, unknown>, key: string, editable: boolean, changed: () => void): VarNode {
  const v = holder[key];
  const bytes = v instanceof Uint8Array;
  const width = bytes ? v.length : typeof v === 'bigint' ? 8 : 4;
  const read = (): bigint => (bytes ? bytesValue(holder[key] as Uint8Array) : typeof holder[key] === 'bigint' ? (holder[key] as bigint) : BigInt(holder[key] as number));
  const node: VarNode = {
    name: path, value: hex(read(), bytes ? width : 0), raw: { value: read(), size: Math.min(width, 8) },
    type: editable ? 'answer (settable: what the VMM tells KVM)' : 'set by KVM',
  };
  if (!editable) {
    node.readOnly = true;
    return node;
  }
  node.set = (text: string) => {
    const x = parseAnswer(text);
    if (bytes) {
      const arr = holder[key] as Uint8Array;
      if (arr.length < 8 && x >> BigInt(arr.length * 8) !== 0n) throw userError(ErrorCode.BadArguments, `${path} holds ${arr.length} byte${arr.length > 1 ? 's' : ''}`);
      for (let i = 0; i < arr.length; i++) arr[i] = Number((x >> BigInt(8 * i)) & 0xffn);
    } else if (typeof holder[key] === 'bigint') holder[key] = x & M64;
    else holder[key] = Number(x & 0xffffffffn);
    changed();
    return hex(read(), bytes ? width : 0);
  };
  return node;
}

/** The exit's kvm_run union member, leaf by leaf, in KVM's field order. */
function liveNodes(exit: KvmRunExit, changed: () => void): VarNode[] {
  const editable = answerPaths(exit);
  const out: VarNode[] = [];
  const visit = (prefix: string, obj: Record<string, unknown>): void => {
    for (const key of Object.keys(obj)) {
      const path = prefix ? `${prefix}.${key}` : key;
      const v = obj[key];
      if (v instanceof Uint8Array || typeof v === 'bigint' || typeof v === 'number') out.push(leafNode(path, obj, key, editable.has(path), changed));
      else if (Array.isArray(v)) v.forEach((_, i) => out.push(leafNode(`${path}.${i}`, v as unknown as Record<string, unknown>, String(i), false, changed)));
      else if (v && typeof v === 'object') visit(path, v as Record<string, unknown>);
    }
  };
  const { reason: _reason, exit_reason: _number, ...union } = exit as unknown as Record<string, unknown>;
  visit('', union);
  return out;
}

const ro = (name: string, value: string, type?: string): VarNode => ({ name, value, type, readOnly: true });

/** The scope's variables: the stopped-at exit (editable answers) or the last exit of the log. */
export function kvmExitNodes(at: { exit: KvmRunExit; record: VmExitRecord } | null, last: VmExitRecord | undefined, changed: () => void): VarNode[] {
  if (at) {
    const { exit, record } = at;
    return [
      ro('exit_reason', `${hex(BigInt(exit.exit_reason))} (${exit.reason})`),
      ...liveNodes(exit, changed),
      ro('vmm', record.summary, 'what the VMM did; the answer fields above are what the guest will see'),
      ro('kvm_run_ret', String(record.ret), 'KVM_RUN return value'),
      ro('seq', String(record.seq), 'exit number in this VM\'s life'),
    ];
  }
  if (!last) return [ro('exit_reason', 'none', 'no KVM exit yet')];
  return [
    ro('stopped_at_exit', '0', 'the vCPU is not stopped at a KVM exit: this is the last one, for reference (Continue to Next VM Exit stops at the next)'),
    ro('exit_reason', `${hex(BigInt(last.exit_reason))} (${last.reason})`),
    ro('vmm', last.summary), ro('seq', String(last.seq)),
  ];
}
