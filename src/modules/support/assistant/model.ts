/**
 * The intent model: multinomial naive Bayes over the features of text.ts (stems, stem bigrams,
 * character trigrams), with its confidence calibrated by temperature scaling and its handoff
 * threshold chosen by cross-validation on the training set only.
 *
 * Why naive Bayes: a few hundred short labelled questions, two languages, features that are
 * counts; NB trains in milliseconds at start-up from the committed training set (no artefact to
 * keep in sync) and is hard to overfit. Its raw posteriors are overconfident (features are not
 * independent), hence the calibration:
 *
 * 1. k-fold cross-validation (k = 5, folds by index, deterministic) gives out-of-fold log
 *    posteriors for every training question.
 * 2. Temperature T (posterior ∝ exp(log p / T)) is chosen on a grid to minimise the out-of-fold
 *    negative log-likelihood of the true label: the calibrated top probability then says how often
 *    the top intent is right.
 * 3. The threshold t is chosen on the same out-of-fold predictions to minimise the cost
 *    WRONG_ANSWER_COST × (answered and wrong) + 1 × (handed off though answerable): a wrong answer
 *    costs the customer more than a wait for an agent. Below t the assistant hands off.
 *
 * The evaluation set (test/fixtures/assistant/) plays no part in any of this.
 */
import { buildVocabulary, features, type Vocabulary } from './text.js';
import { ASSISTANT_INTENTS, type AssistantIntent, type LabelledQuestion } from './intents.js';
import { maskEntities } from './entities.js';

/** A wrong answer costs this many unnecessary handoffs (the threshold's objective). */
export const WRONG_ANSWER_COST = 3;
const FOLDS = 5;
const ALPHA = 0.3;
/** 0.1 … 100, log-spaced: NB's raw posteriors can be far too sharp. */
const TEMPERATURES = Array.from({ length: 61 }, (_, i) => 0.1 * 10 ** (i / 20));
const THRESHOLDS = Array.from({ length: 19 }, (_, i) => 0.05 * (i + 1));

export interface NaiveBayes {
  labels: AssistantIntent[];
  logPrior: Map<AssistantIntent, number>;
  logLikelihood: Map<AssistantIntent, Map<string, number>>;
  /** log of the smoothed probability of a feature never seen with the label. */
  logUnseen: Map<AssistantIntent, number>;
  vocabulary: Vocabulary;
}

/** The trained model with its calibration. */
export interface IntentModel {
  nb: NaiveBayes;
  temperature: number;
  threshold: number;
  /** Out-of-fold figures on the training set (what the calibration saw). */
  crossValidation: { folds: number; examples: number; topAccuracy: number; accuracy: number; answeredAccuracy: number; handoffRate: number; negLogLikelihood: number };
}

/** The text the model sees: entities masked. */
export const modelText = (text: string): string => maskEntities(text).masked;

function trainNaiveBayes(examples: readonly LabelledQuestion[]): NaiveBayes {
  const vocabulary = buildVocabulary(examples.map((e) => modelText(e.text)));
  const labels = ASSISTANT_INTENTS.filter((l) => examples.some((e) => e.intent === l));
  const counts = new Map<AssistantIntent, Map<string, number>>(labels.map((l) => [l, new Map()]));
  const totals = new Map<AssistantIntent, number>(labels.map((l) => [l, 0]));
  const allFeatures = new Set<string>();
  for (const e of examples) {
    const c = counts.get(e.intent)!;
    for (const f of features(modelText(e.text), vocabulary)) {
      c.set(f, (c.get(f) ?? 0) + 1);
      totals.set(e.intent, totals.get(e.intent)! + 1);
      allFeatures.add(f);
    }
  }
  const v = allFeatures.size;
  const logPrior = new Map(labels.map((l) => [l, Math.log(examples.filter((e) => e.intent === l).length / examples.length)]));
  const logLikelihood = new Map<AssistantIntent, Map<string, number>>();
  const logUnseen = new Map<AssistantIntent, number>();
  for (const l of labels) {
    const denom = totals.get(l)! + ALPHA * v;
    logLikelihood.set(l, new Map([...counts.get(l)!].map(([f, n]) => [f, Math.log((n + ALPHA) / denom)])));
    logUnseen.set(l, Math.log(ALPHA / denom));
  }
  return { labels, logPrior, logLikelihood, logUnseen, vocabulary };
}

