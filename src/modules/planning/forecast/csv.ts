/**
 * The wide CSV of the M4 competition: a header row, then one row per series, first cell the id,
 * then its values in time order; shorter series leave the trailing cells empty. Quotes are
 * optional. Pure: parses text, reads no file.
 */
export interface Series {
  id: string;
  values: number[];
}

function cells(line: string): string[] {
  return line.split(',').map((c) => c.trim().replace(/^"(.*)"$/, '$1'));
}

/** Series of a wide CSV; throws on a non-numeric value (with the row and column) so bad input is not scored silently. */
export function parseWideCsv(text: string): Series[] {
  const lines = text.split(/\r?\n/).filter((l) => l.trim() !== '');
  const out: Series[] = [];
  for (let r = 1; r < lines.length; r++) {
    const [id, ...rest] = cells(lines[r]);
    const values: number[] = [];
    for (let c = 0; c < rest.length; c++) {
      if (rest[c] === '' || rest[c] === 'NA') continue;
      const v = Number(rest[c]);
      if (!Number.isFinite(v)) throw new Error(`row ${r + 1}, column ${c + 2}: not a number: ${rest[c]}`);
      values.push(v);
    }
    out.push({ id, values });
  }
  return out;
}
