// A listing like `nasm -l`: every source line with its number, address and the bytes it produced.
import type { AsmLine, AssembleResult } from './types';

const BYTES_PER_ROW = 9;
/** Rows printed for one statement before the rest is summarised (nasm prints `<rep N>` similarly). */
const MAX_ROWS = 4;

function hex(bytes: Uint8Array): string {
  let s = '';
  for (const b of bytes) s += b.toString(16).toUpperCase().padStart(2, '0');
  return s;
}

function address(a: bigint): string {
  const digits = a > 0xffffffffn ? 16 : 8;
  return a.toString(16).toUpperCase().padStart(digits, '0');
}

function row(lineNo: number, addr: string, code: string, text: string): string {
  return `${String(lineNo).padStart(6)} ${addr.padEnd(8)} ${code.padEnd(24)}${text}`.trimEnd();
}

/** Rows for one emission: up to 9 bytes per row, a trailing '-' when the bytes continue. */
function emissionRows(lineNo: number, entry: AsmLine, image: Uint8Array, origin: bigint, text: string): string[] {
  const rows: string[] = [];
  const start = Number(entry.address - origin);
  const bytes = image.subarray(start, start + entry.length);
  for (let k = 0; k < bytes.length; k += BYTES_PER_ROW) {
    if (rows.length === MAX_ROWS) {
      rows.push(row(lineNo, address(entry.address + BigInt(k)), `<${bytes.length - k} more bytes>`, ''));
      break;
    }
    const chunk = bytes.subarray(k, k + BYTES_PER_ROW);
    const more = k + BYTES_PER_ROW < bytes.length ? '-' : '';
    rows.push(row(lineNo, address(entry.address + BigInt(k)), hex(chunk) + more, k === 0 ? text : ''));
  }
  return rows;
}

/**
 * Formats the listing. Files appear in the order their first bytes appear in the image; a file that
 * produced no bytes is not listed. `sources` returns a file's text (undefined: the lines are omitted).
 */
export function formatListing(result: AssembleResult, sources: (file: string) => string | undefined): string {
  const byFile = new Map<string, Map<number, AsmLine[]>>();
  for (const l of result.lines) {
    let lines = byFile.get(l.file);
    if (!lines) byFile.set(l.file, (lines = new Map()));
    const list = lines.get(l.line);
    if (list) list.push(l);
    else lines.set(l.line, [l]);
  }
  const out: string[] = [];
  for (const [file, lines] of byFile) {
    if (byFile.size > 1) out.push(`; ---- ${file}`);
    let text: string | undefined;
    try {
      text = sources(file);
    } catch {
      text = undefined;
    }
    const srcLines = text === undefined ? [] : text.split(/\r?\n/);
    if (srcLines.length > 0 && srcLines[srcLines.length - 1] === '' && text?.endsWith('\n')) srcLines.pop();
    const count = Math.max(srcLines.length, ...lines.keys());
    for (let n = 1; n <= count; n++) {
      const src = srcLines[n - 1] ?? '';
      const entries = lines.get(n);
      if (!entries) {
        out.push(row(n, '', '', src));
        continue;
      }
      entries.forEach((e, k) => out.push(...emissionRows(n, e, result.bytes, result.origin, k === 0 ? src : '')));
    }
  }
  return out.join('\n') + '\n';
}
