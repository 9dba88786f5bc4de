// Every breakpoint the client set, kept as its request (so it can be bound again after a restart)
// and as what it resolved to: code addresses (source lines, functions, instructions), data
// watches and exception filters, each with condition, hit count and log message.

import type { DebugProtocol } from '@vscode/debugprotocol';
import type { ExceptionFilterId } from '../../../protocol/exceptionFilters';
import { ExprError, namesIn, parseExpression, type MemSpace, type Node } from '../expr/parse';
import { pathKey } from '../load/sourcePaths';
import { parseHitCondition, type HitCondition } from './hitCondition';
import { parseLogMessage, type LogPart } from './logMessage';

export type CodeKind = 'source' | 'function' | 'instruction';

/** What the store needs from the loaded program to bind requests to addresses. */
export interface Binder {
  resolveLine(path: string, line: number): { line: number; addresses: bigint[] } | null;
  resolveFunction(name: string): bigint | null;
  /** An instruction reference plus byte offset as an address. */
  resolveInstruction(reference: string, offset: number): bigint | null;
  /** Whether an expression name exists (registers, symbols); conditions naming others are refused. */
  knowsName(name: string): boolean;
}

export interface Conditions {
  conditionText?: string;
  condition: Node | null;
  hit: HitCondition | null;
  hits: number;
  log: LogPart[] | null;
}

export interface CodeBreakpoint extends Conditions {
  id: number;
  kind: CodeKind;
  request: DebugProtocol.SourceBreakpoint | DebugProtocol.FunctionBreakpoint | DebugProtocol.InstructionBreakpoint;
  path?: string;
  addresses: bigint[];
  verified: boolean;
  message?: string;
  /** Line the breakpoint ended up on (source breakpoints). */
  line?: number;
}

export interface DataBreakpointEntry extends Conditions {
  id: number;
  request: DebugProtocol.DataBreakpoint;
  space: MemSpace;
  start: bigint;
  end: bigint;
  read: boolean;
  write: boolean;
  verified: boolean;
  message?: string;
}

export interface ExceptionFilterEntry {
  id: ExceptionFilterId;
  condition: Node | null;
  conditionText?: string;
}

/** Parses condition, hit condition and log message; the string is the first problem found. */
export function parseConditions(req: { condition?: string; hitCondition?: string; logMessage?: string }, binder: Binder | null): Conditions | string {
  const out: Conditions = { condition: null, hit: null, hits: 0, log: null };
  if (req.condition && req.condition.trim()) {
    try {
      out.condition = parseExpression(req.condition);
    } catch (e) {
      return `condition: ${e instanceof ExprError ? e.message : String(e)}`;
    }
    const unknown = binder ? namesIn(out.condition).find((n) => !binder.knowsName(n.name)) : undefined;
    if (unknown) return `condition: unknown name '${unknown.name}'`;
    out.conditionText = req.condition;
  }
  if (req.hitCondition && req.hitCondition.trim()) {
    const h = parseHitCondition(req.hitCondition);
    if (typeof h === 'string') return h;
    out.hit = h;
  }
  if (req.logMessage !== undefined && req.logMessage !== '') {
    const l = parseLogMessage(req.logMessage);
    if (typeof l === 'string') return `log message: ${l}`;
    out.log = l;
  }
  return out;
}

export class BreakpointStore {
  /** Run Without Debugging: breakpoints are kept but none is armed or stops. */
  disabled = false;
  private nextId = 1;
  private readonly source = new Map<string, CodeBreakpoint[]>();
  private functions: CodeBreakpoint[] = [];
  private instructions: CodeBreakpoint[] = [];
  /** VS Code's set (setDataBreakpoints) and the memory inspector's (snpSetInspectorDataBreakpoints). */
  private data: DataBreakpointEntry[] = [];
  private inspectorData: DataBreakpointEntry[] = [];
  private filters = new Map<ExceptionFilterId, ExceptionFilterEntry>();
  /** Address -> breakpoints there; rebuilt whenever code breakpoints change. */
  private byAddress = new Map<bigint, CodeBreakpoint[]>();

  newId(): number {
    return this.nextId++;
  }

  setSource(path: string, reqs: DebugProtocol.SourceBreakpoint[], binder: Binder | null): CodeBreakpoint[] {
    const list = reqs.map((r) => this.bindCode({ id: this.newId(), kind: 'source', request: r, path, addresses: [], verified: false, condition: null, hit: null, hits: 0, log: null }, binder));
    this.source.set(pathKey(path), list);
    this.index();
    return list;
  }

