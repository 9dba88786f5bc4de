// Hit-count conditions of breakpoints: `5` (from the 5th hit on, gdb's ignore-count meaning),
// `== 5`, `> 5`, `>= 5`, `< 5`, `<= 5`, `% 5` (every 5th hit). Only hits whose condition is true count.

export interface HitCondition {
  op: '==' | '>' | '>=' | '<' | '<=' | '%';
  n: number;
}

const SYNTAX = /^\s*(==|>=|<=|>|<|%)?\s*(0x[0-9a-f]+|\d+)\s*$/i;

/** Parses a hit condition; a string is an error message for the user. */
export function parseHitCondition(text: string): HitCondition | string {
  const m = SYNTAX.exec(text);
  if (!m) return `hit count '${text}' is not understood: use N, == N, > N, >= N, < N, <= N or % N`;
  const n = Number(m[2]);
  const op = (m[1] ?? '>=') as HitCondition['op'];
  if (op === '%' && n === 0) return 'hit count % 0 would never stop';
  return { op, n };
}

/** Whether the `count`-th hit (1-based) stops. */
export function hitMatches(h: HitCondition, count: number): boolean {
  switch (h.op) {
    case '==': return count === h.n;
    case '>': return count > h.n;
    case '>=': return count >= h.n;
    case '<': return count < h.n;
    case '<=': return count <= h.n;
    case '%': return count % h.n === 0;
  }
}
