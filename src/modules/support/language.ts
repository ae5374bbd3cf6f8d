/**
 * The language of a ticket, a message or an assistant question (BCP 47 primary tag): the one
 * given, else the customer's locale, else detected from the text.
 *
 * Detection uses franc-min (wooorm's trigram identifier, maintained, ESM, no native code): asked
 * to choose between Russian and English only, it first counts the characters of each script and
 * then compares trigram profiles, so short and mixed-script texts ("Hi, мой заказ не пришёл")
 * go to the script that carries most of the text. Rejected: cld3-asm (a 2 MB WebAssembly build of
 * Chrome's model, slow to load, for two languages), tinyld/eld (less accurate on 1-3 word texts in
 * their own benchmarks, and less maintained).
 */
import { franc } from 'franc-min';

/** Languages the assistant answers in and detection chooses between. */
export const SUPPORT_LANGUAGES = ['ru', 'en'] as const;
export type SupportLanguage = (typeof SUPPORT_LANGUAGES)[number];

const FROM_ISO_639_3: Record<string, SupportLanguage> = { rus: 'ru', eng: 'en' };

/** A BCP 47 tag in canonical form ("EN-us" → "en-US"), or null when it is not one. */
export function canonicalTag(tag: string | null | undefined): string | null {
  const t = tag?.trim();
  if (!t || t.length > 35) return null;
  try {
    return Intl.getCanonicalLocales(t)[0] ?? null;
  } catch {
    return null;
  }
}

/** The primary language subtag of a BCP 47 tag ("ru-RU" → "ru"), lower case, or null when it is not a tag. */
export function primaryLanguage(tag: string | null | undefined): string | null {
  return canonicalTag(tag)?.split('-')[0]!.toLowerCase() ?? null;
}

/** The supported language a tag names ("ru-RU" → "ru"), or null (unknown, unsupported, not a tag). */
export function supportedLanguage(tag: string | null | undefined): SupportLanguage | null {
  const p = primaryLanguage(tag);
  return (SUPPORT_LANGUAGES as readonly string[]).includes(p ?? '') ? (p as SupportLanguage) : null;
}

/**
 * Russian or English, detected from the text; `fallback` when the text has no letters of either
 * script (digits, an order number, emoji only).
 */
export function detectLanguage(text: string, fallback: SupportLanguage = 'en'): SupportLanguage {
  if (!/[\p{Script=Cyrillic}\p{Script=Latin}]/u.test(text)) return fallback;
  return FROM_ISO_639_3[franc(text, { only: ['rus', 'eng'], minLength: 1 })] ?? fallback;
}

/**
 * The language of something written: `given` (any valid BCP 47 tag, canonical, primary subtag:
 * a German ticket stays "de"), else the customer's locale, else detected from `text`.
 */
export function languageOf(input: { given?: string | null; customerLocale?: string | null; text: string }): string {
  return primaryLanguage(input.given) ?? primaryLanguage(input.customerLocale) ?? detectLanguage(input.text);
}
