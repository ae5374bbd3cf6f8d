// The parts of @nlpjs/lang-ru and @nlpjs/lang-en-min the assistant uses (the packages ship no types).
declare module '@nlpjs/lang-ru' {
  export class StemmerRu { stem(word: string): string }
  export class NormalizerRu { normalize(text: string): string }
  export class TokenizerRu { tokenize(text: string, normalize?: boolean): string[] }
  export class StopwordsRu { isStopword(word: string): boolean }
}
declare module '@nlpjs/lang-en-min' {
  export class StemmerEn { stem(word: string): string }
  export class NormalizerEn { normalize(text: string): string }
  export class TokenizerEn { tokenize(text: string, normalize?: boolean): string[] }
  export class StopwordsEn { isStopword(word: string): boolean }
}
