import test from 'ava';
import {
  Constant,
  Empirical,
  Exponential,
  LogNormal,
  Normal,
  RandomStreams,
  Uniform,
  makeDistribution,
  makeRng,
  type Distribution,
  type DistributionSpec,
  type Rng,
} from '../sim/engine/index.js';

const take = (rng: Rng, n: number) => Array.from({ length: n }, () => rng());

test('the same (seed, name) gives the same sequence', (t) => {
  const a = new RandomStreams(42).stream('arrivals');
  const b = new RandomStreams(42).stream('arrivals');
  t.deepEqual(take(a, 100), take(b, 100));
  t.deepEqual(take(makeRng(42, 'arrivals'), 5), take(new RandomStreams(42).stream('arrivals'), 5));
});

test('stream() returns the same stream object for a name, continuing its sequence', (t) => {
  const rs = new RandomStreams(1);
  const s = rs.stream('x');
  const first = s();
  t.is(rs.stream('x'), s);
  t.not(rs.stream('x')(), first);
});

test('adding a stream or drawing from another does not shift a stream', (t) => {
  const plain = new RandomStreams(9);
  const expected = take(plain.stream('service'), 50);

  const busy = new RandomStreams(9);
  const other = busy.stream('network'); // created first
  take(other, 1000); // heavily used
  const service = busy.stream('service');
  const got: number[] = [];
  for (let i = 0; i < 50; i++) {
    got.push(service());
    busy.stream(`new-${i}`)(); // a new consumer between draws
  }
  t.deepEqual(got, expected);
});

test('different seeds and different names give different sequences', (t) => {
  const a = take(new RandomStreams(1).stream('s'), 20);
  const b = take(new RandomStreams(2).stream('s'), 20);
  const c = take(new RandomStreams(1).stream('t'), 20);
  t.notDeepEqual(a, b);
  t.notDeepEqual(a, c);
  // string and number seeds are accepted; '1' and 1 name the same seed
  t.deepEqual(take(new RandomStreams('1').stream('s'), 20), a);
});

test('draws are uniform in [0, 1)', (t) => {
  const xs = take(makeRng(3, 'u'), 100_000);
  t.true(xs.every((x) => x >= 0 && x < 1));
  const mean = xs.reduce((s, x) => s + x, 0) / xs.length;
  t.true(Math.abs(mean - 0.5) < 0.005, `mean ${mean}`);
  // ten equal bins each get about a tenth
  const bins = new Array(10).fill(0);
  for (const x of xs) bins[Math.floor(x * 10)]++;
  for (const b of bins) t.true(Math.abs(b - 10_000) < 500, `bin ${b}`);
});

function stats(d: Distribution, n: number, seed = 11): { mean: number; sd: number; min: number } {
  const rng = makeRng(seed, d.describe());
  let s = 0;
  let s2 = 0;
  let min = Infinity;
  for (let i = 0; i < n; i++) {
    const x = d.sample(rng);
    s += x;
    s2 += x * x;
    if (x < min) min = x;
  }
  const mean = s / n;
  return { mean, sd: Math.sqrt(s2 / n - mean * mean), min };
}

const N = 200_000;
const cases: Array<[string, DistributionSpec, number, number]> = [
  // [label, spec, expected mean, expected sd]
  ['exponential', { kind: 'exponential', mean: 2.5 }, 2.5, 2.5],
  ['normal', { kind: 'normal', mean: 10, sd: 3 }, 10, 3],
  ['lognormal', { kind: 'lognormal', mean: 4, sd: 2 }, 4, 2],
  ['uniform', { kind: 'uniform', min: 2, max: 6 }, 4, 4 / Math.sqrt(12)],
  ['empirical', { kind: 'empirical', values: [1, 2, 10], weights: [1, 1, 2] }, 5.75, Math.sqrt((1 + 4 + 200) / 4 - 5.75 ** 2)],
];

