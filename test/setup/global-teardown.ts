import { existsSync, readFileSync, statSync } from 'fs';
import { join } from 'path';

const TMP = join(__dirname, '..', '..', '.tmp');
const FAILURE = 'MongoLauncher: MVStore failure';

// Prints why the MongoDB stand-in's store failed, if it did during this run (infra/mongo/MongoLauncher.java
// logs it; afterwards every command answers "This store is closed"), so a CI log shows the cause next
// to the tests that failed from it. The log of the stand-in's previous start is `mongo.log.1`.
export default function globalTeardown(): void {
  const startedAt = Number(process.env.TM_E2E_STARTED_AT ?? 0);
  for (const name of ['mongo.log.1', 'mongo.log']) {
    const file = join(TMP, name);
    if (!existsSync(file) || statSync(file).mtimeMs < startedAt) continue;
    const lines = readFileSync(file, 'utf8').split('\n');
    lines.forEach((line, i) => {
      if (line.startsWith(FAILURE)) console.error(`\n[e2e teardown] .tmp/${name}:\n${lines.slice(i, i + 25).join('\n')}`);
    });
  }
}
