/**
 * The repository is self-contained: every link in README.md and docs/*.md is relative and resolves to a
 * file of this repository (and a #fragment to a heading of it), and no text sends the reader to a
 * folder beside the checkout (`../shared`) or to a path of one particular machine (`/work/...`).
 */
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const docs = ['README.md', ...readdirSync(path.join(root, 'docs')).filter((f) => f.endsWith('.md')).map((f) => `docs/${f}`)];

/** The text outside fenced code blocks and inline code spans (links there are not links). */
function prose(markdown: string): string {
  return markdown.replace(/^(```|~~~)[^\n]*\n[\s\S]*?^\1[^\n]*$/gm, '').replace(/(`+)[\s\S]*?\1/g, '');
}

/** Link targets: inline [text](target "title"), images, reference definitions, and HTML href/src. */
function links(markdown: string): string[] {
  const text = prose(markdown);
  const found: string[] = [];
  for (const m of text.matchAll(/\]\(\s*<?([^)\s>]+)>?(?:\s+"[^"]*")?\s*\)/g)) found.push(m[1]!);
  for (const m of text.matchAll(/^\s{0,3}\[[^\]]+\]:\s*<?(\S+?)>?(?:\s|$)/gm)) found.push(m[1]!);
  for (const m of text.matchAll(/\s(?:href|src)\s*=\s*["']([^"']+)["']/g)) found.push(m[1]!);
  return found;
}

/** GitHub's heading ids: lower case, punctuation dropped, spaces to hyphens, repeats numbered. */
function headingIds(markdown: string): Set<string> {
  const ids = new Set<string>();
  const seen = new Map<string, number>();
  for (const m of markdown.replace(/^(```|~~~)[^\n]*\n[\s\S]*?^\1[^\n]*$/gm, '').matchAll(/^#{1,6}\s+(.+?)\s*#*\s*$/gm)) {
    const base = m[1]!
      .toLowerCase()
      .replace(/[^\p{L}\p{N}\s_-]/gu, '')
      .replace(/\s/g, '-');
    const n = seen.get(base) ?? 0;
    seen.set(base, n + 1);
    ids.add(n ? `${base}-${n}` : base);
  }
  return ids;
}

/** What is wrong with `target` linked from `file`, or null. */
function problem(file: string, target: string): string | null {
  if (/^[a-z][a-z0-9+.-]*:/i.test(target) || target.startsWith('//')) return 'points outside the repository (absolute URL)';
  if (target.startsWith('/')) return 'is an absolute path';
  const [rawPath, fragment] = target.split('#', 2) as [string, string | undefined];
  const resolved = rawPath ? path.resolve(root, path.dirname(file), decodeURI(rawPath)) : path.join(root, file);
  const rel = path.relative(root, resolved);
  if (rel.startsWith('..') || path.isAbsolute(rel)) return 'points outside the repository';
  if (/^(node_modules|dist|\.data|coverage)(\/|$)/.test(rel)) return 'points into a folder that is not committed';
  if (!existsSync(resolved)) return 'does not exist';
  if (fragment && statSync(resolved).isFile() && rel.endsWith('.md')) {
    if (!headingIds(readFileSync(resolved, 'utf8')).has(fragment)) return `has no heading #${fragment}`;
  }
  return null;
}

describe('README.md and docs/*.md are self-contained', () => {
  it('every link is relative and resolves to a file (and heading) of this repository', () => {
    const bad: string[] = [];
    let count = 0;
    for (const file of docs) {
      for (const target of links(readFileSync(path.join(root, file), 'utf8'))) {
        count++;
        const why = problem(file, target);
        if (why) bad.push(`${file}: (${target}) ${why}`);
      }
    }
    expect(bad).toEqual([]);
    // The README's links to the container files and the example client are among those checked.
    expect(count).toBeGreaterThanOrEqual(3);
  });

  it('finds the README links it must check (the check above would pass vacuously otherwise)', () => {
    const readme = links(readFileSync(path.join(root, 'README.md'), 'utf8'));
    expect(readme).toEqual(expect.arrayContaining(['Dockerfile', 'compose.yaml', 'examples/watch-order.ts']));
  });

  it('no text points to a folder beside the checkout or to one machine’s paths', () => {
    const bad = docs.flatMap((file) =>
      readFileSync(path.join(root, file), 'utf8')
        .split('\n')
        .flatMap((line, i) => (/\.\.\/shared\b|(^|[\s`'"(=])\/work\//.test(line) ? [`${file}:${i + 1}: ${line.trim()}`] : [])),
    );
    expect(bad).toEqual([]);
  });

  it('the checker itself: rejects links out of the repository, to missing files and to missing headings', () => {
    expect(problem('README.md', '../shared/data/vrp')).toMatch(/outside/);
    expect(problem('docs/architecture.md', '../../elsewhere.md')).toMatch(/outside/);
    expect(problem('README.md', 'https://example.com/')).toMatch(/outside/);
    expect(problem('README.md', 'docs/no-such-file.md')).toBe('does not exist');
    expect(problem('README.md', '#no-such-heading')).toMatch(/no heading/);
    expect(problem('README.md', '#running-in-containers')).toBeNull();
    expect(problem('docs/vrp-results.md', '../README.md#test-it')).toBeNull();
    expect(links('see [a](x.md) and `[b](y.md)`\n```\n[c](z.md)\n```\n[d]: w.md')).toEqual(['x.md', 'w.md']);
  });
});
