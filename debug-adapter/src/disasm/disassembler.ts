// Lists instructions around an address for the disassemble request, exactly `count` of them.
// Decoding restarts at every known instruction start (InstructionMap); bytes the assembler
// emitted as data are shown as `db`; an instruction that would run over a known start is cut
// back to `db` bytes; unreadable memory becomes invalid entries. Backwards, each stretch between
// two known starts is decoded forwards, so the instructions before an address are exact.

import type { GuestMemory } from '../memory/guestMemory';
import { decodeOne } from './iced';
import type { InstructionMap } from './instructionMap';

export interface ListedItem {
  address: bigint;
  length: number;
  bytes: Uint8Array;
  text: string;
  kind: 'insn' | 'data' | 'invalid';
  branchTarget: bigint | null;
  isCall: boolean;
  ripTarget: bigint | null;
}

const MAX_INSN = 15;
const DATA_CHUNK = 8n;
/** How far below an address without any known start the heuristic looks for a decoding that lands on it. */
const SYNC_WINDOW = 64n;
/** A known start further below than this is not decoded forwards from (memory far from any code). */
const MAX_SPAN = 4096n;
const M64 = (1n << 64n) - 1n;

const dbText = (bytes: Uint8Array): string => 'db ' + [...bytes].map((b) => '0x' + b.toString(16).padStart(2, '0')).join(', ');

function invalid(address: bigint, text: string, bytes = new Uint8Array(0)): ListedItem {
  return { address, length: Math.max(1, bytes.length), bytes, text, kind: 'invalid', branchTarget: null, isCall: false, ripTarget: null };
}

export class Disassembler {
  constructor(private readonly mem: GuestMemory, private readonly map: InstructionMap) {}

  /** The item at `at`, not running past `limit` (a known instruction start or the end wanted). */
  private itemAt(at: bigint, limit: bigint | null): ListedItem {
    const data = this.map.dataAt(at);
    if (data) {
      let end = at + DATA_CHUNK - ((at - data.start) % DATA_CHUNK);
      if (end > data.end) end = data.end;
      if (limit !== null && end > limit) end = limit;
      const { bytes, readable } = this.mem.read('gva', at, Number(end - at));
      if (readable === 0) return invalid(at, '??');
      const b = bytes.subarray(0, readable);
      return { address: at, length: readable, bytes: b, text: dbText(b), kind: 'data', branchTarget: null, isCall: false, ripTarget: null };
    }
    const want = limit !== null && limit - at < BigInt(MAX_INSN) ? Number(limit - at) : MAX_INSN;
    const { bytes, readable } = this.mem.read('gva', at, MAX_INSN);
    if (readable === 0) return invalid(at, '??');
    const d = decodeOne(bytes.subarray(0, readable), at);
    if (d.invalid || d.length === 0) return invalid(at, dbText(bytes.subarray(0, 1)), bytes.slice(0, 1));
    if (d.length > want) return invalid(at, dbText(bytes.subarray(0, want)), bytes.slice(0, want));
    return { address: at, length: d.length, bytes: bytes.slice(0, d.length), text: d.text, kind: 'insn', branchTarget: d.branchTarget, isCall: d.isCall, ripTarget: d.ripTarget };
  }

  /** Up to `max` items from `start` (an instruction start), stopping before `end` if given. */
  forward(start: bigint, max: number, end: bigint | null = null): ListedItem[] {
    const out: ListedItem[] = [];
    let at = start & M64;
    while (out.length < max && (end === null || at < end)) {
      let limit = this.map.anchorAbove(at);
      if (end !== null && (limit === null || limit > end)) limit = end;
      const item = this.itemAt(at, limit);
      out.push(item);
      at = (at + BigInt(item.length)) & M64;
      if (at === 0n) break;
    }
    return out;
  }

  /** Exactly `count` items ending just before `address`, padded in front with invalid entries. */
  backward(address: bigint, count: number): ListedItem[] {
    let items: ListedItem[] = [];
    let hi = address;
    while (items.length < count && hi > 0n) {
      const anchor = this.map.anchorBelow(hi);
      const start = anchor !== null && hi - anchor <= MAX_SPAN ? anchor : this.syncPoint(hi);
      if (start === null) break;
      items = [...this.forward(start, Number.MAX_SAFE_INTEGER, hi), ...items];
      hi = start;
    }
    items = items.slice(Math.max(0, items.length - count));
    const first = items[0]?.address ?? address;
    const pad: ListedItem[] = [];
    for (let k = count - items.length; k > 0; k--) pad.push(invalid(first - BigInt(k) >= 0n ? first - BigInt(k) : 0n, '??'));
    return [...pad, ...items];
  }

  /** Without a known start below `hi`: the lowest start within the window whose decoding lands on `hi`. */
  private syncPoint(hi: bigint): bigint | null {
    const lowest = hi > SYNC_WINDOW ? hi - SYNC_WINDOW : 0n;
    for (let s = lowest; s < hi; s++) {
      let at = s;
      let ok = true;
      while (at < hi) {
        const item = this.itemAt(at, null);
        if (item.kind === 'invalid') {
          ok = false;
          break;
        }
        at += BigInt(item.length);
      }
      if (ok && at === hi) return s;
    }
    return null;
  }

  /** The disassemble request: `instructionOffset` instructions from `base`, then `count` of them. */
  list(base: bigint, instructionOffset: number, count: number): ListedItem[] {
    if (count <= 0) return [];
    if (instructionOffset >= 0) return this.pad(this.forward(base, instructionOffset + count).slice(instructionOffset), count);
    const before = this.backward(base, -instructionOffset);
    const out = before.slice(0, count);
    if (out.length < count) out.push(...this.forward(base, count - out.length));
    return this.pad(out, count);
  }

  private pad(items: ListedItem[], count: number): ListedItem[] {
    while (items.length < count) {
      const last = items[items.length - 1];
      items.push(invalid(last ? last.address + BigInt(last.length) : 0n, '??'));
    }
    return items;
  }
}
