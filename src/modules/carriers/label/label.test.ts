import { inflateSync } from 'node:zlib';
import { PDFDict, PDFDocument, PDFName, PDFNumber, PDFRawStream } from 'pdf-lib';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { LABEL_HEIGHT_MM, LABEL_WIDTH_MM, labelLayout, type LabelData } from './label.layout.js';
import { labelFontMode, renderBarcodePng, renderLabelPdf, transliterate, warmUpLabelRenderer } from './label.pdf.js';
import { renderLabelZpl } from './label.zpl.js';

function labelData(overrides: Partial<LabelData> = {}): LabelData {
  return {
    trackingNumber: 'WB1234567890RU',
    carrierName: 'СДЭК',
    serviceName: 'Посылка склад-склад',
    serviceCode: 'CDEK-136',
    sender: { name: 'ООО «Вейбилл»', line1: 'ул. Складская, д. 7', city: 'Москва', region: null, postalCode: '109029', countryCode: 'RU', phone: '+7 495 123-45-67' },
    recipient: { name: 'Анна Иванова', line1: 'ул. Большая Красная, д. 15, кв. 42', line2: 'подъезд 3', city: 'Казань', region: 'Республика Татарстан', postalCode: '420111', countryCode: 'RU', phone: '+7 917 000-11-22' },
    weightGrams: 1250,
    orderNumber: '#1001',
    createdAt: new Date('2026-11-25T10:22:00Z'),
    pickupPointCode: 'KZN-042',
    ...overrides,
  };
}

// --- Code 128 reading, from the symbology's table (ISO/IEC 15417), independent of bwip-js ---------

/** Bar/space widths of symbol values 0..106 (106 = stop, 7 elements). */
const CODE128 =
  ('212222 222122 222221 121223 121322 131222 122213 122312 132212 221213 221312 231212 112232 122132 ' +
    '122231 113222 123122 123221 223211 221132 221231 213212 223112 312131 311222 321122 321221 312212 ' +
    '322112 322211 212123 212321 232121 111323 131123 131321 112313 132113 132311 211313 231113 231311 ' +
    '112133 112331 132131 113123 113321 133121 313121 211331 231131 213113 213311 213131 311123 311321 ' +
    '331121 312113 312311 332111 314111 221411 431111 111224 111422 121124 121421 141122 141221 112214 ' +
    '112412 122114 122411 142112 142211 241211 221114 413111 241112 134111 111242 121142 121241 114212 ' +
    '124112 124211 411212 421112 421211 212141 214121 412121 111143 111341 131141 114113 114311 411113 ' +
    '411311 113141 114131 311141 411131 211412 211214 211232 2331112').split(' ');

/** Reads one scanline (true = dark) of a Code 128 symbol; checks the check symbol. */
function readCode128(row: boolean[]): string {
  const runs: number[] = [];
  let i = row.indexOf(true);
  const end = row.lastIndexOf(true);
  while (i <= end) {
    let j = i;
    while (j <= end && row[j] === row[i]) j++;
    runs.push(j - i);
    i = j;
  }
  const unit = Math.min(...runs);
  const widths = runs.map((r) => Math.round(r / unit)).join('');
  const values: number[] = [];
  for (let k = 0; k + 6 <= widths.length - 7; k += 6) {
    const v = CODE128.indexOf(widths.slice(k, k + 6));
    if (v < 0) throw new Error(`not a Code 128 symbol at ${k}: ${widths.slice(k, k + 6)}`);
    values.push(v);
  }
  expect(widths.slice(-7)).toBe(CODE128[106]);
  const [start, ...rest] = values;
  const check = rest.pop()!;
  expect((start + rest.reduce((sum, v, n) => sum + v * (n + 1), 0)) % 103).toBe(check);
  let set = { 103: 'A', 104: 'B', 105: 'C' }[start] as 'A' | 'B' | 'C';
  let text = '';
  for (const v of rest) {
    if (v === 99) set = 'C';
    else if (v === 100 && set !== 'B') set = 'B';
    else if (v === 101 && set !== 'A') set = 'A';
    else if (set === 'C') text += String(v).padStart(2, '0');
    else if (v < 96) text += String.fromCharCode(set === 'A' && v >= 64 ? v - 64 : v + 32);
  }
  return text;
}

