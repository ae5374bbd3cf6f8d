/**
 * npm run bench:assistant — the assistant on its evaluation set (test/fixtures/assistant/eval.json,
 * format in its README), in two parts:
 *
 * 1. Offline (a second): the intent classifier alone — intent accuracy per language and overall,
 *    handoff precision/recall, the confusion pairs, entity extraction, plus the cross-validated
 *    figures of the training set the calibration came from.
 * 2. Live (about 1.5 minutes, most of it seeding): the demo store seeded into a fresh embedded
 *    PGlite (`seedDemoStore` without planning, which the assistant does not read), then every
 *    question asked through `askAssistant` with the principal the item names — the customer who
 *    owns the item's order (DEMO-nnnnnn: an order's external id, WB-…: its number; a tracking
 *    number: the order of that parcel), for loyalty a demo customer with points, the anonymous
 *    principal, or (`askedBy: "OTHER"`) a signed-in demo customer who does not own the order. The
 *    `{…}` facts are resolved against the seeded store through services (a staff context) and
 *    scored with `scoreAnswer`; FAQ answers also by their first source article
 *    (`FAQ_TOPIC_ARTICLES`). Printed: answer correctness per language and overall, the live
 *    intent accuracy, handoff precision/recall, unscorable items, and the leak check — for every
 *    anonymous item and every question about another customer's order, the answer must hold none
 *    of that order's number, external id, tracking numbers, status labels, or its customer's name,
 *    e-mail, phone or address.
 *
 *   npm run bench:assistant [-- --intents-only] [-- --database-url URL] [-- --mistakes] [-- --json]
 *
 * --intents-only (or --no-seed): only part 1. --database-url: run part 2 on that database instead
 * of a fresh one (seeded first when it holds no demo orders); handoff tickets are written to it.
 * --mistakes lists the misclassified questions and the wrong answers, --answers every answer.
 * Exit code 1 when a target is missed (intent accuracy 90%, correct answers 85%, no leak).
 */
import { readFileSync } from 'node:fs';
import { DEMO_CUSTOMER, DEMO_CUSTOMER_COUNT, demoCustomer, seedDemoStore } from '../seed.js';
import { DEMO_ORDER_PREFIX } from '../seed-shipping.js';
import { withScriptApp } from '../lib/script-app.js';
import { assistantModel, classify } from '../../src/modules/support/assistant/classifier.js';
import { orderStatusLabel, shipmentStatusLabel } from '../../src/modules/support/assistant/compose.js';
import { evaluateIntents, leaks, scoreAnswer, scoreFaqSource, type EvalItem } from '../../src/modules/support/assistant/evaluation.js';
import { askAssistant, type AssistantReply } from '../../src/modules/support/assistant.service.js';
import { carrierCatalog } from '../../src/modules/carriers/carrier.service.js';
import { customersByIdsUnfiltered, listCustomers, type CustomerRow } from '../../src/modules/customers/customer.service.js';
import { accountViews } from '../../src/modules/loyalty/loyalty.accounts.js';
import { orderByReference, orderCountsByExternalIdPrefix, ordersByIds, type OrderRow } from '../../src/modules/orders/order.service.js';
import { eventsByShipmentIds, shipmentsByOrderIds, shipmentsByTrackingNumbersUnfiltered, type ShipmentRow } from '../../src/modules/shipments/shipment.service.js';
import { ManualClock } from '../../src/shared/clock.js';
import { ANONYMOUS, CUSTOMER_SCOPES, type Principal } from '../../src/shared/principal.js';
import type { ServiceContext } from '../../src/shared/service-context.js';
import type { SupportLanguage } from '../../src/modules/support/language.js';
import { log, machineInfo } from './lib.js';

function usage(msg?: string): never {
  if (msg) console.error(msg);
  console.error('usage: npm run bench:assistant -- [--intents-only | --no-seed] [--database-url URL] [--mistakes] [--answers] [--json]');
  process.exit(2);
}

