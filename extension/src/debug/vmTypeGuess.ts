// Picks the VM type for F5 on a guest without a launch configuration (setting "auto"): a guest
// that uses SEV-SNP features (the GHCB, VMGEXIT, PVALIDATE, RMPADJUST) needs an SNP VM, anything
// else runs in a plain VM. Pure text test on the source (or an ELF's symbol names); unit-tested.

const SNP_ASM = /\b(VMGEXIT|PVALIDATE|RMPADJUST|GHCB_\w+)\b|%include\s+"(snp-lib|ghcb-io)\.inc"/i;
/** Symbol names a C SNP guest links (its GHCB code); an ELF keeps them in .symtab/.strtab. */
const SNP_ELF_SYMBOLS = /\bghcb\w*|\bpvalidate\w*|\bvmgexit\w*/i;

export type GuessedVmType = 'snp' | 'default';

/** The VM type for a guest file's contents: `text` for .asm/.nasm, the raw bytes' latin1 text for .elf/.bin. */
export function guessVmType(fileName: string, contents: string): GuessedVmType {
  if (/\.(asm|nasm)$/i.test(fileName)) return SNP_ASM.test(contents) ? 'snp' : 'default';
  return SNP_ELF_SYMBOLS.test(contents) ? 'snp' : 'default';
}
