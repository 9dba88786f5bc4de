// The language server's access to Node: files on disk (cached by modification time), URI <-> path
// conversion and the location of snp.inc next to the bundle (worker.ts holds the worker thread).
import { readFileSync, statSync, existsSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

export interface Host {
  /** Text of a file on disk (absolute path), or undefined when it cannot be read. */
  readDisk(absPath: string): string | undefined;
  /** The key of a document: its normalized file path for file: URIs, else the URI itself. */
  keyOfUri(uri: string): string;
  /** The URI of a key made by keyOfUri or resolvePath. */
  uriOfKey(key: string): string;
  /** An absolute, normalized path: `raw` if absolute, else joined to `base`; undefined without a base. */
  resolvePath(raw: string, base: string | undefined): string | undefined;
  /** The directory holding snp.inc shipped with the server (language/include), if found. */
  stdIncludeDir(): string | undefined;
  /** Milliseconds, monotonic. */
  now(): number;
}

/** Cached disk reads: a file is read again only when its size or modification time changed. */
class DiskCache {
  private readonly entries = new Map<string, { mtimeMs: number; size: number; text: string }>();

  read(p: string): string | undefined {
    let st;
    try {
      st = statSync(p);
    } catch {
      this.entries.delete(p);
      return undefined;
    }
    if (!st.isFile()) return undefined;
    const hit = this.entries.get(p);
    if (hit && hit.mtimeMs === st.mtimeMs && hit.size === st.size) return hit.text;
    try {
      const text = readFileSync(p, 'utf8');
      this.entries.set(p, { mtimeMs: st.mtimeMs, size: st.size, text });
      return text;
    } catch {
      return undefined;
    }
  }
}

/** Walks up from the bundle (dist/languageServer.js) or the sources (language/src/server) to language/include. */
function findStdIncludeDir(): string | undefined {
  let dir = __dirname;
  for (let i = 0; i < 6; i++) {
    const c = path.join(dir, 'language', 'include');
    if (existsSync(path.join(c, 'snp.inc'))) return c;
    if (path.basename(dir) === 'language' && existsSync(path.join(dir, 'include', 'snp.inc'))) return path.join(dir, 'include');
    dir = path.dirname(dir);
  }
  return undefined;
}

export function nodeHost(): Host {
  const disk = new DiskCache();
  let std: string | undefined | null = null;
  return {
    readDisk: (p) => disk.read(p),
    keyOfUri: (uri) => {
      if (!uri.startsWith('file:')) return uri;
      try {
        return path.resolve(fileURLToPath(uri));
      } catch {
        return uri;
      }
    },
    uriOfKey: (key) => (path.isAbsolute(key) ? pathToFileURL(key).href : key),
    resolvePath: (raw, base) => {
      if (path.isAbsolute(raw)) return path.resolve(raw);
      return base === undefined ? undefined : path.resolve(base, raw);
    },
    stdIncludeDir: () => {
      if (std === null) std = findStdIncludeDir();
      return std;
    },
    now: () => performance.now(),
  };
}
