// Hand-built .debug_line units exercise every opcode, header version, entry form and the 64-bit
// format that the gcc fixtures do not; expected rows are worked out from DWARF 5 §6.2 by hand.
import { describe, expect, it } from 'vitest';
import type { LineEntry } from '../../emulator/src/image';
import { decodeLineTable } from '../../emulator/src/loader';
import { joinPath, normalizePath } from '../../emulator/src/loader/dwarfLineHeader';
import { Bytes, concat, lineUnit, op, program } from './dwarfBuilder';

/** Special opcode for the default header (line_base -5, line_range 14, opcode_base 13). */
const spec = (addressAdvance: number, lineAdvance: number): number => lineAdvance + 5 + 14 * addressAdvance + 13;

const row = (address: bigint, file: string, line: number, column = 0, isStmt = true): LineEntry =>
  ({ address, file, line, column, isStmt });

function decode(debugLine: Uint8Array, extra: Parameters<typeof decodeLineTable>[0] | object = {}) {
  return decodeLineTable({ debugLine, ...extra });
}

const DW_LNCT = { path: 1, directory_index: 2, timestamp: 3, size: 4, MD5: 5 };
const DW_FORM = { block: 0x09, data1: 0x0b, data2: 0x05, data4: 0x06, data8: 0x07, data16: 0x1e, string: 0x08, strp: 0x0e, udata: 0x0f, line_strp: 0x1f };

describe('DWARF 4 line program, every standard and extended opcode', () => {
  const unit = (offsetSize: 4 | 8) => lineUnit({
    version: 4, offsetSize, includeDirs: ['/usr/include'], files: [{ name: 'a.c', dir: 0 }, { name: 'b.h', dir: 1 }],
    program: program(
      op.setAddress(0x1000n), op.setColumn(3), op.copy(),
      op.special(spec(2, 3)),
      op.advancePc(0x10), op.advanceLine(-2), op.negateStmt(), op.copy(),
      op.setFile(2), op.constAddPc(), op.advanceLine(10),
      op.setDiscriminator(5), op.setPrologueEnd(), op.setEpilogueBegin(), op.setBasicBlock(), op.setIsa(1),
      op.vendorExtended([1, 2, 3]), op.copy(),
      op.fixedAdvancePc(0x100), op.special(spec(0, 1)),
      op.advancePc(1), op.endSequence(),
      // A new sequence starts from the initial registers: file 1, line 1, column 0, is_stmt default.
      op.setAddress(0x800n), op.copy(), op.advancePc(2), op.endSequence(),
    ),
  });
  const expected = [
    row(0x800n, 'a.c', 1),
    row(0x1000n, 'a.c', 1, 3),
    row(0x1002n, 'a.c', 4, 3),
    row(0x1012n, 'a.c', 2, 3, false),
    // const_add_pc adds the advance of special opcode 255: (255 - 13) / 14 = 17.
    row(0x1023n, '/usr/include/b.h', 12, 3, false),
    // fixed_advance_pc adds its operand unscaled.
    row(0x1123n, '/usr/include/b.h', 13, 3, false),
  ];

  it('decodes 32-bit DWARF', () => {
    expect(decode(unit(4))).toEqual({ lines: expected, warnings: [] });
  });

  it('decodes 64-bit DWARF (initial length 0xffffffff, 8-byte header_length)', () => {
    const bytes = unit(8);
    expect(Array.from(bytes.subarray(0, 4))).toEqual([0xff, 0xff, 0xff, 0xff]);
    expect(decode(bytes)).toEqual({ lines: expected, warnings: [] });
  });

  it('adds files with DW_LNE_define_file after the header table', () => {
    const bytes = lineUnit({
      version: 4, includeDirs: ['inc'], files: [{ name: 'a.c', dir: 0 }],
      program: program(op.defineFile('gen.c', 1), op.setAddress(0x10n), op.setFile(2), op.advanceLine(6), op.copy(), op.endSequence()),
    });
    expect(decode(bytes).lines).toEqual([row(0x10n, 'inc/gen.c', 7)]);
  });
});

