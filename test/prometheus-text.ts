/**
 * A strict parser of the Prometheus text exposition format 0.0.4, for the tests (prom-client has
 * none, and the parsers on npm are unmaintained). Every line must be a HELP, a TYPE, a comment or a
 * sample of a family declared by its TYPE line (histograms: `_bucket`, `_sum`, `_count`); label
 * values are unescaped; anything else throws with the line.
 */
export interface Sample {
  name: string;
  labels: Record<string, string>;
  value: number;
}
export interface Family {
  name: string;
  type: 'counter' | 'gauge' | 'histogram' | 'summary' | 'untyped';
  help: string;
  samples: Sample[];
}

const NAME = '[a-zA-Z_:][a-zA-Z0-9_:]*';
const LABEL = `([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\\\\\n]|\\\\[\\\\"n])*)"`;
const SAMPLE = new RegExp(`^(${NAME})(?:\\{((?:${LABEL})(?:,${LABEL})*,?)?\\})? (\\S+)(?: (-?\\d+))?$`);
const SUFFIXES: Record<Family['type'], string[]> = { counter: [''], gauge: [''], untyped: [''], histogram: ['_bucket', '_sum', '_count'], summary: ['', '_sum', '_count'] };

/** As Prometheus reads values (Go's ParseFloat: Inf and NaN in any case; prom-client writes `Nan`). */
function parseValue(s: string, line: string): number {
  if (/^\+?inf$/i.test(s)) return Infinity;
  if (/^-inf$/i.test(s)) return -Infinity;
  if (/^nan$/i.test(s)) return NaN;
  if (!/^-?(\d+\.?\d*|\.\d+)([eE][-+]?\d+)?$/.test(s)) throw new Error(`bad value in: ${line}`);
  return Number(s);
}

export function parsePrometheusText(text: string): Map<string, Family> {
  const families = new Map<string, Family>();
  const family = (name: string) => {
    let f = families.get(name);
    if (!f) families.set(name, (f = { name, type: 'untyped', help: '', samples: [] }));
    return f;
  };
  const typed = new Set<string>();
  for (const line of text.split('\n')) {
    if (line === '') continue;
    let m: RegExpExecArray | null;
    if ((m = new RegExp(`^# HELP (${NAME}) (.*)$`).exec(line))) {
      family(m[1]!).help = m[2]!.replace(/\\n/g, '\n').replace(/\\\\/g, '\\');
    } else if ((m = new RegExp(`^# TYPE (${NAME}) (counter|gauge|histogram|summary|untyped)$`).exec(line))) {
      if (typed.has(m[1]!)) throw new Error(`second TYPE for ${m[1]}`);
      typed.add(m[1]!);
      family(m[1]!).type = m[2] as Family['type'];
    } else if (line.startsWith('#')) {
      continue;
    } else if ((m = SAMPLE.exec(line))) {
      const name = m[1]!;
      const labels: Record<string, string> = {};
      if (m[2]) {
        for (const lm of m[2].matchAll(new RegExp(LABEL, 'g'))) {
          if (lm[1]! in labels) throw new Error(`repeated label in: ${line}`);
          labels[lm[1]!] = lm[2]!.replace(/\\(["\\n])/g, (_, c: string) => (c === 'n' ? '\n' : c));
        }
      }
      const owner = [...typed].find((f) => SUFFIXES[families.get(f)!.type].some((s) => name === f + s));
      if (!owner) throw new Error(`sample of an undeclared family: ${line}`);
      families.get(owner)!.samples.push({ name, labels, value: parseValue(m[m.length - 2]!, line) });
    } else {
      throw new Error(`not exposition format: ${JSON.stringify(line)}`);
    }
  }
  return families;
}

/** The value of the sample `name` whose labels include `labels` (0 when there is none). */
export function sampleValue(families: Map<string, Family>, family: string, name: string, labels: Record<string, string> = {}): number {
  const f = families.get(family);
  if (!f) throw new Error(`no family ${family}`);
  const s = f.samples.find((x) => x.name === name && Object.entries(labels).every(([k, v]) => x.labels[k] === v));
  return s?.value ?? 0;
}
