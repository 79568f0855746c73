/**
 * The parts of prom-client the functions use, each from its own module. prom-client's index also loads the
 * Pushgateway (and with it zlib and an HTTP client), the cluster aggregator and the Summary with its t-digest,
 * which no function uses: about 1 MiB resident in an idle function. The types are prom-client's own.
 */
import type {
  collectDefaultMetrics as collectDefaultMetricsFunction,
  Counter as CounterClass,
  Gauge as GaugeClass,
  Histogram as HistogramClass,
  Registry as RegistryClass,
} from 'prom-client';
import CounterModule from 'prom-client/lib/counter.js';
import collectDefaultMetricsModule from 'prom-client/lib/defaultMetrics.js';
import GaugeModule from 'prom-client/lib/gauge.js';
import HistogramModule from 'prom-client/lib/histogram.js';
import RegistryModule from 'prom-client/lib/registry.js';

export const Counter = CounterModule as typeof CounterClass;
export type Counter<T extends string = string> = CounterClass<T>;
export const Gauge = GaugeModule as typeof GaugeClass;
export type Gauge<T extends string = string> = GaugeClass<T>;
export const Histogram = HistogramModule as typeof HistogramClass;
export type Histogram<T extends string = string> = HistogramClass<T>;
export const Registry = RegistryModule as typeof RegistryClass;
export type Registry = RegistryClass;
export const collectDefaultMetrics = collectDefaultMetricsModule as typeof collectDefaultMetricsFunction;