const args = process.argv.slice(2);
let intentsOnly = false;
let databaseUrl: string | undefined;
let showMistakes = false;
let showAnswers = false;
let json = false;
for (let i = 0; i < args.length; i++) {
  const a = args[i];
  if (a === '--intents-only' || a === '--no-seed') intentsOnly = true;
  else if (a === '--database-url') databaseUrl = args[++i] ?? usage('missing value for --database-url');
  else if (a === '--mistakes') showMistakes = true;
  else if (a === '--answers') showAnswers = true;
  else if (a === '--json') json = true;
  else usage(a === '--help' || a === '-h' ? undefined : `unknown argument ${a}`);
}

const items = JSON.parse(readFileSync(new URL('../../test/fixtures/assistant/eval.json', import.meta.url), 'utf8')) as EvalItem[];
const pct = (x: number) => `${(100 * x).toFixed(1)}%`;
const ratio = (a: number, b: number) => (b === 0 ? 1 : a / b);

// ---------------------------------------------------------------------------------------------
// Part 1: the classifier offline

const t0 = performance.now();
const model = assistantModel();
const trainMs = performance.now() - t0;
const t1 = performance.now();
const report = evaluateIntents(items, (q, l) => classify(q, l, model));
const perQuestionMs = (performance.now() - t1) / items.length;

if (!json) {
  const m = machineInfo();
  const cv = model.crossValidation;
  console.log(`bench:assistant — machine: ${m.cpu}, ${m.cores} cores, ${m.memGiB} GiB, Node ${m.node}; ${m.date}`);
  console.log('Offline (classifier only)');
  console.log(`  Training set: ${cv.examples} questions; ${cv.folds}-fold CV: top-1 ${pct(cv.topAccuracy)}, decisions ${pct(cv.accuracy)} (answered ${pct(cv.answeredAccuracy)}, handed off ${pct(cv.handoffRate)})`);
  console.log(`  Calibration: temperature ${model.temperature.toFixed(2)}, handoff threshold ${model.threshold.toFixed(2)}; trained in ${trainMs.toFixed(0)} ms, ${perQuestionMs.toFixed(2)} ms per question`);
  console.log(`  Evaluation set: ${report.total} questions (${Object.entries(report.byLanguage).map(([l, r]) => `${l} ${r.total}`).join(', ')})`);
  console.log(`  Intent accuracy: ${pct(report.accuracy)} (${report.correct}/${report.total}); ${Object.entries(report.byLanguage).map(([l, r]) => `${l} ${pct(r.accuracy)} (${r.correct}/${r.total})`).join(', ')}`);
  console.log(`  Handoff: precision ${pct(report.handoff.precision)} (${report.handoff.truePositive}/${report.handoff.predicted}), recall ${pct(report.handoff.recall)} (${report.handoff.truePositive}/${report.handoff.expected})`);
  console.log(`  Entities: ${report.entities.correct}/${report.entities.checked} questions with all expected entities found`);
  console.log(`  Confusion (expected→predicted): ${report.confusion.map(([k, n]) => `${k} ${n}`).join(', ') || 'none'}`);
  if (showMistakes) for (const m of report.mistakes) console.log(`    ${m.id} ${m.expected}→${m.predicted} (${m.confidence.toFixed(2)}) ${m.question}`);
}
let failed = report.accuracy < 0.9;

// ---------------------------------------------------------------------------------------------
// Part 2: live answers from a seeded store

interface Outcome {
  item: EvalItem;
  reply: AssistantReply;
  /** null: a placeholder could not be resolved against the seeded store. */
  correct: boolean | null;
  why: string[];
  leakChecked: boolean;
  leaked: string[];
}

/** What the item is about in the seeded store, read with the staff context. */
interface Subject {
  order: OrderRow | null;
  /** The parcel the answer is about: the one a tracking number names, else the order's latest outbound. */
  shipment: ShipmentRow | null;
  shipments: ShipmentRow[];
  location: string | null;
  carrierName: string | null;
  owner: CustomerRow | null;
}

