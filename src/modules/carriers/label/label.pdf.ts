/**
 * The label as a PDF: draws `labelLayout` with pdf-lib, the Code 128 symbol from bwip-js embedded
 * as PNG.
 *
 * Fonts: pdf-lib's standard fonts are WinAnsi-only and cannot encode Cyrillic, which most of our
 * recipient names and cities are written in. When `@pdf-lib/fontkit` can be loaded, the label
 * embeds DejaVu Sans (shipped in ./assets, subset on save). Without fontkit, it falls back to
 * Helvetica with text transliterated to Latin, so a label is still produced and readable by a
 * courier; `labelFontMode()` says which mode is active.
 */
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import bwipjs from 'bwip-js';
import { PDFDocument, StandardFonts, rgb, type PDFFont, type PDFImage } from 'pdf-lib';
import { ASCENT, assertTrackingNumber, DOTS_PER_MM, dotsPerModule, labelLayout, minSize, type LabelBox, type LabelData, type LabelParty } from './label.layout.js';

const MM_TO_PT = 72 / 25.4;

/** Pixels per Code 128 module in the PNG: enough for a sharp preview, small enough to embed fast. */
const BARCODE_SCALE = 2;

/**
 * Code 128 of `text` as an opaque PNG (white background: an unset alpha channel would turn the
 * spaces black in viewers that ignore the soft mask), no human-readable line (we print our own).
 */
export async function renderBarcodePng(text: string): Promise<Buffer> {
  assertTrackingNumber(text);
  return bwipjs.toBuffer({ bcid: 'code128', text, scale: BARCODE_SCALE, height: 10, includetext: false, backgroundcolor: 'FFFFFF' });
}

interface Fontkit {
  create(...args: unknown[]): unknown;
}

/** Package root: the first ancestor with a package.json, from src/ (tsx, vitest) and dist/ alike. */
function packageRoot(from: string): string {
  let dir = from;
  for (;;) {
    if (existsSync(join(dir, 'package.json'))) return dir;
    const up = dirname(dir);
    if (up === dir) throw new Error(`no package.json above ${from}`);
    dir = up;
  }
}

const here = dirname(fileURLToPath(import.meta.url));

/** The font files live in src/ (tsc copies no assets), so dist/ reads them from the package's src/. */
export function labelFontPath(file: string): string {
  const candidates = [join(here, 'assets', file), join(packageRoot(here), 'src', 'modules', 'carriers', 'label', 'assets', file)];
  const found = candidates.find((p) => existsSync(p));
  if (!found) throw new Error(`label font ${file} not found in ${candidates.join(' or ')}`);
  return found;
}

interface FontAssets {
  fontkit: Fontkit;
  regular: Uint8Array;
  bold: Uint8Array;
}

let fontAssets: Promise<FontAssets | null> | undefined;

/**
 * pdf-lib parses the whole font file with fontkit for every document, 20-50 ms a face for
 * DejaVu Sans. The parsed font is only read afterwards (subsets are new objects), so parse each
 * file once per process and hand the same font to every document.
 */
function memoizedFontkit(fontkit: Fontkit): Fontkit {
  const parsed = new WeakMap<object, unknown>();
  return {
    ...fontkit,
    create(...args: unknown[]) {
      const [bytes, postscriptName] = args;
      if (typeof bytes !== 'object' || bytes === null || postscriptName !== undefined) return fontkit.create(...args);
      let font = parsed.get(bytes);
      if (font === undefined) parsed.set(bytes, (font = fontkit.create(...args)));
      return font;
    },
  };
}

/** fontkit and the font bytes, loaded once per process; null when fontkit is not installed. */
function loadFontAssets(): Promise<FontAssets | null> {
  fontAssets ??= (async () => {
    // A specifier in a variable keeps the type checker and bundlers from requiring the package.
    const specifier: string = '@pdf-lib/fontkit';
    let fontkit: Fontkit;
    try {
      const mod = (await import(specifier)) as { default?: Fontkit } & Fontkit;
      fontkit = mod.default ?? mod;
    } catch {
      return null;
    }
    return {
      fontkit: memoizedFontkit(fontkit),
      regular: readFileSync(labelFontPath('DejaVuSans.ttf')),
      bold: readFileSync(labelFontPath('DejaVuSans-Bold.ttf')),
    };
  })();
  return fontAssets;
}

