// Documentation of the names an include file defines (snp.inc and the user's own .inc files), read
// with the docs module and cached per file text; and the codes (MSRs, exit codes) of snp.inc.
import { readIncludeDocs, codesOf, type IncEntry, type Code } from '../../docs/index';

export interface IncludeDocs {
  key: string;
  text: string;
  entries: IncEntry[];
  byName: Map<string, IncEntry>;
  codes: Code[];
}

const cache = new Map<string, IncludeDocs>();

export function includeDocs(key: string, text: string): IncludeDocs {
  const hit = cache.get(key);
  if (hit && hit.text === text) return hit;
  const entries = readIncludeDocs(text, key);
  const docs: IncludeDocs = { key, text, entries, byName: new Map(entries.map((e) => [e.name, e])), codes: codesOf(entries) };
  cache.set(key, docs);
  return docs;
}
