import { Counter, Histogram, Registry } from 'prom-client';
import { boundCounter, boundHistogram } from './bound-series';

// The bound helpers write into prom-client's own series table; the exposition must be exactly what
// prom-client's public calls would have produced.
function pair() {
  const fast = new Registry();
  const slow = new Registry();
  const make = (registers: Registry[]) => ({
    counter: new Counter({ name: 'c_total', help: 'c', labelNames: ['method', 'status_code'], registers }),
    plain: new Counter({ name: 'p_total', help: 'p', registers }),
    histogram: new Histogram({ name: 'h_seconds', help: 'h', labelNames: ['endpoint'], buckets: [0.001, 0.01, 0.1], registers }),
    unlabelled: new Histogram({ name: 'u_seconds', help: 'u', buckets: [0.0005, 0.005], registers }),
  });
  return { fast: make([fast]), slow: make([slow]), text: async () => [await fast.metrics(), await slow.metrics()] };
}

describe('bound series', () => {
  it('gives the same exposition as prom-client for counters and histograms, labelled or not', async () => {
    const { fast, slow, text } = pair();
    const ok = boundCounter(fast.counter, { method: 'GET', status_code: '200' });
    const missing = boundCounter(fast.counter, { method: 'GET', status_code: '404' });
    const plain = boundCounter(fast.plain);
    const resolve = boundHistogram(fast.histogram, { endpoint: '/r' });
    const unlabelled = boundHistogram(fast.unlabelled);
    const values = [0, 0.0004, 0.001, 0.0011, 0.05, 0.1, 3, 42];
    for (const v of values) {
      ok();
      slow.counter.inc({ method: 'GET', status_code: '200' });
      resolve(v);
      slow.histogram.observe({ endpoint: '/r' }, v);
      unlabelled(v);
      slow.unlabelled.observe(v);
    }
    missing();
    slow.counter.inc({ method: 'GET', status_code: '404' });
    plain();
    plain();
    slow.plain.inc(2);
    const [a, b] = await text();
    expect(a).toBe(b);
    expect(a).toContain('h_seconds_bucket{le="0.01",endpoint="/r"} 4');
    expect(a).toContain('c_total{method="GET",status_code="404"} 1');
  });

  it('keeps counting into the table after a reset and shares a series with prom-client calls', async () => {
    const { fast } = pair();
    const inc = boundCounter(fast.counter, { method: 'POST', status_code: '201' });
    const observe = boundHistogram(fast.histogram, { endpoint: '/w' });
    inc();
    fast.counter.inc({ method: 'POST', status_code: '201' });
    observe(0.002);
    fast.counter.reset();
    fast.histogram.reset();
    inc();
    observe(0.2);
    const counter = await fast.counter.get();
    expect(counter.values).toEqual([{ labels: { method: 'POST', status_code: '201' }, value: 1 }]);
    const histogram = await fast.histogram.get();
    expect(histogram.values.find((v) => v.metricName === 'h_seconds_count')?.value).toBe(1);
    expect(histogram.values.find((v) => v.metricName === 'h_seconds_bucket' && (v.labels as Record<string, unknown>).le === '+Inf')?.value).toBe(1);
  });

  it('ignores a value that is not a finite number instead of poisoning the sum', async () => {
    const { fast } = pair();
    const observe = boundHistogram(fast.unlabelled);
    observe(NaN);
    observe(0.001);
    const histogram = await fast.unlabelled.get();
    expect(histogram.values.find((v) => v.metricName === 'u_seconds_sum')?.value).toBe(0.001);
  });
});
