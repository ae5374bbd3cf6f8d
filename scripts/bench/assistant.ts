/**
 * npm run bench:assistant — the assistant's intent classifier on the evaluation set
 * (test/fixtures/assistant/eval.json): intent accuracy per language and overall, handoff
 * precision/recall, the confusion pairs, entity extraction, plus the cross-validated figures of
 * the training set the calibration came from.
 *
 * Answer correctness (expected facts present, no order details for an anonymous caller) needs
 * facts from a seeded store: `scoreAnswer` (evaluation.ts) is ready for it; the part that seeds
 * PGlite and asks through the wired service comes with the assistant's service.
 *
 *   npm run bench:assistant [-- --mistakes] [-- --json]
 */
import { readFileSync } from 'node:fs';
import { assistantModel, classify } from '../../src/modules/support/assistant/classifier.js';
import { evaluateIntents, type EvalItem } from '../../src/modules/support/assistant/evaluation.js';

const items = JSON.parse(readFileSync(new URL('../../test/fixtures/assistant/eval.json', import.meta.url), 'utf8')) as EvalItem[];
const t0 = performance.now();
const model = assistantModel();
const trainMs = performance.now() - t0;
const t1 = performance.now();
const report = evaluateIntents(items, (q, l) => classify(q, l, model));
const perQuestionMs = (performance.now() - t1) / items.length;

const pct = (x: number) => `${(100 * x).toFixed(1)}%`;
if (process.argv.includes('--json')) {
  console.log(JSON.stringify({ model: { temperature: model.temperature, threshold: model.threshold, crossValidation: model.crossValidation, trainMs }, report }, null, 2));
} else {
  const cv = model.crossValidation;
  console.log(`Training set: ${cv.examples} questions; ${cv.folds}-fold CV: top-1 ${pct(cv.topAccuracy)}, decisions ${pct(cv.accuracy)} (answered ${pct(cv.answeredAccuracy)}, handed off ${pct(cv.handoffRate)})`);
  console.log(`Calibration: temperature ${model.temperature.toFixed(2)}, handoff threshold ${model.threshold.toFixed(2)}; trained in ${trainMs.toFixed(0)} ms, ${perQuestionMs.toFixed(2)} ms per question`);
  console.log(`Evaluation set: ${report.total} questions (${Object.entries(report.byLanguage).map(([l, r]) => `${l} ${r.total}`).join(', ')})`);
  console.log(`Intent accuracy: ${pct(report.accuracy)} (${report.correct}/${report.total}); ${Object.entries(report.byLanguage).map(([l, r]) => `${l} ${pct(r.accuracy)} (${r.correct}/${r.total})`).join(', ')}`);
  console.log(`Handoff: precision ${pct(report.handoff.precision)} (${report.handoff.truePositive}/${report.handoff.predicted}), recall ${pct(report.handoff.recall)} (${report.handoff.truePositive}/${report.handoff.expected})`);
  console.log(`Entities: ${report.entities.correct}/${report.entities.checked} questions with all expected entities found`);
  console.log(`Confusion (expected→predicted): ${report.confusion.map(([k, n]) => `${k} ${n}`).join(', ') || 'none'}`);
  if (process.argv.includes('--mistakes')) for (const m of report.mistakes) console.log(`  ${m.id} ${m.expected}→${m.predicted} (${m.confidence.toFixed(2)}) ${m.question}`);
}
