// The SNP examples (examples/snp) run as a user runs them: each is launched by the VMM into an SNP
// VM and must print its story and terminate normally; the test also checks what each one shows
// at the KVM level (the page-state-change exits and what the host can see).

import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { asmToImage, assembleFile } from '../../cli/src/loadGuest';
import { Vmm, type GuestImage } from '../../emulator/src/index';
import { expectTerminated, hypercallArgs, MEMORY, peek, runGuest, TERM_OK } from './harness';

const dir = path.resolve(__dirname, '../../examples/snp');

function example(name: string): GuestImage {
  const file = path.join(dir, `${name}.asm`);
  const { result, messages } = assembleFile(file, { defines: {}, includePaths: [], binLoad: 0x100000n });
  if (!result?.ok) throw new Error(messages.join('\n'));
  return asmToImage(result);
}

function launch(image: GuestImage) {
  let serial = '';
  const vmm = Vmm.create(image, { vmType: 'snp', memorySize: MEMORY, onSerial: (b) => (serial += String.fromCharCode(b)) });
  if (typeof vmm === 'string') throw new Error(vmm);
  return { vmm, serial: () => serial };
}

const symbol = (image: GuestImage, name: string): bigint => image.symbols.find((s) => s.name === name)!.value;

describe('examples/snp', () => {
  it('hello-ghcb.asm prints through GHCB IOIO and ends with an MSR-protocol termination', () => {
    const { vmm, serial } = launch(example('hello-ghcb'));
    expectTerminated(vmm, runGuest(vmm), TERM_OK);
    expect(serial()).toBe('Hello from an SEV-SNP guest, through the GHCB!\n');
  });

  it('psc-msr.asm accepts, shares and reclaims a page; the host reads the shared note, never the secret', () => {
    const image = example('psc-msr');
    const { vmm, serial } = launch(image);
    vmm.cpu.setBreakpoints([symbol(image, 'note_written')]);
    let note = '';
    const stop = runGuest(vmm, {
      onBreakpoint: () => { note = Buffer.from(peek(vmm, 0x400000n, 39, 'shared')).toString(); },
    });
    expectTerminated(vmm, stop, TERM_OK);
    expect(note).toBe('written by the guest into a shared page');
    expect(vmm.exitLog.filter((e) => e.reason === 'KVM_EXIT_HYPERCALL').map(hypercallArgs)).toEqual([
      [12n, 0x400000n, 1n, 0x10n], [12n, 0x400000n, 1n, 0n], [12n, 0x400000n, 1n, 0x10n],
    ]);
    expect(serial()).toContain('psc-msr: the page is private again and reads as zeroes\n');
  });

  it('psc-ghcb.asm converts a 2 MiB region and two pages in one request, then validates them 4K by 4K', () => {
    const { vmm, serial } = launch(example('psc-ghcb'));
    expectTerminated(vmm, runGuest(vmm), TERM_OK);
    expect(vmm.exitLog.filter((e) => e.reason === 'KVM_EXIT_HYPERCALL').map(hypercallArgs)).toEqual([
      [12n, 0x600000n, 512n, 0x11n], [12n, 0x800000n, 2n, 0x10n],
    ]);
    expect(serial()).toContain('FAIL_SIZEMISMATCH, the RMP has 4K entries; validating page by page\n');
    // The guest's write at the end of the 2 MiB region, as the guest sees its private memory.
    expect(new DataView(peek(vmm, 0x7ff000n, 8, 'private').buffer).getBigUint64(0, true)).toBe(1n);
  });

  it('vc-cpuid.asm serves CPUID from its #VC handler through the GHCB', () => {
    const { vmm, serial } = launch(example('vc-cpuid'));
    expectTerminated(vmm, runGuest(vmm), TERM_OK);
    expect(serial()).toBe('vc-cpuid: CPUID 0 through #VC and the GHCB: vendor AuthenticAMD\nvc-cpuid: CPUID 0x8000001F: C-bit position 51\n');
    expect(new Set(vmm.exitLog.map((e) => e.reason))).toEqual(new Set(['KVM_EXIT_IO', 'KVM_EXIT_SYSTEM_EVENT']));
  });
});