/** `unicode`: DejaVu Sans embedded; `transliterated`: Helvetica, non-Latin text spelled in Latin. */
export async function labelFontMode(): Promise<'unicode' | 'transliterated'> {
  return (await loadFontAssets()) ? 'unicode' : 'transliterated';
}

// Russian, Ukrainian and Belarusian letters as in the ICAO passport transliteration (Doc 9303).
const CYRILLIC: Record<string, string> = {
  а: 'a', б: 'b', в: 'v', г: 'g', д: 'd', е: 'e', ё: 'e', ж: 'zh', з: 'z', и: 'i', й: 'i', к: 'k', л: 'l', м: 'm',
  н: 'n', о: 'o', п: 'p', р: 'r', с: 's', т: 't', у: 'u', ф: 'f', х: 'kh', ц: 'ts', ч: 'ch', ш: 'sh', щ: 'shch',
  ъ: 'ie', ы: 'y', ь: '', э: 'e', ю: 'iu', я: 'ia', і: 'i', ї: 'i', є: 'ie', ґ: 'g', ў: 'u',
};

/**
 * Latin spelling of `text` for fonts without Cyrillic: Cyrillic by table, accented letters the
 * font lacks without their accents, anything else as `?`. `canEncode` says what the font has.
 */
export function transliterate(text: string, canEncode: (codePoint: number) => boolean = (c) => c < 0x80): string {
  let out = '';
  const chars = [...text];
  chars.forEach((ch, i) => {
    const cp = ch.codePointAt(0)!;
    if (canEncode(cp)) {
      out += ch;
      return;
    }
    const lower = ch.toLowerCase();
    const mapped = CYRILLIC[lower];
    if (mapped !== undefined) {
      if (lower === ch || mapped === '') out += mapped;
      else {
        // Capitalise the first letter only, unless the word is in capitals ("ЖУК" -> "ZHUK").
        const next = chars[i + 1];
        const allCaps = next !== undefined && next !== next.toLowerCase();
        out += allCaps ? mapped.toUpperCase() : mapped.charAt(0).toUpperCase() + mapped.slice(1);
      }
      return;
    }
    const bare = ch.normalize('NFD').replace(/\p{M}/gu, '');
    out += bare && [...bare].every((c) => canEncode(c.codePointAt(0)!)) ? bare : '?';
  });
  return out;
}

interface PdfFonts {
  regular: PDFFont;
  bold: PDFFont;
  prepare(text: string): string;
}

async function embedFonts(doc: PDFDocument): Promise<PdfFonts> {
  const assets = await loadFontAssets();
  if (assets) {
    doc.registerFontkit(assets.fontkit as Parameters<PDFDocument['registerFontkit']>[0]);
    const [regular, bold] = await Promise.all([
      doc.embedFont(assets.regular, { subset: true }),
      doc.embedFont(assets.bold, { subset: true }),
    ]);
    return { regular, bold, prepare: (t) => t };
  }
  const [regular, bold] = await Promise.all([doc.embedFont(StandardFonts.Helvetica), doc.embedFont(StandardFonts.HelveticaBold)]);
  const charset = new Set(regular.getCharacterSet());
  return { regular, bold, prepare: (t) => transliterate(t, (cp) => charset.has(cp)) };
}

/**
 * Largest size (down to MIN_SHRINK of `sizePt`) at which `text` fits, else that size and an
 * ellipsis. Width is linear in size, so the text is measured once: with a Unicode font every
 * measurement is an OpenType layout pass.
 */