  setFunctions(reqs: DebugProtocol.FunctionBreakpoint[], binder: Binder | null): CodeBreakpoint[] {
    this.functions = reqs.map((r) => this.bindCode({ id: this.newId(), kind: 'function', request: r, addresses: [], verified: false, condition: null, hit: null, hits: 0, log: null }, binder));
    this.index();
    return this.functions;
  }

  setInstructions(reqs: DebugProtocol.InstructionBreakpoint[], binder: Binder | null): CodeBreakpoint[] {
    this.instructions = reqs.map((r) => this.bindCode({ id: this.newId(), kind: 'instruction', request: r, addresses: [], verified: false, condition: null, hit: null, hits: 0, log: null }, binder));
    this.index();
    return this.instructions;
  }

  setData(entries: DataBreakpointEntry[]): void {
    this.data = entries;
  }

  setInspectorData(entries: DataBreakpointEntry[]): void {
    this.inspectorData = entries;
  }

  setExceptionFilters(entries: ExceptionFilterEntry[]): void {
    this.filters = new Map(entries.map((e) => [e.id, e]));
  }

  /** Binds every code breakpoint again (new program); returns those whose state changed. */
  rebind(binder: Binder | null): CodeBreakpoint[] {
    const changed: CodeBreakpoint[] = [];
    for (const bp of this.allCode()) {
      const before = `${bp.verified}|${bp.line}|${bp.addresses.join(',')}|${bp.message}`;
      this.bindCode(bp, binder);
      bp.hits = 0;
      if (`${bp.verified}|${bp.line}|${bp.addresses.join(',')}|${bp.message}` !== before) changed.push(bp);
    }
    for (const d of this.allData()) d.hits = 0;
    this.index();
    return changed;
  }

  private bindCode(bp: CodeBreakpoint, binder: Binder | null): CodeBreakpoint {
    bp.addresses = [];
    bp.verified = false;
    bp.message = undefined;
    const conds = parseConditions(bp.request, binder);
    if (typeof conds === 'string') {
      bp.message = conds;
      return bp;
    }
    Object.assign(bp, { ...conds, hits: bp.hits });
    if (!binder) {
      bp.message = 'pending: no guest program is loaded yet';
      return bp;
    }
    if (bp.kind === 'source') {
      const req = bp.request as DebugProtocol.SourceBreakpoint;
      const r = binder.resolveLine(bp.path!, req.line);
      if (!r) bp.message = `no code at or after line ${req.line} of this file in the loaded program`;
      else Object.assign(bp, { addresses: r.addresses, line: r.line, verified: true });
    } else if (bp.kind === 'function') {
      const name = (bp.request as DebugProtocol.FunctionBreakpoint).name;
      const a = binder.resolveFunction(name);
      if (a === null) bp.message = `no symbol named '${name}'`;
      else Object.assign(bp, { addresses: [a], verified: true });
    } else {
      const req = bp.request as DebugProtocol.InstructionBreakpoint;
      const a = binder.resolveInstruction(req.instructionReference, req.offset ?? 0);
      if (a === null) bp.message = `'${req.instructionReference}' is not an address`;
      else Object.assign(bp, { addresses: [a], verified: true });
    }
    return bp;
  }

  private allCode(): CodeBreakpoint[] {
    return [...[...this.source.values()].flat(), ...this.functions, ...this.instructions];
  }

  private index(): void {
    this.byAddress = new Map();
    for (const bp of this.allCode()) {
      for (const a of bp.addresses) {
        const l = this.byAddress.get(a);
        if (l) l.push(bp);
        else this.byAddress.set(a, [bp]);
      }
    }
  }

  codeAddresses(): IterableIterator<bigint> {
    return this.disabled ? [].values() : this.byAddress.keys();
  }

  codeAt(address: bigint): CodeBreakpoint[] {
    return this.disabled ? [] : this.byAddress.get(address) ?? [];
  }

  private allData(): DataBreakpointEntry[] {
    return this.inspectorData.length ? [...this.data, ...this.inspectorData] : this.data;
  }

  dataEntries(): readonly DataBreakpointEntry[] {
    return this.disabled ? [] : this.allData();
  }

  dataById(id: number): DataBreakpointEntry | undefined {
    return this.disabled ? undefined : this.allData().find((d) => d.id === id);
  }

  exceptionFilter(id: ExceptionFilterId): ExceptionFilterEntry | undefined {
    return this.disabled ? undefined : this.filters.get(id);
  }

  enabledFilters(): Set<ExceptionFilterId> {
    return new Set(this.disabled ? [] : this.filters.keys());
  }
}