async function subjectOf(staff: ServiceContext, item: EvalItem, carriers: Map<string, string>): Promise<Subject> {
  const ref = item.orderNumber ?? item.entities?.orderNumber;
  let order = ref ? await orderByReference(staff, ref) : null;
  let shipment: ShipmentRow | null = null;
  if (!order && item.entities?.trackingNumber) {
    shipment = (await shipmentsByTrackingNumbersUnfiltered(staff, [item.entities.trackingNumber]))[0] ?? null;
    if (shipment) order = (await ordersByIds(staff, [shipment.orderId]))[0] ?? null;
  }
  const shipments = order ? await shipmentsByOrderIds(staff, [order.id]) : [];
  shipment ??= shipments.at(-1) ?? null;
  const events = shipment ? await eventsByShipmentIds(staff, [shipment.id]) : [];
  const last = [...events].sort((a, b) => +a.occurredAt - +b.occurredAt).at(-1);
  const [owner] = order?.customerId ? await customersByIdsUnfiltered(staff, [order.customerId]) : [];
  return { order, shipment, shipments, location: last?.location ?? null, carrierName: shipment ? (carriers.get(shipment.carrierId) ?? null) : null, owner: owner ?? null };
}

const customerPrincipal = (c: CustomerRow): Principal => Object.freeze({ kind: 'CUSTOMER', name: c.name ?? c.email, scopes: CUSTOMER_SCOPES, customerId: c.id });

async function live(): Promise<{ outcomes: Outcome[]; seedSeconds: number | null; askMs: number; database: string }> {
  const clock = new ManualClock();
  return withScriptApp(
    async (staff, app) => {
      let seedSeconds: number | null = null;
      const demoOrders = Object.values(await orderCountsByExternalIdPrefix(staff, DEMO_ORDER_PREFIX)).reduce((a, n) => a + n, 0);
      if (!demoOrders) {
        const started = performance.now();
        log('seeding the demo store on an embedded database (about 1.5 minutes)…');
        await seedDemoStore(staff, { orders: { clock }, planning: false });
        await app.relay.drain();
        seedSeconds = (performance.now() - started) / 1000;
        log(`seeded in ${seedSeconds.toFixed(0)} s`);
      }
      const carriers = new Map((await carrierCatalog(staff)).carriers.map((c) => [c.id, c.name]));
      // The demo customers, in seed order; the first (demo@waybill.dev) asks the questions that name no order.
      const emails = Array.from({ length: DEMO_CUSTOMER_COUNT }, (_, i) => demoCustomer(i).email.toLowerCase());
      const demo = (await listCustomers(staff, { first: 100 })).items.filter((c) => emails.includes(c.email.toLowerCase())).sort((a, b) => emails.indexOf(a.email.toLowerCase()) - emails.indexOf(b.email.toLowerCase()));
      const main = demo.find((c) => c.email.toLowerCase() === DEMO_CUSTOMER.email);
      if (!main) throw new Error('the database holds no demo customer (seed it, or leave out --database-url)');
      const balances = new Map((await accountViews(staff, demo.map((c) => c.id))).map((v) => [v.customerId, v]));
      const withPoints = demo.find((c) => (balances.get(c.id)?.balance ?? 0) > 0) ?? main;
      const contexts = new Map<string, ServiceContext>();
      const contextOf = (p: Principal) => {
        const key = p.customerId ?? p.kind;
        let c = contexts.get(key);
        if (!c) contexts.set(key, (c = app.context(p).services));
        return c;
      };

      const outcomes: Outcome[] = [];
      let askMs = 0;
      for (const item of items) {
        const s = await subjectOf(staff, item, carriers);
        let caller: Principal;
        if (item.caller === 'ANONYMOUS') caller = ANONYMOUS;
        else if (item.askedBy === 'OTHER') caller = customerPrincipal(demo.find((c) => c.id !== s.order?.customerId)!);
        else if (item.intent === 'LOYALTY_BALANCE' && !s.order) caller = customerPrincipal(withPoints);
        else caller = customerPrincipal(s.owner ?? main);
        const lang: SupportLanguage = item.language;
        const t = performance.now();
        const reply = await askAssistant(contextOf(caller), { question: item.question, orderNumber: item.orderNumber ?? null });
        askMs += performance.now() - t;

        const account = caller.customerId ? (balances.get(caller.customerId) ?? null) : null;
        const resolve = (key: string): string | undefined => {
          switch (key) {
            case 'order.number':
              return s.order?.number;
            case 'order.statusLabel':
              return s.order ? orderStatusLabel(s.order.status, lang) : undefined;
            case 'shipment.statusLabel':
              return s.shipment ? shipmentStatusLabel(s.shipment.status, lang) : undefined;
            case 'shipment.carrierName':
              return s.carrierName ?? undefined;
            case 'shipment.trackingNumber':
              return s.shipment?.trackingNumber ?? undefined;
            case 'shipment.location':
              return s.location ?? undefined;
            case 'loyalty.balance':
              return account ? new Intl.NumberFormat(lang === 'ru' ? 'ru-RU' : 'en-GB').format(account.balance) : undefined;
            case 'loyalty.tierName':
              return account?.tier.name;
            case 'ticket.number':
              // No ticket opened is a wrong answer, not an unscorable one.
              return reply.handoffTicket?.number ?? '\u0000(no ticket opened)';
            default:
              throw new Error(`${item.id}: unknown placeholder {${key}}`);
          }
        };
        const scored = scoreAnswer(item, reply.answer, resolve);
        const why: string[] = [];
        let correct: boolean | null = scored ? scored.correct : null;
        if (!scored) why.push('unscorable: a placeholder has no value in the seeded store');
        else {
          if (scored.missing.length) why.push(`missing ${scored.missing.map((f) => JSON.stringify(f)).join(', ')}`);
          if (scored.leaked.length) why.push(`forbidden ${scored.leaked.map((f) => JSON.stringify(f)).join(', ')}`);
        }
        if (item.intent === 'FAQ' && item.topic && correct !== null) {
          const first = reply.sources[0]?.slug ?? null;
          const ok = scoreFaqSource(item.topic, first, !!reply.handoffTicket);
          if (ok === null) {
            correct = null;
            why.push(`unscorable: unknown topic ${item.topic}`);
          } else if (!ok) {
            correct = false;
            why.push(`topic ${item.topic}: first source ${first ?? 'none'}${reply.handoffTicket ? ' (handed off)' : ''}`);
          }
        }
        // The leak check: anonymous callers, and customers asking about someone else's order.
        const leakChecked = item.caller === 'ANONYMOUS' || item.askedBy === 'OTHER';
        let leaked: string[] = [];
        if (leakChecked && s.order) {
          const a = s.order.shippingAddress;
          const secrets = [
            s.order.number,
            s.order.externalId,
            ...s.shipments.map((x) => x.trackingNumber),
            ...(['ru', 'en'] as const).flatMap((l) => [orderStatusLabel(s.order!.status, l), ...s.shipments.map((x) => shipmentStatusLabel(x.status, l))]),
            s.owner?.name,
            s.owner?.email,
            s.owner?.phone,
            a.name,
            a.phone,
            a.line1,
            a.line2,
          ];
          leaked = leaks(reply.answer, `${item.question} ${item.orderNumber ?? ''}`, secrets);
          if (leaked.length) {
            correct = false;
            why.push(`LEAK ${leaked.map((f) => JSON.stringify(f)).join(', ')}`);
          }
        }
        outcomes.push({ item, reply, correct, why, leakChecked, leaked });
      }
      return { outcomes, seedSeconds, askMs, database: databaseUrl ? `existing database (${app.database.kind})` : `fresh embedded ${app.database.kind} database` };
    },
    { clock, env: { SMTP_URL: undefined, DATABASE_URL: databaseUrl ?? 'memory://' } },
  );
}

