/** The label as ZPL II for 203 dpi thermal printers: the same `labelLayout` as the PDF. */
import { ASCENT, code128Modules, DOTS_PER_MM, dotsPerModule, estimateTextWidth, labelLayout, minSize, type LabelData, type LabelTextRun } from './label.layout.js';

const dots = (mm: number) => Math.round(mm * DOTS_PER_MM);

/**
 * Field data under ^FH: the command prefixes and the hex indicator itself as `_XX`; in a ^FB
 * block a backslash starts an escape, so it is doubled. Everything else goes as UTF-8 (^CI28).
 */
function zplField(text: string): string {
  return text.replace(/[\^~_]/g, (c) => `_${c.charCodeAt(0).toString(16).toUpperCase().padStart(2, '0')}`).replace(/\\/g, '\\\\');
}

/** Font 0 (CG Triumvirate Bold Condensed) runs narrower than DejaVu Sans. */
const ZPL_WIDTH_FACTOR = 0.85;

/**
 * Shrink and, past the minimum size, cut a run that would overflow its box, as the PDF does: a
 * one-line ^FB block overprints its last line instead of clipping. Widths are estimates here.
 */
function zplFit(run: LabelTextRun): { text: string; size: number } {
  const width = (t: string, size: number) => estimateTextWidth(t, size, run.weight) * ZPL_WIDTH_FACTOR;
  const natural = width(run.text, run.size);
  if (natural <= run.width) return { text: run.text, size: run.size };
  const size = Math.max(minSize(run.size), (run.size * run.width) / natural);
  const chars = [...run.text];
  let text = run.text;
  while (chars.length > 1 && width(text, size) > run.width) {
    chars.pop();
    text = `${chars.join('').trimEnd()}...`;
  }
  return { text, size };
}

/** The same label in ZPL II (^XA ... ^BC code 128 ... ^XZ), ^CI28 for UTF-8. */
export function renderLabelZpl(data: LabelData): string {
  const layout = labelLayout(data);
  const out: string[] = ['^XA', '^CI28', `^PW${dots(layout.widthMm)}`, `^LL${dots(layout.heightMm)}`, '^LH0,0'];

  for (const r of layout.rules) {
    const w = dots(r.width);
    const h = Math.max(1, dots(r.height));
    out.push(`^FO${dots(r.x)},${dots(r.y)}^GB${w},${h},${Math.min(w, h)}^FS`);
  }

  const b = layout.barcode;
  const modules = code128Modules(b.text);
  const perModule = dotsPerModule(modules, b.width);
  const x = Math.max(dots(b.x), dots(b.x) + Math.round((dots(b.width) - modules * perModule) / 2));
  // Mode A: the printer picks code sets itself; no interpretation line, the number is a text run.
  out.push(`^FO${x},${dots(b.y)}^BY${perModule}^BCN,${dots(b.height)},N,N,N,A^FH^FD${zplField(b.text)}^FS`);

  for (const run of layout.texts) {
    const { text, size } = zplFit(run);
    const h = dots(size);
    const justify = run.align === 'left' ? 'L' : run.align === 'center' ? 'C' : 'R';
    // ^FO is the top of the field: move shrunk text down onto the full-size baseline.
    out.push(`^FO${dots(run.x)},${dots(run.y + (run.size - size) * ASCENT)}^A0N,${h},${h}^FB${dots(run.width)},1,0,${justify},0^FH^FD${zplField(text)}^FS`);
  }

  out.push('^XZ');
  return `${out.join('\n')}\n`;
}
