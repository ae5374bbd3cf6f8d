/**
 * Shipping labels: one layout, two outputs.
 *
 * `labelLayout` places every text run, rule and the barcode on a 100 x 150 mm (4 x 6 in) label in
 * millimetres, top-left origin. `renderLabelPdf` draws that layout with pdf-lib (Code 128 from
 * bwip-js, embedded as PNG); `renderLabelZpl` writes the same layout as ZPL II for 203 dpi Zebra
 * printers. Pure: no database, no clock, no GraphQL.
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

export interface LabelParty {
  name?: string | null;
  line1: string;
  line2?: string | null;
  city: string;
  region?: string | null;
  postalCode: string;
  countryCode: string;
  phone?: string | null;
}

export interface LabelData {
  trackingNumber: string;
  carrierName: string;
  serviceName: string;
  serviceCode: string;
  sender: LabelParty;
  recipient: LabelParty;
  weightGrams: number;
  orderNumber: string;
  createdAt: Date;
  pickupPointCode?: string | null;
}

/** One line of text in a box: `x`, `y` (top of the line), `width` and `size` (em height) in mm. */
export interface LabelTextRun {
  /** Stable name of the field, e.g. `recipient.name`, for tests and debugging. */
  key: string;
  text: string;
  x: number;
  y: number;
  width: number;
  size: number;
  weight: 'regular' | 'bold';
  align: 'left' | 'center' | 'right';
}

/** A filled rectangle (a rule when thin), mm, top-left origin. */
export interface LabelBox {
  x: number;
  y: number;
  width: number;
  height: number;
}

export interface LabelLayout {
  widthMm: number;
  heightMm: number;
  texts: LabelTextRun[];
  rules: LabelBox[];
  /** Area reserved for the Code 128 symbol; the symbol is centred in it. */
  barcode: LabelBox & { text: string };
}

export const LABEL_WIDTH_MM = 100;
export const LABEL_HEIGHT_MM = 150;
/** Dots per millimetre of a 203 dpi thermal printer: ZPL coordinates and barcode module size. */
export const DOTS_PER_MM = 8;

const MM_TO_PT = 72 / 25.4;
const MARGIN = 4;
const INNER = LABEL_WIDTH_MM - 2 * MARGIN;
/** Baseline of a line of text sits this far (in ems) below its top. */
const ASCENT = 0.8;
/**
 * Text is shrunk to fit its box down to this share of its size, and never below MIN_TEXT_MM
 * (about 6 pt: 18 dots on a 203 dpi head), then truncated with an ellipsis.
 */
const MIN_SHRINK = 0.55;
const MIN_TEXT_MM = 2.2;

/** Smallest size a run of `size` mm may be shrunk to. */
function minSize(size: number): number {
  return Math.max(size * MIN_SHRINK, Math.min(size, MIN_TEXT_MM));
}

// ---------------------------------------------------------------------------------------------
// Layout
// ---------------------------------------------------------------------------------------------

const clean = (s: string | null | undefined): string => (s ?? '').replace(/\s+/g, ' ').trim();

function formatWeight(grams: number): string {
  return `${(Math.max(0, grams) / 1000).toFixed(2)} kg`;
}

function formatDate(d: Date): string {
  // UTC so the same shipment prints the same label on every server.
  return d.toISOString().slice(0, 10);
}

function cityLine(p: LabelParty): string {
  return clean(`${clean(p.postalCode)} ${clean(p.city)}`);
}

function regionLine(p: LabelParty): string {
  return [clean(p.region), clean(p.countryCode).toUpperCase()].filter(Boolean).join(', ');
}

/** Code 128 carries ASCII only; carriers' tracking numbers are printable ASCII. */
export function assertTrackingNumber(trackingNumber: string): void {
  if (!/^[\x20-\x7E]{1,64}$/.test(trackingNumber) || trackingNumber.trim() !== trackingNumber) {
    throw new RangeError(`tracking number must be 1-64 printable ASCII characters: ${JSON.stringify(trackingNumber)}`);
  }
}

