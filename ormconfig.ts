import 'reflect-metadata';
import './src/config/dotenv';
import { join } from 'path';
import { DataSource } from 'typeorm';
import { databaseConfig } from './src/config/database.config';
import { buildTypeOrmOptions } from './src/infra/database/typeorm-options';

// DataSource for the TypeORM CLI (migration:run / revert / generate). The app builds its own from
// the same options; the schema only ever comes from these migrations.
export default new DataSource({
  ...buildTypeOrmOptions(databaseConfig()),
  migrations: [join(__dirname, 'migrations', '*.{ts,js}')],
});
