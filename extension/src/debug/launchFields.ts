// Finds launch.json fields the `snp` debug type does not know (typos such as "stopOnEntyr"),
// leaving alone the generic fields VS Code itself reads. Pure: no vscode import, unit-tested.

/** Fields every debug configuration may carry, read by VS Code rather than by the adapter. */
const GENERIC_FIELDS = new Set([
  'type', 'request', 'name', 'presentation', 'preLaunchTask', 'postDebugTask', 'internalConsoleOptions',
  'debugServer', 'suppressMultipleSessionWarning', 'suppressDebugToolbar', 'suppressDebugStatusbar', 'suppressDebugView',
  'serverReadyAction', 'windows', 'linux', 'osx', 'noDebug', 'env', 'console',
]);

/** Levenshtein distance, capped: enough to suggest a field for a typo. */
export function editDistance(a: string, b: string): number {
  const prev = Array.from({ length: b.length + 1 }, (_, i) => i);
  for (let i = 1; i <= a.length; i++) {
    let diag = prev[0]!;
    prev[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const up = prev[j]!;
      prev[j] = Math.min(up + 1, prev[j - 1]! + 1, diag + (a[i - 1]!.toLowerCase() === b[j - 1]!.toLowerCase() ? 0 : 1));
      diag = up;
    }
  }
  return prev[b.length]!;
}

/** A message naming the first unknown field (with the nearest known one), or null. */
export function checkUnknownFields(config: Record<string, unknown>, known: readonly string[]): string | null {
  for (const field of Object.keys(config)) {
    if (field.startsWith('__') || GENERIC_FIELDS.has(field) || known.includes(field)) continue;
    const best = known.map((k) => ({ k, d: editDistance(field, k) })).sort((x, y) => x.d - y.d)[0];
    const hint = best && best.d <= Math.max(2, Math.floor(field.length / 4)) ? ` (did you mean '${best.k}'?)` : '';
    return `'${field}' is not a launch attribute of the snp debug type${hint}`;
  }
  return null;
}
