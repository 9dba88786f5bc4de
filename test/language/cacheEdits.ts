// Inputs for the cache tests: a generated guest program like the language-server benchmark's, and
// deterministic sequences of editor-like edits (delete, duplicate, insert, swap lines).

/** Deterministic pseudo-random numbers (xorshift32) in [0, n). */
function rng(seed: number): (n: number) => number {
  let x = seed | 1;
  return (n) => {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    return (x >>> 0) % n;
  };
}

/** A program of `functions` functions with local labels, jumps, calls, RIP-relative data, snp.inc names and a macro. */
export function generatedProgram(functions: number): string {
  const pick = rng(2024);
  const regs = ['rax', 'rbx', 'rcx', 'rdx', 'rsi', 'rdi', 'r8', 'r9', 'r10', 'r11', 'r12', 'r13', 'r14', 'r15'];
  const cc = ['e', 'ne', 'l', 'ge', 'b', 'a'];
  const out = ['bits 64', 'org 0x100000', '%include "snp.inc"', '%macro save2 2', '        push %1', '        push %2', '%endmacro', 'BUF_SIZE equ 4096', '_start:'];
  for (let f = 0; f < functions; f++) {
    out.push(`func_${f}:`, '        save2 rbx, rbp');
    for (let k = 0; k < 16; k++) {
      if (k % 4 === 0) out.push(`.l${k}:`);
      const a = regs[pick(regs.length)];
      const c = pick(12);
      if (c < 2) out.push(`        mov ${a}, [${regs[pick(regs.length)]} + ${pick(400) - 200}]`);
      else if (c < 4) out.push(`        add ${a}, ${pick(600) - 300}`);
      else if (c < 6) out.push(`        j${cc[pick(cc.length)]} .l${Math.floor(k / 4) * 4 + 4 * pick(3)}`);
      else if (c < 7) out.push(`        lea ${a}, [rel data_${pick(10)}]`);
      else if (c < 8) out.push(`        call func_${pick(functions)}`);
      else if (c < 9) out.push('        mov ecx, MSR_AMD64_SEV_ES_GHCB');
      else if (c < 10) out.push('        mov dword [rsi + GHCB_SW_EXIT_CODE], SVM_VMGEXIT_PSC');
      else out.push(`        mov qword [rsp + ${pick(64) * 8}], ${a}   ; spill`);
    }
    out.push('.l16:', '.l20:', '.l24:', '        pop rbp', '        pop rbx', '        ret');
  }
  out.push('section .data');
  for (let i = 0; i < 10; i++) out.push(`data_${i}: dq ${i}, ${i * 3}`);
  out.push('section .bss', 'buf: resb BUF_SIZE');
  return out.join('\n') + '\n';
}

/** Lines an edit may insert: labels, jumps, `$`, defines, `default rel`, alignment, data. */
const INSERTS = [
  '        nop',
  '.extra:',
  '        jmp .extra',
  '        jmp near .extra',
  'glob_%:',
  '        default rel',
  '        default abs',
  '        mov rax, [later]',
  '        dd $ - later',
  'later:',
  '        times 3 db 0',
  '        times 200 nop',
  '%define TMP 5',
  '        mov eax, TMP',
  '        align 16',
  '        call glob_%',
  'K_% equ later - $$',
  '        mov eax, K_%',
];

/** `count` versions of `source`, each one random edit away from the one before it. */
export function editedVersions(source: string, count: number, seed: number): string[] {
  const pick = rng(seed * 7919 + 17);
  let lines = source.split('\n');
  const out: string[] = [];
  for (let k = 0; k < count; k++) {
    const at = pick(lines.length);
    const kind = pick(4);
    if (kind === 0 && lines.length > 10) lines = [...lines.slice(0, at), ...lines.slice(at + 1)];
    else if (kind === 1) lines = [...lines.slice(0, at), lines[pick(lines.length)], ...lines.slice(at)];
    else if (kind === 2) lines = [...lines.slice(0, at), INSERTS[pick(INSERTS.length)].replace('%', String(pick(5))), ...lines.slice(at)];
    else if (at + 1 < lines.length) lines = [...lines.slice(0, at), lines[at + 1], lines[at], ...lines.slice(at + 2)];
    out.push(lines.join('\n'));
  }
  return out;
}