interface PdfImage {
  width: number;
  height: number;
  rgb: Uint8Array;
}

async function embeddedImages(pdf: Uint8Array): Promise<PdfImage[]> {
  const doc = await PDFDocument.load(pdf);
  const xobjects = doc.getPage(0).node.Resources()?.lookupMaybe(PDFName.of('XObject'), PDFDict);
  const images: PdfImage[] = [];
  for (const [, ref] of xobjects?.entries() ?? []) {
    const stream = doc.context.lookup(ref);
    if (!(stream instanceof PDFRawStream) || stream.dict.get(PDFName.of('Subtype')) !== PDFName.of('Image')) continue;
    expect(stream.dict.get(PDFName.of('Filter'))).toBe(PDFName.of('FlateDecode'));
    expect(stream.dict.get(PDFName.of('ColorSpace'))).toBe(PDFName.of('DeviceRGB'));
    const num = (k: string) => stream.dict.lookup(PDFName.of(k), PDFNumber).asNumber();
    expect(num('BitsPerComponent')).toBe(8);
    images.push({ width: num('Width'), height: num('Height'), rgb: inflateSync(stream.contents) });
  }
  return images;
}

function middleRow(img: PdfImage): boolean[] {
  const y = Math.floor(img.height / 2);
  return Array.from({ length: img.width }, (_, x) => img.rgb[(y * img.width + x) * 3] < 128);
}

const MM_TO_PT = 72 / 25.4;

