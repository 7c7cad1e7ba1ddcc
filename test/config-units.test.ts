import test from 'ava';
import { UnitError, parseDuration, parseRate, parseSize, wondershaperCapBps } from '../loader/units.js';

test('sizes: plain numbers are bytes, decimal and binary prefixes', (t) => {
  t.is(parseSize(1234), 1234);
  t.is(parseSize('1234'), 1234);
  t.is(parseSize('8B'), 8);
  t.is(parseSize('256KiB'), 262144);
  t.is(parseSize('50MB'), 50e6);
  t.is(parseSize('1.5GB'), 1.5e9);
  t.is(parseSize('32GiB'), 32 * 2 ** 30);
  t.is(parseSize('1kB'), 1000);
  t.is(parseSize('8Mbit'), 1e6);
  t.is(parseSize('0'), 0);
});

test('sizes: negative, unknown units and non-values are rejected with what was expected', (t) => {
  t.regex(t.throws(() => parseSize(-1), { instanceOf: UnitError }).message, /expected a non-negative size .* got -1/);
  t.regex(t.throws(() => parseSize('5 parsecs'), { instanceOf: UnitError }).message, /unknown unit 'parsecs'/);
  t.regex(t.throws(() => parseSize(true), { instanceOf: UnitError }).message, /got true/);
  t.throws(() => parseSize('MB'), { instanceOf: UnitError });
  t.throws(() => parseSize(Number.NaN), { instanceOf: UnitError });
});

test('rates: bytes and bits per second', (t) => {
  t.is(parseRate('50MB/s'), 50e6);
  t.is(parseRate('400Mbit/s'), 50e6);
  t.is(parseRate('10Gbit/s'), 1.25e9);
  t.is(parseRate('10Gbps'), 1.25e9);
  t.is(parseRate('1GiB/s'), 2 ** 30);
  t.is(parseRate('204800kbit'), 25.6e6);
  t.is(parseRate(1000), 1000);
  t.regex(t.throws(() => parseRate('50MB'), { instanceOf: UnitError }).message, /needs '\/s'/);
  t.regex(t.throws(() => parseRate('0MB/s'), { instanceOf: UnitError }).message, /positive rate/);
});

test('durations', (t) => {
  t.is(parseDuration('600s'), 600);
  t.is(parseDuration('5ms'), 0.005);
  t.is(parseDuration('50us'), 0.00005);
  t.is(parseDuration('50µs'), 0.00005);
  t.is(parseDuration('2min'), 120);
  t.is(parseDuration('1h'), 3600);
  t.is(parseDuration(1.5), 1.5);
  t.throws(() => parseDuration('-1s'), { instanceOf: UnitError });
  t.throws(() => parseDuration('5 fortnights'), { instanceOf: UnitError });
});

test('wondershaper caps: label x 8192 kbit, tc kbit = 1000 bit/s', (t) => {
  t.is(wondershaperCapBps(25), 204800 * 1000 / 8);
  t.is(wondershaperCapBps(50), 51.2e6);
  t.is(wondershaperCapBps(75), 614400 * 1000 / 8);
  t.is(wondershaperCapBps(100), 102.4e6);
  t.throws(() => wondershaperCapBps(0));
});
