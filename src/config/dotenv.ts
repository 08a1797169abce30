import { config } from 'dotenv';
import { resolve } from 'path';

// Imported first by every entry point (API, consumer, TypeORM CLI): ./.env must be in process.env
// before any module evaluates its configuration. Variables already set in the environment win.
config({ path: resolve(process.cwd(), '.env'), quiet: true });
