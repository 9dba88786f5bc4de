// Reads guest memory and page facts for the memory inspector from one debug session: bytes by GPA or
// GVA (DAP readMemory with the adapter's "gpa:0x…"/"gva:0x…" references), the host's view through
// snpHostView, and per-page state from snpMemoryMap, snpReadRmp and snpPageWalk (cached per stop).
import type * as vscode from 'vscode';
import { SNP_HOST_VIEW, SNP_MEMORY_MAP, SNP_PAGE_WALK, SNP_READ_RMP, type MemoryMapRange, type RmpEntryInfo, type SnpPageWalkResponse } from '../../../protocol/customRequests';
import type { AddressSpace, MemoryView, PageInfo } from '../../../protocol/webviewMessages';
import { dap, hex64, snpRequest } from '../debug/snpRequests';
import { hasRmp } from './inspectorSession';
import { classifyPage, pageAttributes, rangeAt } from './pageClassify';

const PAGE = 4096n;

/** The adapter's memory reference for an address (debug-adapter/src/views/format.ts memoryRef). */
export const memoryReference = (space: AddressSpace, address: bigint): string => `${space}:0x${BigInt.asUintN(64, address).toString(16)}`;

export interface ReadResult {
  data: Uint8Array;
  unreadable: number;
  pages: PageInfo[];
}

export class MemorySource {
  private epoch = -1;
  private map: Promise<MemoryMapRange[] | null> | null = null;
  private readonly rmp = new Map<bigint, Promise<RmpEntryInfo | null>>();
  private readonly walks = new Map<bigint, Promise<SnpPageWalkResponse | null>>();

  constructor(readonly session: vscode.DebugSession, private readonly log: vscode.LogOutputChannel) {}

  /** Forget per-stop facts when the guest ran or memory changed. */
  setEpoch(epoch: number): void {
    if (epoch === this.epoch) return;
    this.epoch = epoch;
    this.invalidate();
  }

  /** Forget per-stop facts now (a write, a memory event). */
  invalidate(): void {
    this.map = null;
    this.rmp.clear();
    this.walks.clear();
  }

  memoryMap(): Promise<MemoryMapRange[] | null> {
    this.map ??= snpRequest(this.session, SNP_MEMORY_MAP, {}).then((r) => r.ranges, (e) => this.quiet('snpMemoryMap', e));
    return this.map;
  }

  private rmpEntry(gpaPage: bigint): Promise<RmpEntryInfo | null> {
    if (!hasRmp(this.session)) return Promise.resolve(null);
    let p = this.rmp.get(gpaPage);
    if (!p) {
      p = snpRequest(this.session, SNP_READ_RMP, { gpa: hex64(gpaPage), pages: 1 }).then((r) => r.entries[0] ?? null, () => null);
      this.rmp.set(gpaPage, p);
    }
    return p;
  }

  private walk(gvaPage: bigint): Promise<SnpPageWalkResponse | null> {
    let p = this.walks.get(gvaPage);
    if (!p) {
      p = snpRequest(this.session, SNP_PAGE_WALK, { gva: hex64(gvaPage) }).then((r) => r, (e) => this.quiet('snpPageWalk', e));
      this.walks.set(gvaPage, p);
    }
    return p;
  }

  /** The GPA page behind a page of `space`, with the walk for a GVA. */
  private async gpaPage(space: AddressSpace, page: bigint): Promise<{ gpa: bigint | null; walk: SnpPageWalkResponse | null }> {
    if (space === 'gpa') return { gpa: page, walk: null };
    const walk = await this.walk(page);
    return { gpa: walk?.gpa ? BigInt(walk.gpa) & ~(PAGE - 1n) : null, walk };
  }

  async pageInfo(space: AddressSpace, page: bigint): Promise<PageInfo> {
    const { gpa, walk } = await this.gpaPage(space, page);
    const map = (await this.memoryMap()) ?? [];
    const range = gpa === null ? undefined : rangeAt(map, gpa);
    const rmp = gpa === null || !range || range.kind === 'mmio' ? null : await this.rmpEntry(gpa);
    return {
      address: hex64(page),
      gpa: gpa === null ? null : hex64(gpa),
      state: gpa === null ? 'unmapped' : classifyPage(range, rmp),
      label: range?.label ?? null,
      rmp,
      attributes: pageAttributes(range, walk?.levels ?? null, walk?.cbit ?? null),
      fault: walk?.fault ?? (space === 'gva' && gpa === null ? 'not mapped' : null),
    };
  }

  async read(space: AddressSpace, view: MemoryView, address: bigint, count: number): Promise<ReadResult> {
    const pages: PageInfo[] = [];
    for (let p = address - (address % PAGE); p < address + BigInt(count); p += PAGE) pages.push(await this.pageInfo(space, p));
    const bytes = view === 'host' ? await this.readHost(space, address, count, pages) : await this.readGuest(space, address, count);
    return { ...bytes, pages };
  }

  private async readGuest(space: AddressSpace, address: bigint, count: number): Promise<{ data: Uint8Array; unreadable: number }> {
    const r = await dap.readMemory(this.session, memoryReference(space, address), count);
    const data = r.data ? Buffer.from(r.data, 'base64') : Buffer.alloc(0);
    return { data: new Uint8Array(data), unreadable: Math.max(0, count - data.length) };
  }

  /** The VMM's view, page by page (a GVA page goes through its translation). */
  private async readHost(space: AddressSpace, address: bigint, count: number, pages: PageInfo[]): Promise<{ data: Uint8Array; unreadable: number }> {
    const out: number[] = [];
    for (let done = 0; done < count; ) {
      const at = address + BigInt(done);
      const page = at - (at % PAGE);
      const n = Math.min(count - done, Number(page + PAGE - at));
      const info = pages.find((p) => BigInt(p.address) === page);
      if (!info?.gpa) break;
      const r = await snpRequest(this.session, SNP_HOST_VIEW, { gpa: hex64(BigInt(info.gpa) + (at - page)), count: n });
      const chunk = Buffer.from(r.data, 'base64');
      out.push(...chunk);
      done += chunk.length;
      if (chunk.length < n) break;
    }
    return { data: Uint8Array.from(out), unreadable: count - out.length };
  }

  async write(space: AddressSpace, address: bigint, data: Uint8Array): Promise<number> {
    const r = await dap.writeMemory(this.session, memoryReference(space, address), Buffer.from(data).toString('base64'));
    return r.bytesWritten ?? data.length;
  }

  private quiet<T>(what: string, e: unknown): T | null {
    this.log.debug(`${what} unavailable: ${e instanceof Error ? e.message : String(e)}`);
    return null;
  }
}