/** Log joint scores per label of a text (unnormalised), features unknown to every label ignored. */
function scores(nb: NaiveBayes, text: string): Map<AssistantIntent, number> {
  const fs = features(modelText(text), nb.vocabulary).filter((f) => nb.labels.some((l) => nb.logLikelihood.get(l)!.has(f)));
  return new Map(nb.labels.map((l) => [l, fs.reduce((s, f) => s + (nb.logLikelihood.get(l)!.get(f) ?? nb.logUnseen.get(l)!), nb.logPrior.get(l)!)]));
}

/** Posterior probabilities at temperature T (softmax of score / T), best first. */
export function posterior(nb: NaiveBayes, text: string, temperature: number): { intent: AssistantIntent; p: number }[] {
  const s = [...scores(nb, text)];
  const max = Math.max(...s.map(([, x]) => x));
  const e = s.map(([l, x]) => [l, Math.exp((x - max) / temperature)] as const);
  const z = e.reduce((a, [, x]) => a + x, 0);
  return e.map(([intent, x]) => ({ intent, p: x / z })).sort((a, b) => b.p - a.p);
}

interface OutOfFold {
  gold: AssistantIntent;
  raw: Map<AssistantIntent, number>;
}

function decide(p: { intent: AssistantIntent; p: number }[], threshold: number): AssistantIntent {
  return p[0]!.p < threshold ? 'HANDOFF' : p[0]!.intent;
}

function softmax(raw: Map<AssistantIntent, number>, t: number): { intent: AssistantIntent; p: number }[] {
  const max = Math.max(...raw.values());
  const e = [...raw].map(([intent, x]) => ({ intent, p: Math.exp((x - max) / t) }));
  const z = e.reduce((a, x) => a + x.p, 0);
  return e.map((x) => ({ intent: x.intent, p: x.p / z })).sort((a, b) => b.p - a.p);
}

/** Trains the model on `examples` and calibrates it by k-fold cross-validation on the same examples. */
export function trainIntentModel(examples: readonly LabelledQuestion[]): IntentModel {
  const oof: OutOfFold[] = [];
  for (let k = 0; k < FOLDS; k++) {
    const nb = trainNaiveBayes(examples.filter((_, i) => i % FOLDS !== k));
    examples.forEach((e, i) => {
      if (i % FOLDS === k) oof.push({ gold: e.intent, raw: scores(nb, e.text) });
    });
  }
  const nll = (t: number) => oof.reduce((s, o) => s - Math.log(Math.max(1e-12, softmax(o.raw, t).find((x) => x.intent === o.gold)?.p ?? 0)), 0) / oof.length;
  let temperature = TEMPERATURES[0]!;
  for (const t of TEMPERATURES) if (nll(t) < nll(temperature)) temperature = t;
  const calibrated = oof.map((o) => ({ gold: o.gold, p: softmax(o.raw, temperature) }));
  const cost = (th: number) =>
    calibrated.reduce((s, o) => {
      const d = decide(o.p, th);
      if (d === o.gold) return s;
      return s + (d === 'HANDOFF' ? 1 : WRONG_ANSWER_COST);
    }, 0);
  let threshold = THRESHOLDS[0]!;
  for (const th of THRESHOLDS) if (cost(th) < cost(threshold)) threshold = th;
  const decisions = calibrated.map((o) => ({ gold: o.gold, d: decide(o.p, threshold) }));
  const answered = decisions.filter((x) => x.d !== 'HANDOFF');
  return {
    nb: trainNaiveBayes(examples),
    temperature,
    threshold,
    crossValidation: {
      folds: FOLDS,
      examples: examples.length,
      topAccuracy: calibrated.filter((o) => o.p[0]!.intent === o.gold).length / calibrated.length,
      accuracy: decisions.filter((x) => x.d === x.gold).length / decisions.length,
      answeredAccuracy: answered.filter((x) => x.d === x.gold).length / Math.max(1, answered.length),
      handoffRate: 1 - answered.length / decisions.length,
      negLogLikelihood: nll(temperature),
    },
  };
}
