// Resolves with `work`, or fails once `ms` have passed without an answer: "nothing hangs past the
// configured timeout", asserted without measuring anything finer than that timeout.
export async function within<T>(ms: number, work: Promise<T>, what = 'an answer'): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const expired = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`no ${what} within ${ms} ms`)), ms);
  });
  try {
    return await Promise.race([work, expired]);
  } finally {
    clearTimeout(timer);
  }
}
