// Collects diagnostics with 0-based columns internally and converts them to the public 1-based form.
import type { AsmDiagnostic } from './types';

/** A source range on one line: 0-based columns, `end` exclusive. */
export interface Loc {
  file: string;
  line: number;
  col: number;
  end: number;
}

export class DiagnosticSink {
  readonly list: AsmDiagnostic[] = [];
  private readonly seen = new Set<string>();

  add(loc: Loc, severity: 'error' | 'warning', message: string): void {
    const key = `${loc.file}:${loc.line}:${loc.col}:${severity}:${message}`;
    if (this.seen.has(key)) return;
    this.seen.add(key);
    this.list.push({
      file: loc.file,
      line: loc.line,
      column: loc.col + 1,
      endLine: loc.line,
      endColumn: Math.max(loc.end, loc.col + 1) + 1,
      severity,
      message,
    });
  }

  error(loc: Loc, message: string): void {
    this.add(loc, 'error', message);
  }

  warning(loc: Loc, message: string): void {
    this.add(loc, 'warning', message);
  }

  get errorCount(): number {
    return this.list.filter((d) => d.severity === 'error').length;
  }
}
