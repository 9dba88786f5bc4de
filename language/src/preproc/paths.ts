// Minimal '/'-separated path helpers (the assembler core may not use node:path).

export function dirname(p: string): string {
  const i = Math.max(p.lastIndexOf('/'), p.lastIndexOf('\\'));
  return i < 0 ? '' : p.slice(0, i + 1);
}

export function isAbsolute(p: string): boolean {
  return p.startsWith('/') || p.startsWith('\\') || /^[A-Za-z]:[\\/]/.test(p);
}

/** `dir` + `name`, where `dir` is '' or ends with a separator (one is added when missing). */
export function joinPath(dir: string, name: string): string {
  if (dir === '' || isAbsolute(name)) return name;
  const sep = dir.endsWith('/') || dir.endsWith('\\') ? '' : '/';
  return normalize(dir + sep + name);
}

/** Removes `./` segments and resolves `dir/../`. */
export function normalize(p: string): string {
  const abs = p.startsWith('/');
  const out: string[] = [];
  for (const seg of p.split('/')) {
    if (seg === '.' || seg === '') continue;
    if (seg === '..' && out.length > 0 && out[out.length - 1] !== '..') out.pop();
    else out.push(seg);
  }
  return (abs ? '/' : '') + out.join('/');
}