describe('DWARF 2 and 3 headers', () => {
  it('treats opcodes from opcode_base 10 upward as special opcodes (DWARF 2 has 9 standard ones)', () => {
    const bytes = lineUnit({
      version: 2, opcodeBase: 10, files: [{ name: 'x.c', dir: 0 }],
      program: program(
        op.setAddress(0x2000n), op.advanceLine(9),
        op.special(10), // adjusted 0: address +0, line -5 -> 5
        op.special(57), // adjusted 47: address +3, line +0
        op.special(12), // DW_LNS_set_isa in DWARF 3, special here: address +0, line -3 -> 2
        op.endSequence(),
      ),
    });
    expect(decode(bytes)).toEqual({
      lines: [row(0x2000n, 'x.c', 5), row(0x2003n, 'x.c', 5), row(0x2003n, 'x.c', 2)], warnings: [],
    });
  });

  it('scales address advances by minimum_instruction_length, except fixed_advance_pc', () => {
    const bytes = lineUnit({
      version: 3, minInstLength: 4, defaultIsStmt: false, files: [{ name: 'r.s', dir: 0 }],
      program: program(
        op.setAddress(0x4000n, 4), op.special(spec(1, 1)),
        op.advancePc(3), op.constAddPc(), op.fixedAdvancePc(2), op.copy(), op.endSequence(),
      ),
    });
    expect(decode(bytes).lines).toEqual([row(0x4004n, 'r.s', 2, 0, false), row(0x4056n, 'r.s', 2, 0, false)]);
  });
});

describe('DWARF 4 VLIW operation advance (maximum_operations_per_instruction > 1)', () => {
  it('advances the address by whole instructions and keeps op_index', () => {
    const bytes = lineUnit({
      version: 4, minInstLength: 8, maxOpsPerInsn: 3, files: [{ name: 'v.c', dir: 0 }],
      program: program(
        op.setAddress(0x8000n),
        op.advancePc(4), op.copy(), // op_index 0+4: one instruction, op_index 1
        op.advancePc(2), op.copy(), // 1+2 = 3: one instruction, op_index 0
        op.special(spec(5, 0)), // 0+5: one instruction, op_index 2
        op.advancePc(1), op.copy(), // 2+1 = 3: one instruction
        op.endSequence(),
      ),
    });
    expect(decode(bytes).lines.map((l) => l.address)).toEqual([0x8008n, 0x8010n, 0x8018n, 0x8020n]);
  });
});

describe('DWARF 5 directory and file entry formats', () => {
  it('reads line_strp directories, string/udata/data16 (MD5) file entries, with directory 0 as base', () => {
    const lineStr = new Bytes().cstr('/build').cstr('src').cstr('/abs/inc');
    const bytes = lineUnit({
      version: 5,
      v5Tables: (b) => {
        b.u8(1).uleb(DW_LNCT.path).uleb(DW_FORM.line_strp).uleb(3).u32(0).u32(7).u32(11);
        b.u8(3).uleb(DW_LNCT.path).uleb(DW_FORM.string).uleb(DW_LNCT.directory_index).uleb(DW_FORM.udata)
          .uleb(DW_LNCT.MD5).uleb(DW_FORM.data16).uleb(3);
        for (const [name, dir] of [['main.c', 0], ['util.c', 1], ['x.h', 2]] as const) {
          b.cstr(name).uleb(dir).raw(new Array(16).fill(0xab));
        }
      },
      program: program(
        op.setAddress(0x10_0000_0000n), op.copy(), // DWARF 5 file register starts at 1: util.c
        op.setFile(0), op.special(spec(1, 1)),
        op.setFile(2), op.special(spec(1, 1)), op.endSequence(),
      ),
    });
    expect(decode(bytes, { debugLineStr: lineStr.toArray() })).toEqual({
      lines: [
        row(0x10_0000_0000n, '/build/src/util.c', 1),
        row(0x10_0000_0001n, '/build/main.c', 2),
        row(0x10_0000_0002n, '/abs/inc/x.h', 3),
      ],
      warnings: [],
    });
  });

  it('reads strp, data1, data4, data8 and block forms, skipping vendor content types', () => {
    const str = new Bytes().cstr('unused').cstr('f.c');
    const bytes = lineUnit({
      version: 5,
      v5Tables: (b) => {
        b.u8(1).uleb(DW_LNCT.path).uleb(DW_FORM.string).uleb(1).cstr('/w');
        b.u8(5).uleb(DW_LNCT.path).uleb(DW_FORM.strp).uleb(DW_LNCT.directory_index).uleb(DW_FORM.data1)
          .uleb(DW_LNCT.size).uleb(DW_FORM.data8).uleb(DW_LNCT.timestamp).uleb(DW_FORM.data4)
          .uleb(0x2001).uleb(DW_FORM.block);
        b.uleb(1).u32(7).u8(0).u64(1234n).u32(99).uleb(3).u8(1, 2, 3);
      },
      program: program(op.setAddress(0x500n), op.setFile(0), op.copy(), op.endSequence()),
    });
    expect(decode(bytes, { debugStr: str.toArray() })).toEqual({ lines: [row(0x500n, '/w/f.c', 1)], warnings: [] });
  });

  it('reads 64-bit DWARF 5 with 8-byte line_strp offsets and data2 directory indexes', () => {
    const lineStr = new Bytes().cstr('/d0').cstr('d1').cstr('g.c');
    const bytes = lineUnit({
      version: 5, offsetSize: 8,
      v5Tables: (b) => {
        b.u8(1).uleb(DW_LNCT.path).uleb(DW_FORM.line_strp).uleb(2).u64(0n).u64(4n);
        b.u8(3).uleb(DW_LNCT.path).uleb(DW_FORM.line_strp).uleb(DW_LNCT.directory_index).uleb(DW_FORM.data2)
          .uleb(DW_LNCT.size).uleb(DW_FORM.udata).uleb(1).u64(7n).u16(1).uleb(100000);
      },
      program: program(op.setAddress(0x600n), op.setFile(0), op.setColumn(9), op.copy(), op.endSequence()),
    });
    expect(decode(bytes, { debugLineStr: lineStr.toArray() })).toEqual({ lines: [row(0x600n, '/d0/d1/g.c', 1, 9)], warnings: [] });
  });
});

