// Interpreted flag instructions: CLC/STC/CMC, CLD/STD, LAHF/SAHF.

import type { Exec } from '../exec';
import { AF, CF, DF, PF, RAX, SF, ZF } from '../state';
import { defineOps } from './registry';

/** The flags LAHF/SAHF move: SF ZF AF PF CF (bits 7, 6, 4, 2, 0) (SDM Vol. 2A LAHF, SAHF). */
const AH_FLAGS = SF | ZF | AF | PF | CF;

/** LAHF: AH = SF:ZF:0:AF:0:PF:1:CF (bit 1 of RFLAGS always reads 1). */
function execLahf(x: Exec): void {
  x.writeReg(RAX, 1, (x.s.flags & AH_FLAGS) | 2, 0, true); // AH
}

/** SAHF: SF, ZF, AF, PF, CF from AH; OF is not affected. */
function execSahf(x: Exec): void {
  const ah = (x.s.r[2 * RAX]! >>> 8) & 0xff;
  x.s.flags = (x.s.flags & ~AH_FLAGS) | (ah & AH_FLAGS);
}

const FLAG_META = { regOnlyNoFault: true };

defineOps({
  clc: { exec: (x: Exec) => { x.s.flags &= ~CF; }, reads: 0, writes: CF, ...FLAG_META },
  stc: { exec: (x: Exec) => { x.s.flags |= CF; }, reads: 0, writes: CF, ...FLAG_META },
  cmc: { exec: (x: Exec) => { x.s.flags ^= CF; }, reads: CF, writes: CF, ...FLAG_META },
  cld: { exec: (x: Exec) => { x.s.flags &= ~DF; }, reads: 0, writes: 0, ...FLAG_META },
  std: { exec: (x: Exec) => { x.s.flags |= DF; }, reads: 0, writes: 0, ...FLAG_META },
  lahf: { exec: execLahf, reads: AH_FLAGS, writes: 0, ...FLAG_META },
  sahf: { exec: execSahf, reads: 0, writes: AH_FLAGS, ...FLAG_META },
});