function fit(font: PDFFont, text: string, sizePt: number, widthPt: number): { text: string; size: number; width: number } {
  const perPt = font.widthOfTextAtSize(text, 1);
  if (perPt * sizePt <= widthPt) return { text, size: sizePt, width: perPt * sizePt };
  const size = Math.max(minSize(sizePt / MM_TO_PT) * MM_TO_PT, widthPt / perPt);
  if (perPt * size <= widthPt + 1e-6) return { text, size, width: perPt * size };
  const chars = [...text];
  let cut = `${text}…`;
  while (chars.length > 1 && font.widthOfTextAtSize((cut = `${chars.join('').trimEnd()}…`), size) > widthPt) chars.pop();
  return { text: cut, size, width: font.widthOfTextAtSize(cut, size) };
}

const BLACK = rgb(0, 0, 0);

/** A 100x150 mm (4x6 in) thermal label as a real PDF: carrier + service, Code 128 barcode of the tracking number with the number printed under it, sender block, recipient block (large), weight, order number, date. */
export async function renderLabelPdf(data: LabelData): Promise<Uint8Array> {
  const layout = labelLayout(data);
  const [doc, png] = await Promise.all([PDFDocument.create(), renderBarcodePng(layout.barcode.text)]);
  doc.setTitle(`Shipping label ${data.trackingNumber}`);
  doc.setCreator('Waybill');
  doc.setProducer('Waybill (pdf-lib, bwip-js)');
  // Fixed dates: the same label data gives the same PDF bytes.
  doc.setCreationDate(data.createdAt);
  doc.setModificationDate(data.createdAt);

  const [fonts, image] = await Promise.all([embedFonts(doc), doc.embedPng(png)]);
  const pageW = layout.widthMm * MM_TO_PT;
  const pageH = layout.heightMm * MM_TO_PT;
  const page = doc.addPage([pageW, pageH]);
  const pt = (mm: number) => mm * MM_TO_PT;

  for (const r of layout.rules) {
    page.drawRectangle({ x: pt(r.x), y: pageH - pt(r.y + r.height), width: pt(r.width), height: pt(r.height), color: BLACK });
  }

  drawBarcode(layout.barcode, image, BARCODE_SCALE, (x, y, width, height) =>
    page.drawImage(image, { x: pt(x), y: pageH - pt(y + height), width: pt(width), height: pt(height) }),
  );

  for (const run of layout.texts) {
    const font = run.weight === 'bold' ? fonts.bold : fonts.regular;
    const { text, size, width: w } = fit(font, fonts.prepare(run.text), pt(run.size), pt(run.width));
    const left = pt(run.x) + (run.align === 'left' ? 0 : run.align === 'center' ? (pt(run.width) - w) / 2 : pt(run.width) - w);
    // Shrunk text keeps the baseline of the full-size line.
    page.drawText(text, { x: left, y: pageH - pt(run.y + run.size * ASCENT), size, font, color: BLACK });
  }

  return doc.save();
}

/**
 * Loads fontkit and the fonts, parses them and runs one render, so that the first label of a
 * request does not pay for it (about a second on a cold, busy process). Call at server start.
 */
export async function warmUpLabelRenderer(): Promise<void> {
  const party: LabelParty = { name: 'Анна Иванова', line1: 'ул. Баумана, 1', city: 'Казань', postalCode: '420111', countryCode: 'RU' };
  await renderLabelPdf({
    trackingNumber: 'WARMUP0001', carrierName: 'Waybill', serviceName: 'Warm-up', serviceCode: 'WARMUP',
    sender: party, recipient: party, weightGrams: 1, orderNumber: '0', createdAt: new Date(0),
  });
}

/** Centre the symbol in its box at a whole number of printer dots per module. */
function drawBarcode(box: LabelBox, image: PDFImage, scale: number, draw: (x: number, y: number, w: number, h: number) => void): void {
  const modules = image.width / scale;
  const dots = dotsPerModule(modules, box.width);
  const width = Math.min(box.width, (modules * dots) / DOTS_PER_MM);
  draw(box.x + (box.width - width) / 2, box.y, width, box.height);
}
