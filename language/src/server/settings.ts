// The server's settings: from initializationOptions at start and from workspace/didChangeConfiguration
// (section `snpAsm`) later. Bad values are ignored field by field, never fatal.

/** What a client may send (all optional). */
export interface SnpAsmOptions {
  /** %include search directories after the including file's own; relative ones start at the workspace folder. */
  includePaths?: string[];
  /** Like nasm -D NAME=VALUE ('' defines NAME as empty). */
  defines?: Record<string, string>;
  /** Directory holding snp.inc, searched after includePaths. Default: language/include next to the server bundle. */
  stdIncludeDir?: string;
  /**
   * While typing, how long edits must pause before the program is assembled again, in ms (default
   * 30). The first edit after a pause is assembled at once.
   */
  diagnosticsDelayMs?: number;
}

export interface Settings {
  includePaths: string[];
  defines: Record<string, string>;
  stdIncludeDir: string | undefined;
  diagnosticsDelayMs: number;
}

export const DEFAULT_DELAY_MS = 30;

const isRecord = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/**
 * Merges client options into `base`. `resolve` makes paths absolute (relative to the workspace
 * folder); a path it cannot resolve is dropped.
 */
export function mergeSettings(base: Settings, options: unknown, resolve: (p: string) => string | undefined): Settings {
  if (!isRecord(options)) return base;
  const out: Settings = { ...base };
  if (Array.isArray(options.includePaths)) {
    out.includePaths = options.includePaths.filter((p): p is string => typeof p === 'string').map(resolve).filter((p): p is string => p !== undefined);
  }
  if (isRecord(options.defines)) {
    const defines: Record<string, string> = {};
    for (const [k, v] of Object.entries(options.defines)) if (/^[A-Za-z_.?@$][\w.?@$#~]*$/.test(k)) defines[k] = typeof v === 'string' ? v : v === undefined || v === null ? '' : String(v);
    out.defines = defines;
  }
  if (typeof options.stdIncludeDir === 'string') out.stdIncludeDir = resolve(options.stdIncludeDir) ?? out.stdIncludeDir;
  if (typeof options.diagnosticsDelayMs === 'number' && Number.isFinite(options.diagnosticsDelayMs) && options.diagnosticsDelayMs >= 0) {
    out.diagnosticsDelayMs = Math.min(options.diagnosticsDelayMs, 5000);
  }
  return out;
}

/** The include search list the debugger uses too: user directories, then snp.inc's directory. */
export function searchPath(s: Settings): string[] {
  return s.stdIncludeDir ? [...s.includePaths, s.stdIncludeDir] : s.includePaths;
}
