// Finds source files that debug info names relative to a build directory the debugger does not
// know: tried against each given directory and its ancestors (DWARF comp_dir is often the
// repository root while the program lives deeper).

import { existsSync } from 'node:fs';
import path from 'node:path';

/** The absolute path of `name`, or null when no candidate exists. */
export function findSourceFile(name: string, bases: string[]): string | null {
  if (path.isAbsolute(name)) return existsSync(name) ? path.normalize(name) : null;
  const tried = new Set<string>();
  for (const start of bases) {
    let dir = path.resolve(start);
    for (let depth = 0; depth < 8; depth++) {
      if (!tried.has(dir)) {
        tried.add(dir);
        const candidate = path.join(dir, name);
        if (existsSync(candidate)) return candidate;
      }
      const up = path.dirname(dir);
      if (up === dir) break;
      dir = up;
    }
  }
  return null;
}

/** The key breakpoint paths are compared by (absolute, normalised). */
export function pathKey(p: string): string {
  return path.resolve(p);
}
