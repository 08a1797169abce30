import { promises as fs } from 'fs';
import { dirname, join, basename } from 'path';

export interface SnapshotRoute {
  key: string;
  url: string;
  revision: number;
  confirmedAt: number;
}

interface SnapshotDocument {
  format: 1;
  saved_at: string;
  routes: Array<{ route: string; url: string; revision: number; confirmed_at: string }>;
}

// The last-known-good file: the routes the client held, so a process that starts while Traffic
// Manager is unreachable can still route (as Eureka's BackupRegistry or an Unleash backup file).
// Written to a temporary file in the same directory and renamed over the old one, so a crash while
// writing leaves the previous file whole.
export class SnapshotFile {
  constructor(readonly path: string) {}

  async read(): Promise<SnapshotRoute[] | null> {
    let text: string;
    try {
      text = await fs.readFile(this.path, 'utf8');
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return null;
      throw err;
    }
    const document = JSON.parse(text) as SnapshotDocument;
    if (document?.format !== 1 || !Array.isArray(document.routes)) throw new Error(`${this.path} is not a Traffic Manager snapshot (format 1)`);
    return document.routes
      .filter((route) => typeof route.route === 'string' && typeof route.url === 'string' && Number.isInteger(route.revision))
      .map((route) => ({ key: route.route, url: route.url, revision: route.revision, confirmedAt: Date.parse(route.confirmed_at) || 0 }));
  }

  async write(routes: SnapshotRoute[], now = new Date()): Promise<void> {
    const document: SnapshotDocument = {
      format: 1,
      saved_at: now.toISOString(),
      routes: routes.map((route) => ({
        route: route.key,
        url: route.url,
        revision: route.revision,
        confirmed_at: new Date(route.confirmedAt).toISOString(),
      })),
    };
    const temporary = join(dirname(this.path), `.${basename(this.path)}.${process.pid}.tmp`);
    await fs.writeFile(temporary, JSON.stringify(document));
    await fs.rename(temporary, this.path);
  }
}
