import { describe, expect, it } from 'vitest';
import { parseWideCsv } from './csv.js';

describe('wide CSV', () => {
  it('reads ids and values, quoted or not, and drops the padding cells of shorter series', () => {
    const text = '"V1","V2","V3","V4"\n"W1","1.5","2",""\nW2,3,4,5\n\n';
    expect(parseWideCsv(text)).toEqual([
      { id: 'W1', values: [1.5, 2] },
      { id: 'W2', values: [3, 4, 5] },
    ]);
  });

  it('rejects a value that is not a number, naming row and column', () => {
    expect(() => parseWideCsv('V1,V2\nW1,abc\n')).toThrow(/row 2, column 2/);
  });
});
