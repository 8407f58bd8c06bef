/**
 * Real labelled text: the one-line description of each Debian package, labelled with its
 * Section (e.g. `python`, `libs`, `games`). Read from `apt-cache dumpavail` (which also
 * decompresses the lz4 lists) as a stream of RFC 822-style stanzas; packages are deduplicated
 * by name (first stanza wins) and a section's `area/` prefix (`contrib/`, `non-free/`) is dropped.
 */
import { spawn } from 'node:child_process';
import { createInterface } from 'node:readline';
import type { Readable } from 'node:stream';
import { DataSourceError } from '../data-errors.ts';
import type { OpenedSource, SourceRecord } from '../sources/source-record.ts';

interface Stanza {
  Package?: string;
  Section?: string;
  Description?: string;
}

/** Parses stanzas from a Packages-format text stream; only the fields needed here. */
export async function* packageStanzas(input: Readable): AsyncIterable<Stanza> {
  let current: Stanza = {};
  for await (const line of createInterface({ input, crlfDelay: Infinity })) {
    if (line === '') {
      if (current.Package) yield current;
      current = {};
      continue;
    }
    if (line.startsWith(' ') || line.startsWith('\t')) continue; // continuation (long description)
    const colon = line.indexOf(':');
    if (colon <= 0) continue;
    const key = line.slice(0, colon);
    if (key === 'Package' || key === 'Section' || key === 'Description')
      current[key] = line.slice(colon + 1).trim();
  }
  if (current.Package) yield current;
}

export async function openDebianPackagesSample(options: {
  limit?: number;
  input?: Readable;
}): Promise<OpenedSource> {
  let input = options.input;
  let child: ReturnType<typeof spawn> | undefined;
  if (!input) {
    child = spawn('apt-cache', ['dumpavail'], { stdio: ['ignore', 'pipe', 'pipe'] });
    const started = await new Promise<boolean>((resolve) => {
      child!.once('spawn', () => resolve(true));
      child!.once('error', () => resolve(false));
    });
    if (!started || !child.stdout) {
      throw new DataSourceError(
        'sample_unavailable',
        'the Debian package index is unavailable: `apt-cache` is not installed (needs a Debian/Ubuntu system)',
        {},
      );
    }
    input = child.stdout;
  }
  const seen = new Set<string>();
  const limit = options.limit ?? Infinity;
  async function* records(): AsyncIterable<SourceRecord> {
    let row = 0;
    try {
      for await (const stanza of packageStanzas(input!)) {
        if (row >= limit) break;
        if (!stanza.Package || !stanza.Section || !stanza.Description || seen.has(stanza.Package)) continue;
        seen.add(stanza.Package);
        row += 1;
        yield { values: { text: stanza.Description, label: stanza.Section.replace(/^[^/]+\//, '') }, row };
      }
      if (row === 0) {
        throw new DataSourceError(
          'sample_unavailable',
          'the Debian package index is empty: run `apt-get update` first (apt-cache dumpavail printed no packages)',
          {},
        );
      }
    } finally {
      child?.kill();
    }
  }
  return {
    format: 'sample:debian-packages',
    columns: ['text', 'label'],
    records: records(),
    description: { sample: 'debian-packages', via: 'apt-cache dumpavail' },
  };
}
