/**
 * k-anonymity over declared quasi-identifiers (Sweeney 2002, "k-Anonymity: A Model for
 * Protecting Privacy"): a release is k-anonymous when every combination of quasi-identifier
 * values it contains is shared by at least k rows. Counted on the values as released (after
 * masking, generalisation and perturbation), so it describes what a reader of the version sees.
 */
export interface KAnonymityReport {
  quasiIdentifiers: string[];
  /** The k required by the spec. */
  required: number;
  /** The smallest group: the k the version actually achieves. */
  achieved: number;
  satisfied: boolean;
  groups: number;
  groupsBelowRequired: number;
  rowsInGroupsBelowRequired: number;
  /** More distinct combinations than were counted (then the counts are lower bounds on risk). */
  capped: boolean;
}

const MAX_GROUPS = 1_000_000;

export class KAnonymityCounter {
  private readonly counts = new Map<string, number>();
  private capped = false;
  constructor(
    private readonly quasiIdentifiers: string[],
    private readonly required: number,
  ) {}

  add(values: Record<string, unknown>): void {
    const key = JSON.stringify(this.quasiIdentifiers.map((c) => values[c] ?? null));
    const count = this.counts.get(key);
    if (count !== undefined) this.counts.set(key, count + 1);
    else if (this.counts.size < MAX_GROUPS) this.counts.set(key, 1);
    else this.capped = true;
  }

  result(): KAnonymityReport {
    let achieved = Infinity;
    let groupsBelow = 0;
    let rowsBelow = 0;
    for (const count of this.counts.values()) {
      achieved = Math.min(achieved, count);
      if (count < this.required) {
        groupsBelow += 1;
        rowsBelow += count;
      }
    }
    const achievedK = Number.isFinite(achieved) ? achieved : 0;
    return {
      quasiIdentifiers: this.quasiIdentifiers,
      required: this.required,
      achieved: achievedK,
      satisfied: groupsBelow === 0 && !this.capped && this.counts.size > 0,
      groups: this.counts.size,
      groupsBelowRequired: groupsBelow,
      rowsInGroupsBelowRequired: rowsBelow,
      capped: this.capped,
    };
  }
}
