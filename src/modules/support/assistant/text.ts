/**
 * Text normalisation, tokenisation, stemming and typo correction for the assistant (ru, en).
 *
 * Stemming: @nlpjs/lang-ru and @nlpjs/lang-en-min (the NLP.js language packs: Snowball Russian
 * and Porter2 English stemmers, no runtime dependencies besides @nlpjs/core, maintained, 300 KB).
 * Each token is stemmed by its own script, not by the question's language, so a Russian question
 * that names "DEMO-000123" or "tracking" still gets English stems for the Latin words.
 * Typo tolerance: a word the vocabulary does not know is replaced by the nearest vocabulary word
 * within a small Levenshtein distance (fastest-levenshtein), before stemming.
 */
import { StemmerEn } from '@nlpjs/lang-en-min';
import { StemmerRu } from '@nlpjs/lang-ru';
import { distance } from 'fastest-levenshtein';

const stemmerRu = new StemmerRu();
const stemmerEn = new StemmerEn();

/** Lower case, "ё" → "е", diacritics (also "й" → "и") and typographic quotes gone, spaces collapsed. */
export function normalizeText(text: string): string {
  return text
    .toLowerCase()
    .normalize('NFD')
    .replace(/\p{M}+/gu, '')
    .replace(/[’‘`]/g, "'")
    .replace(/\s+/g, ' ')
    .trim();
}

/** Words and numbers of a normalised text ("it's" stays one word). */
export function tokenize(normalized: string): string[] {
  return normalized.match(/[\p{L}\p{N}]+(?:'[\p{L}]+)?/gu) ?? [];
}

const CYRILLIC = /\p{Script=Cyrillic}/u;

/** The stem of one normalised word: Russian Snowball for Cyrillic words, Porter2 for the rest; numbers as they are. */
export function stem(word: string): string {
  if (/^\p{N}+$/u.test(word)) return word;
  return CYRILLIC.test(word) ? stemmerRu.stem(word) : stemmerEn.stem(word.replace(/'s$/, ''));
}

/**
 * The vocabulary word nearest to `word` when `word` is not in it: at most 1 edit for words of 4-6
 * characters, 2 for longer ones; words under 4 characters and numbers are left alone (too many
 * neighbours). Ties go to the more frequent word (the vocabulary is ordered by frequency).
 */
export function correctWord(word: string, vocabulary: Vocabulary): string {
  if (word.length < 4 || vocabulary.words.has(word) || /\p{N}/u.test(word)) return word;
  const max = word.length <= 6 ? 1 : 2;
  let best = word;
  let bestDistance = max + 1;
  for (let len = word.length - max; len <= word.length + max; len++) {
    for (const candidate of vocabulary.byLength.get(len) ?? []) {
      const d = distance(word, candidate);
      if (d < bestDistance || (d === bestDistance && vocabulary.rank.get(candidate)! < vocabulary.rank.get(best)!)) {
        best = candidate;
        bestDistance = d;
      }
    }
  }
  return bestDistance <= max ? best : word;
}

/** Words known to the model (normalised surface forms), for typo correction. */
export interface Vocabulary {
  words: Set<string>;
  byLength: Map<number, string[]>;
  /** 0 = most frequent. */
  rank: Map<string, number>;
}

/** The vocabulary of a corpus of texts: words of 4+ letters, most frequent first. */
export function buildVocabulary(texts: readonly string[]): Vocabulary {
  const counts = new Map<string, number>();
  for (const t of texts) for (const w of tokenize(normalizeText(t))) if (w.length >= 4 && !/\p{N}/u.test(w)) counts.set(w, (counts.get(w) ?? 0) + 1);
  const ordered = [...counts].sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1)).map(([w]) => w);
  const byLength = new Map<number, string[]>();
  for (const w of ordered) byLength.set(w.length, [...(byLength.get(w.length) ?? []), w]);
  return { words: new Set(ordered), byLength, rank: new Map(ordered.map((w, i) => [w, i])) };
}

/**
 * Stems of a text after typo correction against `vocabulary` (when given). Entity placeholders
 * (see entities.ts: "zorderz", "ztrackz", "zcityz") pass through as they are.
 */
export function stems(text: string, vocabulary?: Vocabulary): string[] {
  return tokenize(normalizeText(text)).map((w) => (PLACEHOLDERS.has(w) ? w : stem(vocabulary ? correctWord(w, vocabulary) : w)));
}

/** Placeholders entities.ts puts in place of an order number, a tracking number, a city. */
export const PLACEHOLDERS = new Set(['zorderz', 'ztrackz', 'zcityz']);

/**
 * The model's features of a text: stems (u:), pairs of neighbouring stems (b:) and character
 * trigrams of the stems (c:, with word boundaries), which keep some signal from a misspelt word
 * the correction did not fix.
 */
export function features(text: string, vocabulary?: Vocabulary): string[] {
  const s = stems(text, vocabulary);
  const out: string[] = [];
  s.forEach((w, i) => {
    out.push(`u:${w}`);
    if (i > 0) out.push(`b:${s[i - 1]}_${w}`);
    if (!PLACEHOLDERS.has(w) && w.length >= 3) {
      const padded = `#${w}#`;
      for (let j = 0; j + 3 <= padded.length; j++) out.push(`c:${padded.slice(j, j + 3)}`);
    }
  });
  return out;
}
