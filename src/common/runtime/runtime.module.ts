import { Module } from '@nestjs/common';
import { makeCounterProvider, makeHistogramProvider } from '@willsoto/nestjs-prometheus';
import { METRIC } from '../metrics/metric-names';
import { MallocTrimmer } from './malloc-trim';

// What each process does for its own runtime, beside the requests it serves.
@Module({
  providers: [
    MallocTrimmer,
    makeHistogramProvider({
      name: METRIC.mallocTrim,
      help: "Duration of glibc's malloc_trim, run off the event loop every MALLOC_TRIM_INTERVAL_MS",
      buckets: [0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1],
    }),
    makeCounterProvider({
      name: METRIC.mallocTrimReleased,
      help: 'Resident memory given back to the kernel by malloc_trim (RSS before minus after; a lower bound)',
    }),
  ],
  exports: [MallocTrimmer],
})
export class RuntimeModule {}
