/**
 * GS1 identification keys: GTIN-8/12/13/14 and SSCC-18 check digits (mod 10, weights 3/1
 * from the right, the check digit excluded). https://www.gs1.org/services/how-calculate-check-digit-manually
 */

/** The check digit for a string of digits without its check digit. */
export function gs1CheckDigit(body: string): number {
  let sum = 0;
  for (let i = body.length - 1, w = 3; i >= 0; i--, w = w === 3 ? 1 : 3) {
    sum += (body.charCodeAt(i) - 48) * w;
  }
  return (10 - (sum % 10)) % 10;
}

function validKey(code: string, lengths: readonly number[]): boolean {
  if (!/^\d+$/.test(code) || !lengths.includes(code.length)) return false;
  return gs1CheckDigit(code.slice(0, -1)) === code.charCodeAt(code.length - 1) - 48;
}

/**
 * True for a GTIN-8, GTIN-12 (UPC-A), GTIN-13 (EAN-13) or GTIN-14 with a correct check digit.
 * All zeros is refused: its check digit is right, but GS1 never assigns it (it is a placeholder).
 */
export const isValidGtin = (code: string): boolean => validKey(code, [8, 12, 13, 14]) && !/^0+$/.test(code);

/** True for an 18-digit SSCC with a correct check digit. */
export const isValidSscc = (code: string): boolean => validKey(code, [18]);

/** Appends the check digit to a GTIN/SSCC body. */
export const withCheckDigit = (body: string): string => body + String(gs1CheckDigit(body));

/** GTIN-14 form (left-padded with zeros), used to compare GTINs of different lengths. */
export const normalizeGtin = (code: string): string => code.padStart(14, '0');