for (const [label, spec, mean, sd] of cases) {
  test(`${label}: sample mean and sd within tolerance over ${N} seeded draws`, (t) => {
    const d = makeDistribution(spec);
    t.true(Math.abs(d.mean - mean) < 1e-12, `declared mean ${d.mean}`);
    const s = stats(d, N);
    // 4 standard errors of the mean: deterministic (seeded), and it would catch a wrong formula
    const se = sd / Math.sqrt(N);
    t.true(Math.abs(s.mean - mean) < 4 * se, `${label}: sample mean ${s.mean}, expected ${mean} +- ${4 * se}`);
    t.true(Math.abs(s.sd - sd) / sd < 0.02, `${label}: sample sd ${s.sd}, expected ${sd}`);
  });
}

test('lognormal and exponential never go negative; uniform stays in range', (t) => {
  t.true(stats(new LogNormal(1, 3), 50_000).min > 0);
  t.true(stats(new Exponential(1), 50_000).min >= 0);
  const u = new Uniform(-1, 1);
  const rng = makeRng(5, 'range');
  for (let i = 0; i < 10_000; i++) {
    const x = u.sample(rng);
    t.true(x >= -1 && x < 1);
  }
});

test('empirical picks only its values, in proportion to the weights', (t) => {
  const d = new Empirical([3, 7, 9], [0, 3, 1]);
  const rng = makeRng(8, 'emp');
  const counts = new Map<number, number>();
  for (let i = 0; i < 40_000; i++) {
    const x = d.sample(rng);
    counts.set(x, (counts.get(x) ?? 0) + 1);
  }
  t.is(counts.get(3), undefined, 'weight 0 is never drawn');
  t.deepEqual([...counts.keys()].sort(), [7, 9]);
  t.true(Math.abs(counts.get(7)! / 40_000 - 0.75) < 0.01);
  // without weights all values are equally likely
  t.is(new Empirical([1, 2, 3, 4]).mean, 2.5);
});

test('truncated normal never goes below min', (t) => {
  const d = makeDistribution({ kind: 'normal', mean: 1, sd: 2, min: 0 });
  t.true(stats(d, 20_000).min >= 0);
});

test('constant always returns its value and consumes no random numbers', (t) => {
  const d = makeDistribution({ kind: 'constant', value: 0.125 });
  t.true(d instanceof Constant);
  let draws = 0;
  const rng: Rng = () => {
    draws++;
    return 0.5;
  };
  for (let i = 0; i < 10; i++) t.is(d.sample(rng), 0.125);
  t.is(draws, 0);
  t.is(d.mean, 0.125);
});

test('the same seed gives the same samples for every distribution', (t) => {
  for (const [, spec] of cases) {
    const a = makeDistribution(spec);
    const r1 = makeRng(77, 'same');
    const r2 = makeRng(77, 'same');
    const xs = Array.from({ length: 100 }, () => a.sample(r1));
    const ys = Array.from({ length: 100 }, () => a.sample(r2));
    t.deepEqual(xs, ys);
  }
});

test('invalid parameters throw RangeError naming the distribution', (t) => {
  const bad: Array<[() => unknown, RegExp]> = [
    [() => new Exponential(0), /exponential/],
    [() => new Exponential(-1), /exponential/],
    [() => new Exponential(NaN), /exponential/],
    [() => new Uniform(2, 1), /uniform/],
    [() => new Normal(0, -1), /normal/],
    [() => new LogNormal(0, 1), /lognormal/],
    [() => new LogNormal(1, -1), /lognormal/],
    [() => new Empirical([]), /empirical/],
    [() => new Empirical([1, 2], [1]), /empirical/],
    [() => new Empirical([1, 2], [1, -1]), /empirical/],
    [() => new Empirical([1, 2], [0, 0]), /empirical/],
    [() => makeDistribution({ kind: 'exponential', mean: -3 }), /exponential/],
  ];
  for (const [f, msg] of bad) t.throws(f, { instanceOf: RangeError, message: msg });
});
