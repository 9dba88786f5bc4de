// The assembler's cross-run caches as a whole: clearing them and reading their counters.
import { clearLineCache, lineCacheStats, type LineCacheStats } from './lineCache';
import { clearFileCache } from './fileCache';

/**
 * Drops everything assemble() remembers between calls (tokens and parses of lines seen before, split
 * include files). Results never depend on the caches; this only gives the memory back.
 */
export function clearAssemblerCaches(): void {
  clearLineCache();
  clearFileCache();
}

export type AssemblerCacheStats = LineCacheStats;

/** Line-cache counters since the last clear: cached lines, and lookups that hit or missed. */
export function assemblerCacheStats(): AssemblerCacheStats {
  return lineCacheStats();
}
