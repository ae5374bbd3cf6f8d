/**
 * Shipping labels: one layout, two outputs.
 *
 * `labelLayout` places every text run, rule and the barcode on a 100 x 150 mm (4 x 6 in) label in
 * millimetres, top-left origin. `renderLabelPdf` (label.pdf.ts) draws that layout with pdf-lib
 * (Code 128 from bwip-js, embedded as PNG); `renderLabelZpl` (label.zpl.ts) writes the same
 * layout as ZPL II for 203 dpi Zebra printers. This file is pure: no database, no clock, no I/O.
 */
import type { AddressData } from '../../warehouse/warehouse.table.js';

/** A sender or recipient: the printed parts of a postal address (its location is not printed). */
export type LabelParty = Omit<AddressData, 'location'>;

export interface LabelData {
  trackingNumber: string;
  carrierName: string;
  serviceName: string;
  serviceCode: string;
  sender: LabelParty;
  recipient: LabelParty;
  weightGrams: number;
  orderNumber: string;
  /** Set on a return parcel: the return's number (RMA-...) is printed instead of the order's. */
  returnNumber?: string | null;
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

const MARGIN = 4;
const INNER = LABEL_WIDTH_MM - 2 * MARGIN;
/** Baseline of a line of text sits this far (in ems) below its top. */
export const ASCENT = 0.8;
/**
 * Text is shrunk to fit its box down to this share of its size, and never below MIN_TEXT_MM
 * (about 6 pt: 18 dots on a 203 dpi head), then truncated with an ellipsis.
 */
const MIN_SHRINK = 0.55;
const MIN_TEXT_MM = 2.2;

/** Smallest size a run of `size` mm may be shrunk to. */
export function minSize(size: number): number {
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
  text('orderNumber', clean(data.returnNumber) ? `Return: ${clean(data.returnNumber)}` : `Order: ${clean(data.orderNumber)}`, 4, { x: MARGIN + half, width: half, align: 'right' });
  line(4, 0.4);
  text('pickupPointCode', clean(data.pickupPointCode) && `Pickup point: ${clean(data.pickupPointCode)}`, 4, { weight: 'bold', width: half });
  text('createdAt', `${data.createdAt.toISOString().slice(0, 16).replace('T', ' ')} UTC`, 3, { x: MARGIN + half, width: half, align: 'right' });

  return { widthMm: LABEL_WIDTH_MM, heightMm: LABEL_HEIGHT_MM, texts, rules, barcode };
}

// ---------------------------------------------------------------------------------------------
// Barcode geometry (shared by both renderers)
// ---------------------------------------------------------------------------------------------

/**
 * Width of a Code 128 symbol in modules, estimated the way an automatic encoder packs it:
 * an even run of digits in code set C, everything else in B. Used only to centre the ZPL symbol.
 */
export function code128Modules(text: string): number {
  const symbols = /^\d+$/.test(text) && text.length % 2 === 0 ? text.length / 2 : text.length;
  return 11 * (symbols + 2) + 13; // start + data + check, then the 13-module stop
}

/** Whole printer dots per module so the bars come out even on a 203 dpi head; at most 4. */
export function dotsPerModule(modules: number, widthMm: number): number {
  return Math.max(1, Math.min(4, Math.floor((widthMm * DOTS_PER_MM) / modules)));
}