if (!intentsOnly) {
  const { outcomes, seedSeconds, askMs, database } = await live();
  const byLanguage = new Map<string, { scored: number; correct: number; unscorable: number; intent: number; total: number }>();
  let tp = 0;
  let predicted = 0;
  let expected = 0;
  for (const o of outcomes) {
    const l = byLanguage.get(o.item.language) ?? { scored: 0, correct: 0, unscorable: 0, intent: 0, total: 0 };
    byLanguage.set(o.item.language, l);
    l.total++;
    if (o.reply.intent === o.item.intent) l.intent++;
    if (o.correct === null) l.unscorable++;
    else {
      l.scored++;
      if (o.correct) l.correct++;
    }
    const handedOff = !!o.reply.handoffTicket;
    if (handedOff) predicted++;
    if (o.item.intent === 'HANDOFF') expected++;
    if (handedOff && o.item.intent === 'HANDOFF') tp++;
  }
  const sum = (f: (l: { scored: number; correct: number; unscorable: number; intent: number; total: number }) => number) => [...byLanguage.values()].reduce((a, l) => a + f(l), 0);
  const scored = sum((l) => l.scored);
  const correct = sum((l) => l.correct);
  const intentOk = sum((l) => l.intent);
  const leakItems = outcomes.filter((o) => o.leakChecked);
  const leaked = leakItems.filter((o) => o.leaked.length);
  const langs = [...byLanguage.entries()].sort(([a], [b]) => a.localeCompare(b));
  const correctRate = ratio(correct, scored);
  const intentRate = ratio(intentOk, outcomes.length);
  if (json) {
    console.log(
      JSON.stringify(
        {
          model: { temperature: model.temperature, threshold: model.threshold, crossValidation: model.crossValidation, trainMs },
          offline: report,
          live: {
            database,
            seedSeconds,
            perQuestionMs: askMs / outcomes.length,
            byLanguage: Object.fromEntries(langs),
            correct,
            scored,
            intentAccuracy: intentRate,
            handoff: { precision: ratio(tp, predicted), recall: ratio(tp, expected), truePositive: tp, predicted, expected },
            leakChecks: leakItems.length,
            leaks: leaked.map((o) => ({ id: o.item.id, leaked: o.leaked })),
            wrong: outcomes.filter((o) => o.correct !== true).map((o) => ({ id: o.item.id, intent: o.reply.intent, why: o.why, answer: o.reply.answer })),
          },
        },
        null,
        2,
      ),
    );
  } else {
    console.log(`Live (askAssistant on the demo store: ${database}${seedSeconds !== null ? `, seeded in ${seedSeconds.toFixed(0)} s` : ''}; ${(askMs / outcomes.length).toFixed(1)} ms per question)`);
    console.log(`  Correct answers: ${pct(correctRate)} (${correct}/${scored} scorable); ${langs.map(([l, r]) => `${l} ${pct(ratio(r.correct, r.scored))} (${r.correct}/${r.scored})`).join(', ')}`);
    const withFacts = outcomes.filter((o) => o.correct !== null && (o.item.facts.length > 0 || o.item.intent === 'FAQ'));
    console.log(`  … on the ${withFacts.length} scorable items that expect facts or an article (leaving out the anonymous and other-customer ones that only must not leak): ${pct(ratio(withFacts.filter((o) => o.correct).length, withFacts.length))} (${withFacts.filter((o) => o.correct).length}/${withFacts.length})`);
    console.log(`  Unscorable (a fact the seeded store does not hold): ${sum((l) => l.unscorable)}${outcomes.some((o) => o.correct === null) ? ` — ${outcomes.filter((o) => o.correct === null).map((o) => o.item.id).join(', ')}` : ''}`);
    console.log(`  Intent accuracy (live): ${pct(intentRate)} (${intentOk}/${outcomes.length}); ${langs.map(([l, r]) => `${l} ${pct(ratio(r.intent, r.total))} (${r.intent}/${r.total})`).join(', ')}`);
    console.log(`  Handoff (a ticket opened): precision ${pct(ratio(tp, predicted))} (${tp}/${predicted}), recall ${pct(ratio(tp, expected))} (${tp}/${expected})`);
    console.log(`  Leaks: ${leaked.length} of ${leakItems.length} checked answers (${leakItems.filter((o) => o.item.caller === 'ANONYMOUS').length} anonymous, ${leakItems.filter((o) => o.item.askedBy === 'OTHER').length} about another customer's order)${leaked.length ? ` — ${leaked.map((o) => `${o.item.id}: ${o.leaked.join(', ')}`).join('; ')}` : ''}`);
    if (showMistakes || showAnswers) {
      for (const o of outcomes.filter((x) => showAnswers || x.correct !== true)) {
        console.log(`    ${o.item.id} [${o.item.intent}→${o.reply.intent}] ${o.correct === null ? 'UNSCORABLE' : o.correct ? 'ok' : 'WRONG'} ${o.item.question}\n      ${o.why.join('; ') || '-'}\n      > ${o.reply.answer.replace(/\n/g, ' | ')}`);
      }
    }
  }
  if (correctRate < 0.85 || intentRate < 0.9 || leaked.length > 0) failed = true;
}
if (json && intentsOnly) console.log(JSON.stringify({ model: { temperature: model.temperature, threshold: model.threshold, crossValidation: model.crossValidation, trainMs }, offline: report }, null, 2));
if (failed) process.exitCode = 1;
