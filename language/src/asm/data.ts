// Bytes of one db/dw/dd/dq item: strings padded to the unit, integers with overflow warnings,
// floating-point constants in IEEE single (dd) or double (dq) format.
import type { DataItem } from '../parse/statement';
import type { Expr } from '../parse/expr';
import type { EvalResult } from './eval';
import { dataBytes } from '../encode/immediates';

interface Problem {
  col: number;
  end: number;
  message: string;
}

export function dataItemBytes(item: DataItem, width: number, evaluate: (e: Expr) => EvalResult): { bytes: number[]; error?: Problem; warning?: Problem } {
  const zeros = (): number[] => new Array<number>(width).fill(0);
  if (item.k === 'bytes') {
    const bytes = item.bytes.slice();
    while (bytes.length % width !== 0 || bytes.length === 0) bytes.push(0);
    return { bytes };
  }
  if (item.k === 'float') {
    if (width !== 4 && width !== 8) return { bytes: zeros(), error: { ...item, message: 'floating-point constants need dd or dq here' } };
    const view = new DataView(new ArrayBuffer(width));
    if (width === 4) view.setFloat32(0, item.v, true);
    else view.setFloat64(0, item.v, true);
    return { bytes: [...new Uint8Array(view.buffer)] };
  }
  const r = evaluate(item.e);
  if (!r.ok) return { bytes: zeros(), error: r };
  if (r.value.unknown) {
    const m = r.value.missing;
    return { bytes: zeros(), error: { col: m?.col ?? item.col, end: m?.end ?? item.end, message: `symbol '${m?.name}' not defined` } };
  }
  const d = dataBytes(width, r.value.v);
  return { bytes: d.bytes, warning: d.warning ? { ...item, message: d.warning } : undefined };
}
