import { describe, expect, it } from 'vitest';
import { LAUNCH_ATTRIBUTES } from '../../protocol/launchConfig';
import { checkUnknownFields, editDistance } from '../../extension/src/debug/launchFields';

const known = Object.keys(LAUNCH_ATTRIBUTES);

describe('checkUnknownFields', () => {
  it('accepts launch attributes and the fields VS Code adds', () => {
    expect(checkUnknownFields({ type: 'snp', request: 'launch', name: 'x', program: 'a.asm', stopOnEntry: true, __sessionId: '1', preLaunchTask: 'b' }, known)).toBeNull();
  });
  it('names a misspelt field and the attribute it resembles', () => {
    expect(checkUnknownFields({ program: 'a', stopOnEntyr: true }, known)).toBe("'stopOnEntyr' is not a launch attribute of the snp debug type (did you mean 'stopOnEntry'?)");
  });
  it('names an unknown field without a guess when nothing is close', () => {
    expect(checkUnknownFields({ program: 'a', colour: 'red' }, known)).toBe("'colour' is not a launch attribute of the snp debug type");
  });
  it('measures edit distance case-insensitively', () => {
    expect(editDistance('vmtype', 'vmType')).toBe(0);
    expect(editDistance('memroy', 'memory')).toBe(2);
  });
});