describe('multiple units and compilation directories', () => {
  it('sorts rows of all units by address, keeping program order at equal addresses', () => {
    const a = lineUnit({ version: 4, files: [{ name: 'a.c', dir: 0 }], program: program(op.setAddress(0x300n), op.copy(), op.advanceLine(1), op.copy(), op.endSequence()) });
    const b = lineUnit({ version: 3, files: [{ name: 'b.c', dir: 0 }], program: program(op.setAddress(0x100n), op.copy(), op.endSequence()) });
    const padding = new Uint8Array(4); // a zero unit_length: padding, not an error
    expect(decode(concat(a, padding, b))).toEqual({
      lines: [row(0x100n, 'b.c', 1), row(0x300n, 'a.c', 1), row(0x300n, 'a.c', 2)], warnings: [],
    });
  });

  it('uses each DWARF 2-4 unit\'s DW_AT_comp_dir (via DW_AT_stmt_list) as directory 0', () => {
    const unitA = lineUnit({ version: 4, includeDirs: ['lib'], files: [{ name: 'main.c', dir: 0 }, { name: 'x.c', dir: 1 }],
      program: program(op.setAddress(0x10n), op.copy(), op.setFile(2), op.special(spec(1, 0)), op.endSequence()) });
    const unitB = lineUnit({ version: 2, files: [{ name: '../other.c', dir: 0 }], program: program(op.setAddress(0x40n), op.copy(), op.endSequence()) });
    // Abbreviation 1: DW_TAG_compile_unit, no children, stmt_list sec_offset / data4, comp_dir string / strp.
    const abbrev = new Bytes()
      .uleb(1).uleb(0x11).u8(0).uleb(0x10).uleb(0x17).uleb(0x1b).uleb(0x08).uleb(0).uleb(0)
      .uleb(2).uleb(0x11).u8(0).uleb(0x03).uleb(0x08).uleb(0x10).uleb(0x06).uleb(0x1b).uleb(0x0e).uleb(0).uleb(0)
      .uleb(0);
    const debugStr = new Bytes().cstr('/srv/b');
    const cu = (version: number, body: Bytes) => {
      const rest = new Bytes().u16(version).u32(0).u8(8).raw(body.toArray()).toArray();
      return new Bytes().u32(rest.length).raw(rest).toArray();
    };
    const info = concat(
      cu(4, new Bytes().uleb(1).u32(0).cstr('/home/u/proj')),
      cu(2, new Bytes().uleb(2).cstr('b.c').u32(unitA.length).u32(0)),
    );
    const result = decode(concat(unitA, unitB), { debugInfo: info, debugAbbrev: abbrev.toArray(), debugStr: debugStr.toArray() });
    expect(result).toEqual({
      lines: [row(0x10n, '/home/u/proj/main.c', 1), row(0x11n, '/home/u/proj/lib/x.c', 1), row(0x40n, '/srv/other.c', 1)],
      warnings: [],
    });
  });
});

