// Decides what a breakpoint hit does: its condition (an error stops, like gdb), then its hit
// count (only hits whose condition held count), then either a log line (logpoints never stop)
// or a stop.

import { evaluateNode, type EvalEnv } from '../expr/evaluate';
import { hitMatches } from './hitCondition';
import { renderLogMessage } from './logMessage';
import type { Conditions } from './breakpointStore';

export interface HitOutcome<B> {
  /** Breakpoints that want to stop. */
  stopping: B[];
  logs: { bp: B; text: string }[];
  /** Condition errors ("bp 3: cannot read ..."); each also stops. */
  errors: string[];
}

export function evaluateHits<B extends Conditions & { id: number }>(bps: readonly B[], env: EvalEnv): HitOutcome<B> {
  const out: HitOutcome<B> = { stopping: [], logs: [], errors: [] };
  for (const bp of bps) {
    if (bp.condition) {
      let holds: boolean;
      try {
        holds = evaluateNode(bp.condition, env).value !== 0n;
      } catch (e) {
        out.errors.push(`breakpoint ${bp.id}: condition '${bp.conditionText ?? ''}' failed: ${e instanceof Error ? e.message : String(e)}`);
        out.stopping.push(bp);
        continue;
      }
      if (!holds) continue;
    }
    bp.hits++;
    if (bp.hit && !hitMatches(bp.hit, bp.hits)) continue;
    if (bp.log) out.logs.push({ bp, text: renderLogMessage(bp.log, env) });
    else out.stopping.push(bp);
  }
  return out;
}
