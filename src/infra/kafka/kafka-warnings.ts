// KafkaJS 2.2.4 (unmaintained) calls setTimeout with a negative delay while it is not throttled;
// Node has always run that after 1 ms, which is what KafkaJS expects, but Node 24 also prints a
// TimeoutNegativeWarning that looks like a fault to operators. Only that warning is dropped.
const emitWarning = process.emitWarning.bind(process) as (...args: unknown[]) => void;

process.emitWarning = ((warning: string | Error, ...rest: unknown[]) => {
  const name = warning instanceof Error ? warning.name : typeof rest[0] === 'string' ? rest[0] : (rest[0] as { type?: string } | undefined)?.type;
  if (name === 'TimeoutNegativeWarning') return;
  emitWarning(warning, ...rest);
}) as typeof process.emitWarning;
