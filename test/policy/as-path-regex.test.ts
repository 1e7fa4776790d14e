/**
 * The AS-path text form and expression dialect (src/policy/as-path-regex.ts) without
 * daemons: FRR's path strings, `_` at every kind of boundary, the POSIX-ERE details the
 * translation handles, and where errors point. as-path-frr.test.ts checks the same dialect
 * against bgpd itself.
 */
import { strict as assert } from 'node:assert';
import { describe, it } from 'node:test';
import { asPathText, compileAsPathRegex, ereToJs } from '../../src/policy/as-path-regex.js';
import { AS_PATH_SEGMENT } from '../../src/wire/iana.js';
import { parsePath } from './helpers.js';

const matches = (re: string, path: string): boolean => {
  const r = compileAsPathRegex(re);
  if (!r.ok) throw new Error(`${re}: ${r.message}`);
  return r.regex.test(asPathText(parsePath(path)));
};

describe('path text (FRR aspath->str)', () => {
  it('sequences, sets, confederation segments, empty', () => {
    const { AS_SEQUENCE, AS_SET, AS_CONFED_SEQUENCE, AS_CONFED_SET } = AS_PATH_SEGMENT;
    assert.equal(asPathText([]), '');
    assert.equal(asPathText([{ type: AS_SEQUENCE, asns: [65001, 65002] }]), '65001 65002');
    assert.equal(asPathText([{ type: AS_SEQUENCE, asns: [1] }, { type: AS_SEQUENCE, asns: [2] }]), '1 2');
    assert.equal(asPathText([{ type: AS_SEQUENCE, asns: [65001] }, { type: AS_SET, asns: [65002, 65003] }]), '65001 {65002,65003}');
    assert.equal(asPathText([{ type: AS_CONFED_SEQUENCE, asns: [64512, 64513] }, { type: AS_SEQUENCE, asns: [1] }]), '(64512 64513) 1');
    assert.equal(asPathText([{ type: AS_CONFED_SET, asns: [64512, 64513] }, { type: AS_SET, asns: [4200000000] }]), '[64512,64513] {4200000000}');
    for (const t of ['65001 {65002,65003}', '(64512 64513) 1 2', '[1,2] (3) 4 {5}', '']) assert.equal(asPathText(parsePath(t)), t);
  });
});

describe('matching', () => {
  const TABLE: readonly [string, string, boolean][] = [
    ['_65000_', '65001 65000 65002', true],
    ['_65000_', '650001 165000', false],
    ['_65000_', '{65000,65001}', true],
    ['_65000_', '(65000) 1', true],
    ['_65000_', '[65000,1]', false], // `_` does not cover [ ] (FRR's magic class has no brackets)
    ['^65000_', '65000 1', true],
    ['^65000_', '1 65000', false],
    ['_65000$', '1 65000', true],
    ['^$', '', true],
    ['^$', '1', false],
    ['.*', '', true],
    ['_6500[0-9]_', '1 65007 2', true],
    ['_6500[0-9]_', '650070', false],
    ['^(65001_)+65002$', '65001 65001 65002', true],
    ['^(65001_)+65002$', '65002', false],
    ['_\\{?65003\\}?_', '1 {65003,65004}', true],
    ['65000', '650001', true],
    ['65001)', '(65001) 2', true],
    ['}', '{1}', true],
    ['0{,2}', '1', true],
    ['65001**', '65002', true],
    ['65001**', '6400', false],
    ['(65001) \\1', '65001 65001', true],
    ['(65001) \\1', '65001 65002', false],
    ['[]]', '[1]', true],
  ];
  for (const [re, path, want] of TABLE) it(`${re} on "${path}" → ${want}`, () => assert.equal(matches(re, path), want));
});

describe('translation (POSIX ERE → JS)', () => {
  it('literal braces and parens, stacked operators, {,n}, bracket rules', () => {
    assert.equal(ereToJs('a)'), 'a\\)');
    assert.equal(ereToJs('}'), '\\}');
    assert.equal(ereToJs('1**'), '(?:1*)*');
    assert.equal(ereToJs('1+?'), '(?:1+)?');
    assert.equal(ereToJs('0{,2}'), '0{0,2}');
    assert.equal(ereToJs('0{2}'), '0{2}');
    assert.equal(ereToJs('[]a]'), '[\\]a]');
    assert.equal(ereToJs('[\\.]'), '[\\\\.]');
    assert.equal(ereToJs('[^-0-9]'), '[^\\-0-9]');
    assert.equal(ereToJs('\\,'), ',');
  });
  it('errors name the character in the expression as written', () => {
    const err = (re: string): string => {
      const r = compileAsPathRegex(re);
      assert.ok(!r.ok, re);
      return r.message;
    };
    assert.equal(err('_{2'), "'{' at character 2 does not start an interval like {2}, {1,3} or {2,}; write \\{ for a brace");
    assert.equal(err('^*'), '"*" at character 2 has nothing to repeat');
    assert.equal(err('1 [9-0]'), 'the range 9-0 at character 4 is out of order');
    assert.equal(err('[12'), 'the [ at character 1 is never closed');
    assert.equal(err('0{3,1}'), 'the interval {3,1} has its bounds the wrong way round');
    assert.equal(err('1{40000}'), 'the interval {40000} exceeds 32767');
    assert.equal(err('\\'), 'a trailing backslash escapes nothing');
    assert.equal(err(''), 'an empty expression; use .* to match every path or ^$ for the empty path');
    assert.match(err('\\1'), /Invalid/);
  });
});