describe('labelLayout', () => {
  it('prints the tracking number, the carrier and service, and the recipient in Cyrillic as given', () => {
    const runs = labelLayout(labelData()).texts;
    const text = (key: string) => runs.find((r) => r.key === key)?.text;

    expect(text('trackingNumber')).toBe('WB1234567890RU');
    expect(text('carrier')).toBe('СДЭК');
    expect(text('service')).toBe('Посылка склад-склад (CDEK-136)');
    expect(text('recipient.name')).toBe('Анна Иванова');
    expect(text('recipient.city')).toBe('420111 Казань');
    expect(text('recipient.region')).toBe('Республика Татарстан, RU');
    expect(text('sender.city')).toBe('109029 Москва');
    expect(text('weight')).toBe('Weight: 1.25 kg');
    expect(text('orderNumber')).toBe('Order: #1001');
    expect(text('pickupPointCode')).toBe('Pickup point: KZN-042');
    expect(text('date')).toBe('2026-11-25');
  });

  it('prints the recipient larger than the sender, below the barcode, and keeps everything on the label', () => {
    const layout = labelLayout(labelData());
    const run = (key: string) => layout.texts.find((r) => r.key === key)!;

    expect(run('recipient.name').size).toBeGreaterThan(run('sender.name').size);
    expect(run('recipient.city').size).toBeGreaterThan(run('sender.city').size);
    expect(run('sender.name').y).toBeGreaterThan(layout.barcode.y + layout.barcode.height);
    expect(run('trackingNumber').y).toBeGreaterThan(layout.barcode.y + layout.barcode.height);
    for (const r of [...layout.texts, ...layout.rules, layout.barcode]) {
      expect(r.x).toBeGreaterThanOrEqual(0);
      expect(r.x + r.width).toBeLessThanOrEqual(LABEL_WIDTH_MM);
      expect(r.y + ('size' in r ? r.size : r.height)).toBeLessThanOrEqual(LABEL_HEIGHT_MM);
    }
    const ys = layout.texts.filter((r) => r.x === 4).map((r) => r.y);
    expect(new Set(ys).size).toBe(ys.length); // no two left-hand lines on top of each other
  });

  it('leaves out what is not given and flattens line breaks typed into a field', () => {
    const data = labelData({ pickupPointCode: null });
    data.recipient = { ...data.recipient, line2: '  ', phone: null, region: undefined, name: 'Анна\nИванова' };
    const runs = labelLayout(data).texts;

    expect(runs.map((r) => r.key)).not.toContain('pickupPointCode');
    expect(runs.map((r) => r.key)).not.toContain('recipient.line2');
    expect(runs.map((r) => r.key)).not.toContain('recipient.phone');
    expect(runs.find((r) => r.key === 'recipient.region')?.text).toBe('RU');
    expect(runs.find((r) => r.key === 'recipient.name')?.text).toBe('Анна Иванова');
  });

  it('wraps a long recipient address onto a second line instead of cutting off the house number', () => {
    const data = labelData();
    const line1 = 'проспект Победы, проспект Победы, проспект Победы, проспект Победы, д. 1';
    data.recipient = { ...data.recipient, line1 };
    const pieces = labelLayout(data).texts.filter((r) => r.key === 'recipient.line1');

    expect(pieces).toHaveLength(2);
    expect(pieces.map((r) => r.text).join(' ')).toBe(line1);
    expect(pieces[1].y).toBeGreaterThan(pieces[0].y);
  });

  it('keeps every line on the label and clear of the others, whatever the addresses hold', () => {
    const field = fc.string({ unit: fc.constantFrom(...'Аа Бб Вв Щщ Ww Mm ii 19 ,.-'.split('')), maxLength: 140, size: 'max' });
    const party = fc.record({
      name: fc.option(field),
      line1: field,
      line2: fc.option(field),
      city: field,
      region: fc.option(field),
      postalCode: fc.string({ unit: fc.constantFrom(...'0123456789'), maxLength: 10 }),
      countryCode: fc.constantFrom('RU', 'KZ', 'DE'),
      phone: fc.option(fc.string({ unit: fc.constantFrom(...'+0123456789 -'), maxLength: 20 })),
    });
    const long = 'Щукина Wm, '.repeat(14);
    const worstCase = { name: long, line1: long, line2: long, city: long, region: long, postalCode: '1234567890', countryCode: 'RU' as const, phone: '+7 999 999-99-99 999' };
    fc.assert(
      fc.property(party, party, fc.option(field), (sender, recipient, pickupPointCode) => {
        const layout = labelLayout(labelData({ sender, recipient, pickupPointCode }));
        for (const r of [...layout.texts, ...layout.rules, layout.barcode]) {
          expect(r.x).toBeGreaterThanOrEqual(0);
          expect(r.x + r.width).toBeLessThanOrEqual(LABEL_WIDTH_MM + 1e-9);
          expect(r.y + ('size' in r ? r.size : r.height)).toBeLessThanOrEqual(LABEL_HEIGHT_MM - 3);
        }
        // Down the left column, each line starts below the bottom of the one before (rules included).
        const column = [...layout.texts.filter((r) => r.x === 4).map((r) => ({ y: r.y, h: r.size })), ...layout.rules.map((r) => ({ y: r.y, h: r.height }))];
        column.sort((a, b) => a.y - b.y);
        column.slice(1).forEach((b, i) => expect(b.y).toBeGreaterThanOrEqual(column[i].y + column[i].h - 1e-9));
      }),
      { numRuns: 200, examples: [[worstCase, worstCase, 'Щ'.repeat(140)]] },
    );
  });

  it('refuses a tracking number Code 128 cannot carry', () => {
    expect(() => labelLayout(labelData({ trackingNumber: 'РУ123' }))).toThrow(RangeError);
    expect(() => labelLayout(labelData({ trackingNumber: '' }))).toThrow(RangeError);
  });
});

