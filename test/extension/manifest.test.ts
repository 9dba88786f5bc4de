import { describe, expect, it } from 'vitest';
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { LAUNCH_ATTRIBUTES, VM_TYPES } from '../../protocol/launchConfig';

const root = path.resolve(__dirname, '../..');
const manifest = JSON.parse(readFileSync(path.join(root, 'package.json'), 'utf8'));

describe('package.json contributions', () => {
  it('has the launch attributes generated from protocol/launchConfig.ts (build/genManifest.mjs --check)', () => {
    expect(() => execFileSync(process.execPath, [path.join(root, 'build/genManifest.mjs'), '--check'], { cwd: root, stdio: 'pipe' })).not.toThrow();
    const snp = manifest.contributes.debuggers.find((d: { type: string }) => d.type === 'snp');
    expect(Object.keys(snp.configurationAttributes.launch.properties)).toEqual(Object.keys(LAUNCH_ATTRIBUTES));
    expect(manifest.contributes.configuration.properties['snpdbg.defaultVmType'].enum).toEqual(['auto', ...VM_TYPES]);
  });
  it('contributes the debugger, the language, breakpoints and the SNP commands', () => {
    const c = manifest.contributes;
    expect(c.debuggers[0]).toMatchObject({ type: 'snp', label: 'SNP Guest', languages: ['snp-asm', 'c'] });
    expect(c.breakpoints).toEqual([{ language: 'snp-asm' }, { language: 'c' }]);
    expect(c.languages[0]).toMatchObject({ id: 'snp-asm', extensions: ['.asm', '.nasm', '.inc'] });
    const titles = c.commands.map((x: { category: string; title: string }) => `${x.category}: ${x.title}`);
    for (const t of ['SNP: Open Memory Inspector', 'SNP: Show RMP Table', 'SNP: Continue to Next VM Exit', 'SNP: Show VM Exit Log']) expect(titles).toContain(t);
    expect(manifest.activationEvents).toEqual(expect.arrayContaining(['onDebugResolve:snp', 'onLanguage:snp-asm']));
  });
  it('has a snippet per example guest, SNP examples in an SNP VM', () => {
    const bodies = manifest.contributes.debuggers[0].configurationSnippets.map((s: { body: { program: string; vmType: string } }) => s.body);
    expect(bodies).toContainEqual(expect.objectContaining({ program: '^"\\${workspaceFolder}/examples/hello/hello.asm"', vmType: 'default' }));
    expect(bodies).toContainEqual(expect.objectContaining({ program: '^"\\${workspaceFolder}/examples/snp/hello-ghcb.asm"', vmType: 'snp' }));
    expect(bodies).toContainEqual(expect.objectContaining({ program: '^"\\${workspaceFolder}/examples/snp/attest/attest.elf"', vmType: 'snp' }));
  });
  it('snippets and initial configurations pass the launch validator', () => {
    const snp = manifest.contributes.debuggers[0];
    for (const cfg of snp.initialConfigurations) expect(cfg).toMatchObject({ type: 'snp', request: 'launch' });
    for (const s of snp.configurationSnippets) expect(Object.keys(s.body).filter((k) => !['type', 'request', 'name'].includes(k) && !(k in LAUNCH_ATTRIBUTES))).toEqual([]);
  });
});
