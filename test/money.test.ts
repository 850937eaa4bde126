/**
 * The money helpers (src/money/decimal.ts), value by value with hand-computed
 * expectations: which amounts are accepted (boundaries of digits and
 * decimals), the message for each kind of refusal, rounding in each mode at
 * the half, and money text.
 */
import { describe, expect, it } from 'vitest';
import { amountProblem, Dec, formatMoney, formatPlain, plus, roundMoney, toDec, ZERO } from '../src/money/decimal.js';

describe('amountProblem: accepted', () => {
  it.each([
    '0', '0.5', '4.00', '123456789012345', '123456789012345.123456', '0.000001', '10',
  ])('the string %s', (s) => expect(amountProblem(s)).toBeUndefined());

  it.each([0, 7, 999_999_999_999_999, 0.5, 12.345678, 0.000001, 1234.5])('the number %s', (n) => {
    expect(amountProblem(n)).toBeUndefined();
  });

  it('more decimals when the caller allows them; fewer when it does not', () => {
    expect(amountProblem('1.1234567', 7)).toBeUndefined();
    expect(amountProblem('1.12', 1)).toBe('has 2 decimals; at most 1 are allowed');
    expect(amountProblem('1.1', 1)).toBeUndefined();
    expect(amountProblem('5', 2)).toBeUndefined(); // an integer, checked by the long way
    expect(amountProblem(1234567890.12345)).toBeUndefined(); // exactly 15 significant digits
    expect(amountProblem(1.12, 1)).toBe('has 2 decimals; at most 1 are allowed');
    expect(amountProblem(1.1234567, 7)).toBeUndefined();
  });
});

describe('amountProblem: refused, with the reason', () => {
  it.each([
    ['1234567890123456', '"1234567890123456" has more than 15 digits before the decimal point'],
    ['1.1234567', 'has 7 decimals; at most 6 are allowed'],
    ['1'.repeat(41), 'is too long for an amount'],
    // 40 characters is not yet too long: the next check speaks
    ['1'.repeat(40), `"${'1'.repeat(40)}" has more than 15 digits before the decimal point`],
    [`0.${'1'.repeat(38)}`, 'has 38 decimals; at most 6 are allowed'],
    [' 4.00', '" 4.00" has spaces around it; write "4.00"'],
    ['-1', '"-1" is negative; amounts are ≥ 0'],
    ['+5', '"+5" has a sign; write "5"'],
    ['NaN', '"NaN" is not a number'],
    ['-Infinity', '"-Infinity" is negative; amounts are ≥ 0'],
    ['inf', '"inf" is not a number'],
    ['.inf', '".inf" is not a number'],
    ['.25', '".25" needs a leading zero: "0.25"'],
    ['0x10', '"0x10" is hex/octal/binary; write a plain decimal'],
    ['0b1', '"0b1" is hex/octal/binary; write a plain decimal'],
    ['1e3', '"1e3" uses exponent notation; write the plain decimal'],
    ['1.5E-2', '"1.5E-2" uses exponent notation; write the plain decimal'],
    ['1,000', '"1,000" has separators; write digits with a "." for decimals, e.g. "1234.50"'],
    ['1_000', '"1_000" has separators; write digits with a "." for decimals, e.g. "1234.50"'],
    ['.5', '".5" needs a leading zero: "0.5"'],
    ['007', '"007" has leading zeros'],
    ['4.', '"4." is not a decimal amount such as "4.00"'],
    ['abc', '"abc" is not a decimal amount such as "4.00"'],
    // each rule looks at the whole text, not a part of it (mutation check: anchors)
    ['5+', '"5+" is not a decimal amount such as "4.00"'],
    ['nanx', '"nanx" is not a decimal amount such as "4.00"'],
    ['xinf', '"xinf" is not a decimal amount such as "4.00"'],
    ['x.inf', '"x.inf" is not a decimal amount such as "4.00"'],
    ['10x5', '"10x5" is not a decimal amount such as "4.00"'],
    ['x1e5', '"x1e5" is not a decimal amount such as "4.00"'],
    ['1e5x', '"1e5x" is not a decimal amount such as "4.00"'],
    ['1e55', '"1e55" uses exponent notation; write the plain decimal'],
    ['1.05x', '"1.05x" is not a decimal amount such as "4.00"'],
    // exactly 15 digits before the point is allowed: the decimals are what is wrong here
    ['123456789012345.1234567', 'has 7 decimals; at most 6 are allowed'],
    ['', '"" is not a decimal amount such as "4.00"'],
  ])('the string %j', (s, why) => expect(amountProblem(s)).toBe(why));

  it.each([
    [-1, '-1 is negative; amounts are ≥ 0'],
    [-0.5, '-0.5 is negative; amounts are ≥ 0'],
    [Number.NaN, 'is not a finite number'],
    [Number.POSITIVE_INFINITY, 'is not a finite number'],
    [1e21, '1e+21 is too large for a number; write it as a decimal string'],
    [1e-7, '1e-7 has more than 6 decimals; at most 6 are allowed'],
    [1_000_000_000_000_000, 'the number 1000000000000000 has more than 15 significant digits and may have lost precision; write it as a decimal string'],
    [1234567890.1234567, 'the number 1234567890.1234567 has more than 15 significant digits and may have lost precision; write it as a decimal string'],
    [0.1234567, 'has 7 decimals; at most 6 are allowed'],
  ])('the number %s', (n, why) => expect(amountProblem(n)).toBe(why));

  it.each([[null], [undefined], [true], [[]], [{}]])('%j is not an amount at all', (v) => {
    expect(amountProblem(v)).toBe('must be a decimal string such as "4.00"');
  });
});