describe('malformed input gives warnings, never exceptions', () => {
  const good = lineUnit({ version: 4, files: [{ name: 'ok.c', dir: 0 }], program: program(op.setAddress(0x90n), op.copy(), op.endSequence()) });

  it('skips a unit of an unknown version and decodes the next one', () => {
    const bad = lineUnit({ version: 4, files: [], program: program() });
    bad[4] = 6; // version field
    const result = decode(concat(bad, good));
    expect(result.lines).toEqual([row(0x90n, 'ok.c', 1)]);
    expect(result.warnings).toEqual([expect.stringContaining('unsupported .debug_line version 6')]);
  });

  it('rejects line_range 0 (it divides the special opcode)', () => {
    const result = decode(lineUnit({ version: 4, lineRange: 0, files: [], program: program(op.special(20)) }));
    expect(result).toEqual({ lines: [], warnings: [expect.stringContaining('line_range is 0')] });
  });

  it('keeps the rows decoded before a truncation', () => {
    const full = lineUnit({ version: 4, files: [{ name: 't.c', dir: 0 }], program: program(op.setAddress(0x70n), op.copy(), op.advancePc(1), op.setAddress(0x1234n)) });
    const result = decode(full.subarray(0, full.length - 4));
    expect(result.lines).toEqual([row(0x70n, 't.c', 1)]);
    expect(result.warnings).toEqual([
      expect.stringContaining('passes the section end'),
      expect.stringContaining('kept 1 rows decoded before it'),
    ]);
  });

  it('drops rows whose file index is not in the table, with one warning', () => {
    const result = decode(lineUnit({ version: 4, files: [{ name: 'f.c', dir: 0 }],
      program: program(op.setAddress(0x10n), op.setFile(5), op.copy(), op.copy(), op.setFile(1), op.copy(), op.endSequence()) }));
    expect(result.lines).toEqual([row(0x10n, 'f.c', 1)]);
    expect(result.warnings).toEqual([expect.stringContaining('unknown file 5')]);
  });

  it('skips the operands of standard opcodes it does not know, using standard_opcode_lengths', () => {
    const result = decode(lineUnit({
      version: 4, opcodeBase: 14, standardOpcodeLengths: [0, 1, 1, 1, 1, 0, 0, 0, 1, 0, 0, 1, 2], files: [{ name: 'n.c', dir: 0 }],
      program: program(op.setAddress(0x20n), new Bytes().u8(13).uleb(300).uleb(1), op.copy(), op.endSequence()),
    }));
    expect(result).toEqual({ lines: [row(0x20n, 'n.c', 1)], warnings: [] });
  });

  it('reports a reserved initial length and trailing bytes too short for a unit', () => {
    expect(decode(concat(good, new Uint8Array([0xf0, 0xff, 0xff, 0xff]))).warnings)
      .toEqual([expect.stringContaining('reserved initial length')]);
    const result = decode(concat(good, new Uint8Array([1, 2])));
    expect(result.lines).toEqual([row(0x90n, 'ok.c', 1)]);
    expect(result.warnings.length).toBe(1);
  });

  it('reports a string offset outside .debug_line_str', () => {
    const bytes = lineUnit({
      version: 5, v5Tables: (b) => b.u8(1).uleb(DW_LNCT.path).uleb(DW_FORM.line_strp).uleb(1).u32(500).u8(0).uleb(0),
      program: program(),
    });
    expect(decode(bytes, { debugLineStr: new Bytes().cstr('x').toArray() }).warnings)
      .toEqual([expect.stringContaining('outside .debug_line_str')]);
  });
});

describe('path joining', () => {
  it('joins and normalises POSIX paths', () => {
    expect(joinPath('/a/b', 'c.c')).toBe('/a/b/c.c');
    expect(joinPath('/a/b', '/abs/c.c')).toBe('/abs/c.c');
    expect(joinPath('', 'c.c')).toBe('c.c');
    expect(joinPath('.', 'src/./x.c')).toBe('src/x.c');
    expect(joinPath('/a/b', '../c.c')).toBe('/a/c.c');
    expect(normalizePath('../../x//y/')).toBe('../../x/y');
    expect(normalizePath('/../x')).toBe('/x');
    expect(normalizePath('./')).toBe('.');
  });
});
