// A test database template as one file that an in-memory PGlite starts from without untarring.
//
// PGlite's own way (`loadDataDir`, a tar from dumpDataDir) cost a test process about 1 s of CPU
// per database: the file read through a Blob, tinytar's parse (a string per header field, a copy
// per file), a second copy of each file into PGlite's memory file system, a directory look-up per
// path prefix, and a crash recovery at start, the dump being taken from a running database.
// Here the template is a cleanly shut-down data folder packed once per run (make-templates.ts):
// a JSON index and the files' bytes, each without its trailing zeros (8 MB of the 41: most pages
// end in free space, and the WAL segment is 16 MB). Each database reads the file afresh into a
// buffer of its own and hands PGlite's file system views of it (`canOwn`: no copy; the buffer
// belongs to that database alone, so its writes stay its own). Measured: see docs/performance.md, "pgliteboot".
import { closeSync, openSync, readFileSync, readSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { MemoryFS, type PGliteOptions } from '@electric-sql/pglite';

interface Entry {
  /** Path inside the data folder, `/`-separated. */
  path: string;
  dir?: true;
  /** The file's size, and how many of its first bytes are stored (the rest are zeros). */
  size?: number;
  stored?: number;
}

/** Packs a data folder (a PGlite closed cleanly) into `file`. Parents come before their contents. */
export function writeImage(dataDir: string, file: string): void {
  const entries: Entry[] = [];
  const chunks: Uint8Array[] = [];
  const walk = (relative: string) => {
    for (const name of readdirSync(path.join(dataDir, relative)).sort()) {
      const child = relative ? `${relative}/${name}` : name;
      if (statSync(path.join(dataDir, child)).isDirectory()) {
        entries.push({ path: child, dir: true });
        walk(child);
        continue;
      }
      const bytes = readFileSync(path.join(dataDir, child));
      let stored = bytes.length;
      while (stored > 0 && bytes[stored - 1] === 0) stored--;
      entries.push({ path: child, size: bytes.length, stored });
      chunks.push(bytes.subarray(0, stored));
    }
  };
  walk('');
  const index = Buffer.from(JSON.stringify(entries));
  const length = Buffer.alloc(4);
  length.writeUInt32LE(index.length);
  writeFileSync(file, Buffer.concat([length, index, ...chunks]));
}

/** A file system for `PGlite.create({ fs })` that starts as a copy of the image's data folder. */
export function imageFileSystem(file: string): NonNullable<PGliteOptions['fs']> {
  return new ImageFS(file);
}

class ImageFS extends MemoryFS {
  private readonly file: string;

  constructor(file: string) {
    super();
    this.file = file;
  }

  /** Called by PGlite once its file system exists, before it looks for a database in it. */
  override async initialSyncFs(): Promise<void> {
    const mod = this.pg!.Module;
    const FS = mod.FS;
    const pgdata: string = mod.ENV.PGDATA;
    const fd = openSync(this.file, 'r');
    try {
      const length = Buffer.alloc(4);
      readSync(fd, length, 0, 4, 0);
      const index = Buffer.alloc(length.readUInt32LE(0));
      readSync(fd, index, 0, index.length, 4);
      const entries = JSON.parse(index.toString('utf8')) as Entry[];
      // One zeroed buffer for every file at its full size: each file's stored bytes are read into
      // its place and the trailing zeros are left untouched (a buffer per file, 1,245 of them,
      // cost more in allocation and garbage collection than the rest of the start).
      const sizes = entries.reduce((sum, entry) => sum + (entry.size ?? 0), 0);
      const contents = new Uint8Array(sizes);
      let position = 4 + index.length;
      let offset = 0;
      FS.mkdirTree(pgdata);
      for (const entry of entries) {
        const target = `${pgdata}/${entry.path}`;
        if (entry.dir) {
          FS.mkdir(target);
          continue;
        }
        readSync(fd, contents, offset, entry.stored!, position);
        position += entry.stored!;
        FS.writeFile(target, contents.subarray(offset, offset + entry.size!), { canOwn: true });
        offset += entry.size!;
      }
    } finally {
      closeSync(fd);
    }
  }
}
