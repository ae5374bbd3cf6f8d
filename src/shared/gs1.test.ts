import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { gs1CheckDigit, isValidGtin, isValidSscc, normalizeGtin, withCheckDigit } from './gs1.js';

describe('GS1 check digits', () => {
  it('accepts published valid codes of every length', () => {
    // GS1's own examples and real retail barcodes.
    for (const code of ['96385074', '036000291452', '4006381333931', '5901234123457', '00012345678905', '10614141000415']) {
      expect(isValidGtin(code), code).toBe(true);
    }
    expect(isValidSscc('106141411234567897')).toBe(true);
    expect(isValidSscc('376104250021234569')).toBe(true);
  });

  it('rejects wrong check digits, wrong lengths and non-digits', () => {
    for (const code of ['96385075', '036000291453', '4006381333932', '5901234123458', '123', '40063813339310000', 'abcdefghijklm', '', '4006381 33393']) {
      expect(isValidGtin(code), code).toBe(false);
    }
    expect(isValidSscc('106141411234567898')).toBe(false);
    expect(isValidSscc('4006381333931')).toBe(false);
  });

  it('rejects the all-zero placeholder of every length, though its check digit is right', () => {
    for (const code of ['00000000', '000000000000', '0000000000000', '00000000000000']) expect(isValidGtin(code), code).toBe(false);
    expect(isValidGtin('00000000000017')).toBe(true); // leading zeros alone are fine
  });

  it('computes the check digit of the GS1 manual example', () => {
    expect(gs1CheckDigit('629104150021')).toBe(3);
    expect(withCheckDigit('37610425002123456')).toBe('376104250021234569');
  });

  it('every body with its computed digit validates, and any other last digit does not', () => {
    fc.assert(
      fc.property(fc.constantFrom(7, 11, 12, 13), fc.nat(), (len, seed) => {
        const body = String(seed).padStart(len, '7').slice(0, len);
        const code = withCheckDigit(body);
        expect(isValidGtin(code)).toBe(true);
        const wrong = code.slice(0, -1) + String((Number(code.at(-1)) + 1) % 10);
        expect(isValidGtin(wrong)).toBe(false);
      }),
    );
  });

  it('normalises to GTIN-14', () => {
    expect(normalizeGtin('036000291452')).toBe('00036000291452');
  });
});
