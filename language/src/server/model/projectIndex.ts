// Symbols across a program (a root file and its includes): resolves a word to its label, macro or
// %define with nasm's precedence (single-line macros expand first, then multi-line macros at the
// start of a statement, then labels), and finds every occurrence of a symbol.
import type { Def, FileModel, Occurrence, Ref, Span, SymbolKind } from './fileModel';

export interface DefAt extends Def {
  file: string;
}

export interface Target {
  /** Identity: kind plus the name as the assembler compares it. */
  id: string;
  kind: SymbolKind;
  name: string;
  defs: DefAt[];
}

export interface Located extends Span {
  file: string;
  isDef: boolean;
}

type Table = Map<string, DefAt[]>;

function add(table: Table, key: string, d: DefAt): void {
  const list = table.get(key);
  if (list) list.push(d);
  else table.set(key, [d]);
}

export class ProjectIndex {
  readonly models = new Map<string, FileModel>();
  private readonly labels: Table = new Map();
  private readonly macros: Table = new Map();
  private readonly macrosCaseless: Table = new Map();
  private readonly defines: Table = new Map();
  private readonly definesCaseless: Table = new Map();
  private readonly resolved = new Map<Occurrence, Target | null>();

  constructor(models: FileModel[]) {
    for (const m of models) this.models.set(m.key, m);
    for (const m of models) {
      for (const d of m.defs) {
        const at: DefAt = { ...d, file: m.key };
        if (d.kind === 'macro') add(d.caseless ? this.macrosCaseless : this.macros, d.caseless ? d.name.toLowerCase() : d.name, at);
        else if (d.kind === 'define') add(d.caseless ? this.definesCaseless : this.defines, d.caseless ? d.name.toLowerCase() : d.name, at);
      }
    }
    for (const m of models) {
      for (const d of m.defs) if (d.kind === 'label' && !this.isMacroCall(d)) add(this.labels, d.name, { ...d, file: m.key });
    }
  }

  /** A colon-less word alone on a line that names a macro is that macro's call, not a label. */
  private isMacroCall(d: Def): boolean {
    return d.maybeMacroCall && this.macro(d.written) !== undefined;
  }

  private macro(name: string): Target | undefined {
    const exact = this.macros.get(name);
    if (exact) return { id: `macro:${name}`, kind: 'macro', name, defs: exact };
    const lower = name.toLowerCase();
    const ci = this.macrosCaseless.get(lower);
    return ci && { id: `macro:${lower}`, kind: 'macro', name: ci[0].name, defs: ci };
  }

  private define(name: string): Target | undefined {
    const exact = this.defines.get(name);
    if (exact) return { id: `define:${name}`, kind: 'define', name, defs: exact };
    const lower = name.toLowerCase();
    const ci = this.definesCaseless.get(lower);
    return ci && { id: `define:${lower}`, kind: 'define', name: ci[0].name, defs: ci };
  }

  private label(name: string): Target | undefined {
    const defs = this.labels.get(name);
    return defs && { id: `label:${name}`, kind: 'label', name, defs };
  }

  /** What a reference names, or undefined (an instruction word, an undefined symbol). */
  resolveRef(r: Ref): Target | undefined {
    if (r.expect === 'macro') return this.macro(r.written);
    if (r.expect === 'define') return this.define(r.written);
    if (r.reserved) return r.head ? this.macro(r.written) : undefined;
    const d = this.define(r.written);
    if (d) return d;
    if (r.head) {
      const m = this.macro(r.written);
      if (m) return m;
    }
    // A local name in a macro body depends on where the macro is called.
    if (r.inMacro && r.name.startsWith('.') && !r.name.startsWith('..')) return undefined;
    return this.label(r.name) ?? this.macro(r.written);
  }

  /** The symbol a definition defines (or, for a macro call that looks like a label, calls). */
  targetOfDef(d: Def): Target | undefined {
    if (d.kind === 'macro') return this.macro(d.name);
    if (d.kind === 'define') return this.define(d.name);
    if (this.isMacroCall(d)) return this.macro(d.written);
    return this.label(d.name);
  }

  /** What an occurrence names (remembered: the index lives only as long as its files' texts). */
  resolve(o: Occurrence): Target | undefined {
    let t = this.resolved.get(o);
    if (t === undefined) {
      t = (o.role === 'def' ? this.targetOfDef(o) : this.resolveRef(o)) ?? null;
      this.resolved.set(o, t);
    }
    return t ?? undefined;
  }

  /** The definition or reference at a position (the cursor may sit just after the word). */
  occurrenceAt(file: string, line: number, character: number): Occurrence | undefined {
    const list = this.models.get(file)?.byLine[line];
    if (!list) return undefined;
    return list.find((o) => o.col <= character && character < o.end) ?? list.find((o) => o.end === character);
  }

  /** Every definition and reference of a symbol, in file order. */
  occurrences(target: Target): Located[] {
    const out: Located[] = [];
    for (const m of this.models.values()) {
      for (const line of m.byLine) {
        for (const o of line) {
          if (o.role === 'def' && o.written === '') continue;
          const t = this.resolve(o);
          if (t && t.id === target.id) out.push({ file: m.key, line: o.line, col: o.col, end: o.end, isDef: o.role === 'def' && !this.isMacroCall(o) });
        }
      }
    }
    return out;
  }

  /** The symbol of a kind named `name` (labels: qualified), as a reference would resolve it. */
  find(kind: SymbolKind, name: string): Target | undefined {
    return kind === 'label' ? this.label(name) : kind === 'macro' ? this.macro(name) : this.define(name);
  }

  /** All symbols of one kind (for completion), first definition each. */
  all(kind: SymbolKind): DefAt[] {
    const tables = kind === 'label' ? [this.labels] : kind === 'macro' ? [this.macros, this.macrosCaseless] : [this.defines, this.definesCaseless];
    return tables.flatMap((t) => [...t.values()].map((defs) => defs[0]));
  }
}