describe('renderLabelPdf', () => {
  it('is a one-page 100 x 150 mm PDF that pdf-lib can load', async () => {
    const pdf = await renderLabelPdf(labelData());

    expect(Buffer.from(pdf.subarray(0, 5)).toString('latin1')).toBe('%PDF-');
    const doc = await PDFDocument.load(pdf);
    expect(doc.getPageCount()).toBe(1);
    const { width, height } = doc.getPage(0).getSize();
    expect(width).toBeCloseTo(100 * MM_TO_PT, 2); // 283.46 pt
    expect(height).toBeCloseTo(150 * MM_TO_PT, 2); // 425.20 pt
    expect(doc.getTitle()).toBe('Shipping label WB1234567890RU');
  });

  it('carries a Code 128 barcode image that reads back as the tracking number', async () => {
    for (const trackingNumber of ['WB1234567890RU', '1Z999AA10123456784', '00123456789012345678']) {
      const images = await embeddedImages(await renderLabelPdf(labelData({ trackingNumber })));

      expect(images).toHaveLength(1);
      expect(readCode128(middleRow(images[0]))).toBe(trackingNumber);
    }
  });

  it('draws a different barcode for a different tracking number', async () => {
    const [a] = await embeddedImages(await renderLabelPdf(labelData({ trackingNumber: 'WB0000000001RU' })));
    const [b] = await embeddedImages(await renderLabelPdf(labelData({ trackingNumber: 'WB0000000002RU' })));

    expect(Buffer.from(a.rgb).equals(Buffer.from(b.rgb))).toBe(false);
    expect(Buffer.compare(await renderBarcodePng('WB0000000001RU'), await renderBarcodePng('WB0000000002RU'))).not.toBe(0);
  });

  it('can be warmed up before the first request', async () => {
    await expect(warmUpLabelRenderer()).resolves.toBeUndefined();
  });

  it('still renders when an address is far too long for one line', async () => {
    const data = labelData();
    data.recipient = { ...data.recipient, line1: 'проспект Победы, '.repeat(12) };
    const doc = await PDFDocument.load(await renderLabelPdf(data));
    expect(doc.getPageCount()).toBe(1);
  });

  it('embeds a Unicode font when fontkit is installed, otherwise spells non-Latin text in Latin', async () => {
    const mode = await labelFontMode();
    const doc = await PDFDocument.load(await renderLabelPdf(labelData()));
    const fonts = doc.getPage(0).node.Resources()?.lookupMaybe(PDFName.of('Font'), PDFDict);
    // pdf-lib adds a resource name per drawText call; the font objects behind them are what count.
    const fontObjects = new Set([...(fonts?.entries() ?? [])].map(([, ref]) => doc.context.lookup(ref, PDFDict)));
    const subtypes = [...fontObjects].map((font) => String(font.get(PDFName.of('Subtype'))));

    // Type0 = an embedded CID font (DejaVu Sans); Type1 = a standard font, WinAnsi only.
    expect(subtypes).toEqual(mode === 'unicode' ? ['/Type0', '/Type0'] : ['/Type1', '/Type1']);
  });
});

describe('transliterate (the label text when no Unicode font can be embedded)', () => {
  it('spells Russian names and places in Latin, keeping what the font has', () => {
    expect(transliterate('Анна Иванова')).toBe('Anna Ivanova');
    expect(transliterate('420111 Казань')).toBe('420111 Kazan');
    expect(transliterate('Щукин Юрий, ЖУК')).toBe('Shchukin Iurii, ZHUK');
    expect(transliterate('Café Müller', (cp) => cp < 0x100)).toBe('Café Müller');
    expect(transliterate('Łódź', (cp) => cp < 0x100)).toBe('?ódz');
  });
});

describe('renderLabelZpl', () => {
  it('is one 4 x 6 in label at 203 dpi, in UTF-8, with the tracking number as Code 128', () => {
    const zpl = renderLabelZpl(labelData());

    expect(zpl.startsWith('^XA')).toBe(true);
    expect(zpl.trimEnd().endsWith('^XZ')).toBe(true);
    expect(zpl.indexOf('^CI28')).toBeLessThan(zpl.indexOf('^FD'));
    expect(zpl).toContain('^PW800');
    expect(zpl).toContain('^LL1200');
    expect(zpl).toMatch(/\^BCN,\d+,N,N,N,A\^FH\^FDWB1234567890RU\^FS/);
  });

  it('prints the same text runs as the PDF, names in Cyrillic', () => {
    const zpl = renderLabelZpl(labelData());
    const fields = [...zpl.matchAll(/\^FD(.*?)\^FS/g)].map((m) => m[1]);

    expect(fields).toContain('Анна Иванова');
    expect(fields).toContain('420111 Казань');
    expect(fields).toContain('ООО «Вейбилл»');
    expect(fields).toContain('WB1234567890RU');
    expect(fields.length).toBe(labelLayout(labelData()).texts.length + 1); // + the barcode
  });

  it('escapes ZPL control characters in customer data instead of letting them end a field', () => {
    const data = labelData();
    data.recipient = { ...data.recipient, name: 'A^XZ~JA_b\\' };
    const zpl = renderLabelZpl(data);

    expect(zpl).toContain('^FDA_5EXZ_7EJA_5Fb\\\\^FS');
    expect(zpl.match(/\^XZ/g)).toHaveLength(1);
  });
});
