// Parses the `snpdbg.adapter.server` setting (where a standalone debug adapter listens). Pure, unit-tested.

/** Parses "4711", "localhost:4711", "[::1]:4711"; null when empty; an error text when malformed. */
export function parseServerSetting(text: string): { host: string; port: number } | null | string {
  const t = text.trim();
  if (!t) return null;
  const m = /^(?:(\[[^\]]+\]|[^:]+):)?(\d{1,5})$/.exec(t);
  const port = m ? Number(m[2]) : NaN;
  if (!m || port < 1 || port > 65535) return `'snpdbg.adapter.server' must be a port or host:port, not '${t}'`;
  return { host: m[1]?.replace(/^\[|\]$/g, '') ?? '127.0.0.1', port };
}