describe('rounding and money text', () => {
  it.each([
    // value, scale, half-up, half-even, down
    ['2.345', 2, '2.35', '2.34', '2.34'],
    ['2.355', 2, '2.36', '2.36', '2.35'],
    ['2.3449999', 2, '2.34', '2.34', '2.34'],
    ['0.005', 2, '0.01', '0', '0'],
    ['0.015', 2, '0.02', '0.02', '0.01'],
    ['7.5', 0, '8', '8', '7'],
    ['8.5', 0, '9', '8', '8'],
    ['24.9975', 3, '24.998', '24.998', '24.997'],
  ] as const)('%s to %i decimals', (v, scale, up, even, down) => {
    expect(roundMoney(new Dec(v), scale, 'half-up').toFixed()).toBe(up);
    expect(roundMoney(new Dec(v), scale, 'half-even').toFixed()).toBe(even);
    expect(roundMoney(new Dec(v), scale, 'down').toFixed()).toBe(down);
  });

  it('formatMoney pads to the scale, keeps more decimals when exact, never uses exponents', () => {
    expect(formatMoney(new Dec('5'), 2)).toBe('5.00');
    expect(formatMoney(new Dec('5.1'), 2)).toBe('5.10');
    expect(formatMoney(new Dec('5.12'), 2)).toBe('5.12');
    expect(formatMoney(new Dec('24.9975'), 2)).toBe('24.9975');
    expect(formatMoney(new Dec('0'), 0)).toBe('0');
    expect(formatMoney(new Dec('3'), 0)).toBe('3');
    expect(formatMoney(new Dec('1e25'), 2)).toBe('10000000000000000000000000.00');
    expect(formatMoney(new Dec('1e-12'), 2)).toBe('0.000000000001');
    expect(formatPlain(new Dec('12.50'))).toBe('12.5');
    expect(formatPlain(new Dec('1e30'))).toBe('1000000000000000000000000000000');
  });

  it('sums of many cents stay exact; a number becomes the decimal it prints as', () => {
    let sum = new Dec(0);
    for (let i = 0; i < 10_000; i++) sum = sum.plus(toDec('0.01'));
    expect(sum.toFixed()).toBe('100');
    expect(toDec(0.1).plus(toDec(0.2)).toFixed()).toBe('0.3');
    expect(new Dec('123456789012345.123456').times('123456789012345.123456').toFixed())
      .toBe('15241578753238699603525087641.143881383936' /* by Python's decimal, 80 digits */);
  });

  it('plus adds exactly, and adding zero gives the other operand itself', () => {
    const a = new Dec('19.95');
    expect(plus(a, ZERO)).toBe(a);
    expect(plus(ZERO, a)).toBe(a);
    expect(plus(a, new Dec('0.00'))).toBe(a);
    expect(plus(a, new Dec('0.05')).toFixed()).toBe('20');
    expect(plus(new Dec('999999999999999.999999'), new Dec('0.000001')).toFixed()).toBe('1000000000000000');
  });

  it('toDec parses an amount once: the same text gives the same (immutable) Decimal, whatever was parsed between', () => {
    const first = toDec('19.95');
    expect(toDec('19.95')).toBe(first);
    expect(toDec(3)).toBe(toDec(3));
    // 1 and "1.0" are two inputs with one value
    expect(toDec('1.0').toFixed()).toBe('1');
    expect(toDec(1).toFixed()).toBe('1');
    // more distinct amounts than it keeps: every one still parses to its own value
    for (let i = 0; i < 5000; i++) expect(toDec(`${i}.01`).toFixed()).toBe(`${i}.01`);
    expect(toDec('19.95').toFixed()).toBe('19.95');
    expect(first.toFixed()).toBe('19.95');
  });
});
