/** The nesting scan that runs before parsing (document-rules.ts). */
import { describe, expect, it } from 'vitest';
import { nestingDepthExceeds } from './document-rules.js';

describe('nestingDepthExceeds', () => {
  it('counts { [ ( together and stops at the limit', () => {
    expect(nestingDepthExceeds('{ a(b: [[1]]) { c } }', 5)).toBe(false);
    expect(nestingDepthExceeds('{ a(b: [[[[1]]]]) { c } }', 5)).toBe(true);
    expect(nestingDepthExceeds(`{ a(b: ${'['.repeat(2000)}1${']'.repeat(2000)}) }`, 100)).toBe(true);
  });

  it('ignores brackets inside strings, block strings and comments', () => {
    const many = '[[[[[[[[[[';
    expect(nestingDepthExceeds(`{ a(b: "${many}") }`, 3)).toBe(false);
    expect(nestingDepthExceeds(`{ a(b: "x\\"${many}") }`, 3)).toBe(false);
    expect(nestingDepthExceeds(`{ a(b: """${many} \\""" ${many}""") }`, 3)).toBe(false);
    expect(nestingDepthExceeds(`{ a(b: "") # ${many}\n }`, 3)).toBe(false);
    expect(nestingDepthExceeds(`{ a(b: """""") ${many} }`, 3)).toBe(true);
  });
});
