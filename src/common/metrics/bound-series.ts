import { Counter, Histogram, LabelValues } from 'prom-client';

// One series of a prom-client metric, bound once, updated without per-call work.
//
// Why not prom-client's own `metric.labels(...)`: its bound child still validates the label set and
// builds the label hash string on every call (validateLabel + hashObject), and Histogram.observe also
// allocates a wrapper object: about 1 µs and garbage per call, several times on every resolve. These
// helpers find the series' entry in the metric's table once and then only add to it. The entry
// layout is prom-client 15's (`hashMap` of `{ labels, value }` / `{ labels, sum, count,
// bucketValues }`); bound-series.spec.ts compares the exposition with prom-client's own calls, so an
// upgrade that changes the layout fails there. reset() (a new table) is noticed and the series is
// found again; remove() of a bound series is not supported (nothing here calls it).

interface CounterEntry {
  labels: LabelValues<string>;
  value: number;
}

interface HistogramEntry {
  labels: LabelValues<string>;
  sum: number;
  count: number;
  bucketValues: Record<string, number>;
}

interface Table<E> {
  hashMap: Record<string, E>;
}

function sameLabels(a: LabelValues<string>, b: LabelValues<string>): boolean {
  const keys = Object.keys(b);
  if (Object.keys(a).length !== keys.length) return false;
  return keys.every((k) => String(a[k]) === String(b[k]));
}

function findEntry<E extends { labels: LabelValues<string> }>(table: Table<E>, labels: LabelValues<string>): E | undefined {
  return Object.values(table.hashMap).find((entry) => sameLabels(entry.labels, labels));
}

export type Increment = () => void;
export type Observe = (value: number) => void;

export function boundCounter(counter: Counter<string>, labels: LabelValues<string> = {}): Increment {
  const table = counter as unknown as Table<CounterEntry>;
  let map: Record<string, CounterEntry> | undefined;
  let entry: CounterEntry | undefined;
  const bind = (): CounterEntry => {
    let found = findEntry(table, labels);
    if (!found) {
      // Creates the series at 0 (and checks the label names once).
      if (Object.keys(labels).length) counter.inc(labels, 0);
      else counter.inc(0);
      found = findEntry(table, labels) as CounterEntry;
    }
    map = table.hashMap;
    return found;
  };
  return () => {
    if (table.hashMap !== map || !entry) entry = bind();
    entry.value += 1;
  };
}

export function boundHistogram(histogram: Histogram<string>, labels: LabelValues<string> = {}): Observe {
  const table = histogram as unknown as Table<HistogramEntry> & { upperBounds: readonly number[] };
  const bounds = [...table.upperBounds];
  // bucketValues is keyed by the bound as a string; converting once avoids a number-to-string per call.
  const keys = bounds.map(String);
  let map: Record<string, HistogramEntry> | undefined;
  let entry: HistogramEntry | undefined;
  const bind = (): HistogramEntry => {
    let found = findEntry(table, labels);
    if (!found) {
      histogram.zero(labels);
      found = findEntry(table, labels) as HistogramEntry;
    }
    map = table.hashMap;
    return found;
  };
  return (value: number) => {
    if (table.hashMap !== map || !entry) entry = bind();
    if (!Number.isFinite(value)) return;
    entry.sum += value;
    entry.count += 1;
    for (let i = 0; i < bounds.length; i++) {
      if (value <= bounds[i]) {
        entry.bucketValues[keys[i]] += 1;
        return;
      }
    }
  };
}