/**
 * Estimated width of `text` in mm at `size`, a little generous for DejaVu Sans and much so for
 * ZPL's condensed font 0: the layout has no font metrics, the renderers shrink what still overflows.
 */
export function estimateTextWidth(text: string, size: number, weight: LabelTextRun['weight'] = 'regular'): number {
  let ems = 0;
  for (const ch of text) {
    if (ch === ' ') ems += 0.32;
    else if (/[.,:;!'|()\[\]ilj]/.test(ch)) ems += 0.36;
    else if (/[A-ZА-ЯЁ0-9mwшщжмю@%]/u.test(ch)) ems += 0.72;
    else ems += 0.6;
  }
  return ems * size * (weight === 'bold' ? 1.1 : 1);
}

/** Greedy word wrap on estimated widths; what does not fit in `maxLines` stays on the last line. */
function wrapEstimated(text: string, size: number, width: number, maxLines: number, weight: LabelTextRun['weight']): string[] {
  if (!text) return [];
  const out: string[] = [];
  let current = '';
  const words = text.split(' ');
  for (let i = 0; i < words.length; i++) {
    const candidate = current ? `${current} ${words[i]}` : words[i];
    if (current && out.length < maxLines - 1 && estimateTextWidth(candidate, size, weight) > width) {
      out.push(current);
      current = words[i];
    } else {
      current = candidate;
    }
  }
  out.push(current);
  return out;
}

/**
 * Where everything goes on the label, in mm. Both renderers draw exactly this, so the PDF and the
 * ZPL label agree; tests read the text from here because pdf-lib compresses content streams.
 */
export function labelLayout(data: LabelData): LabelLayout {
  assertTrackingNumber(data.trackingNumber);
  const texts: LabelTextRun[] = [];
  const rules: LabelBox[] = [];
  let y = MARGIN;
  const text = (key: string, value: string, size: number, opts: Partial<Pick<LabelTextRun, 'x' | 'width' | 'weight' | 'align'>> = {}) => {
    const t = clean(value);
    if (!t) return false;
    texts.push({ key, text: t, x: opts.x ?? MARGIN, y, width: opts.width ?? INNER, size, weight: opts.weight ?? 'regular', align: opts.align ?? 'left' });
    return true;
  };
  const line = (size: number, gap = 0.25) => {
    y += size * (1 + gap);
  };
  /** Up to `maxLines` lines of the same key, split at spaces: a house number must not be cut off. */
  const lines = (key: string, value: string, size: number, maxLines: number, weight: LabelTextRun['weight'] = 'regular') => {
    for (const piece of wrapEstimated(clean(value), size, INNER, maxLines, weight)) {
      text(key, piece, size, { weight });
      line(size);
    }
  };
  const rule = (thickness = 0.5) => {
    y += 1;
    rules.push({ x: MARGIN, y, width: INNER, height: thickness });
    y += thickness + 2;
  };

  // Header: carrier, date; service.
  text('carrier', data.carrierName, 6, { width: INNER - 26, weight: 'bold' });
  text('date', formatDate(data.createdAt), 3.2, { x: LABEL_WIDTH_MM - MARGIN - 25, width: 25, align: 'right' });
  line(6, 0.15);
  const service = clean(data.serviceName);
  const code = clean(data.serviceCode);
  text('service', code && code.toLowerCase() !== service.toLowerCase() ? `${service} (${code})` : service || code, 3.6);
  line(3.6, 0);
  rule(0.8);

  // Barcode with the number printed under it.
  const barcode = { x: MARGIN, y, width: INNER, height: 22, text: data.trackingNumber };
  y += barcode.height + 1.5;
  text('trackingNumber', data.trackingNumber, 4.5, { weight: 'bold', align: 'center' });
  line(4.5, 0);
  rule(0.8);

  const party = (prefix: 'sender' | 'recipient', p: LabelParty, big: boolean, wrapTo: number, scale = 1) => {
    const base = big ? { name: 6, body: 4.6, city: 6, small: 4 } : { name: 3.2, body: 3, city: 3.2, small: 3 };
    const s = { name: base.name * scale, body: base.body * scale, city: base.city * scale, small: base.small * scale };
    text(`${prefix}.heading`, prefix === 'sender' ? 'FROM' : 'TO', big ? 3.4 : 2.6, { weight: 'bold' });
    line(big ? 3.4 : 2.6, 0.35);
    lines(`${prefix}.name`, clean(p.name), s.name, wrapTo, 'bold');
    lines(`${prefix}.line1`, p.line1, s.body, wrapTo);
    lines(`${prefix}.line2`, clean(p.line2), s.body, wrapTo);
    if (text(`${prefix}.city`, cityLine(p), s.city, { weight: big ? 'bold' : 'regular' })) line(s.city);
    if (text(`${prefix}.region`, regionLine(p), s.body)) line(s.body);
    if (text(`${prefix}.phone`, clean(p.phone) && `Tel. ${clean(p.phone)}`, s.small)) line(s.small);
  };
  // Sender small, recipient large. Long recipient fields wrap to two lines while the block fits
  // above the footer; otherwise they stay on one line (the renderers shrink them), then get smaller.
  party('sender', data.sender, false, 1);
  y -= 0.5;
  rule(0.5);
  const footerRule = LABEL_HEIGHT_MM - MARGIN - 16;
  const recipientTop = { y, runs: texts.length };
  for (const [wrapTo, scale] of [[2, 1], [1, 1], [1, 0.8], [1, 0.65]]) {
    y = recipientTop.y;
    texts.length = recipientTop.runs;
    party('recipient', data.recipient, true, wrapTo, scale);
    if (y <= footerRule) break;
  }

  // Footer, pinned to the bottom: weight, order, pickup point.
  y = footerRule - 1;
  rule(0.8);
  const half = INNER / 2;
  text('weight', `Weight: ${formatWeight(data.weightGrams)}`, 4, { weight: 'bold', width: half });
  text('orderNumber', `Order: ${clean(data.orderNumber)}`, 4, { x: MARGIN + half, width: half, align: 'right' });
  line(4, 0.4);
  text('pickupPointCode', clean(data.pickupPointCode) && `Pickup point: ${clean(data.pickupPointCode)}`, 4, { weight: 'bold', width: half });
  text('createdAt', `${data.createdAt.toISOString().slice(0, 16).replace('T', ' ')} UTC`, 3, { x: MARGIN + half, width: half, align: 'right' });

  return { widthMm: LABEL_WIDTH_MM, heightMm: LABEL_HEIGHT_MM, texts, rules, barcode };
}

// ---------------------------------------------------------------------------------------------
// Barcode
// ---------------------------------------------------------------------------------------------

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

/**
 * Width of a Code 128 symbol in modules, estimated the way an automatic encoder packs it:
 * an even run of digits in code set C, everything else in B. Used only to centre the ZPL symbol.
 */
export function code128Modules(text: string): number {
  const symbols = /^\d+$/.test(text) && text.length % 2 === 0 ? text.length / 2 : text.length;
  return 11 * (symbols + 2) + 13; // start + data + check, then the 13-module stop
}

/** Whole printer dots per module so the bars come out even on a 203 dpi head; at most 4. */
function dotsPerModule(modules: number, widthMm: number): number {
  return Math.max(1, Math.min(4, Math.floor((widthMm * DOTS_PER_MM) / modules)));
}

// ---------------------------------------------------------------------------------------------
// PDF
// ---------------------------------------------------------------------------------------------

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
  const candidates = [join(here, 'assets', file), join(packageRoot(here), 'src', 'modules', 'shipping', 'assets', file)];
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

// ---------------------------------------------------------------------------------------------
// ZPL
// ---------------------------------------------------------------------------------------------

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
