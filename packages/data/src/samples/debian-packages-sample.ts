/**
 * Real labelled text: the one-line description of each Debian package, labelled with its
 * Section (e.g. `python`, `libs`, `games`). Read from `apt-cache dumpavail` (which also
 * decompresses the lz4 lists) as a stream of RFC 822-style stanzas; packages are deduplicated
 * by name (first stanza wins) and a section's `area/` prefix (`contrib/`, `non-free/`) is dropped.
 * `sections` keeps only packages of those sections, before `limit` counts: the index lists
 * packages in its own order, so a limit counted over every section would yield a different, and
 * often tiny, labelled set on each machine.
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
  sections?: unknown;
}): Promise<OpenedSource> {
  const sections = sectionFilter(options.sections);
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
        const section = stanza.Section.replace(/^[^/]+\//, '');
        if (sections && !sections.has(section)) continue;
        seen.add(stanza.Package);
        row += 1;
        yield { values: { text: stanza.Description, label: section }, row };
      }
      if (row === 0) {
        throw new DataSourceError(
          'sample_unavailable',
          sections
            ? `the Debian package index has no package in the sections ${[...sections].join(', ')} (run \`apt-get update\` first, or check the section names)`
            : 'the Debian package index is empty: run `apt-get update` first (apt-cache dumpavail printed no packages)',
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

function sectionFilter(sections: unknown): Set<string> | null {
  if (sections === undefined) return null;
  if (!Array.isArray(sections) || sections.length === 0 || !sections.every((s) => typeof s === 'string' && s))
    throw new DataSourceError(
      'invalid_source',
      'the debian-packages option `sections` must be a non-empty list of section names, e.g. ["doc", "games"]',
      {},
    );
  return new Set(sections as string[]);
}
