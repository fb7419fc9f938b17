// Filtering the contacts table by a saved segment goes through the rule language:
// `in_segment("name")` as the `where` parameter keeps search, sort and cursor paging of
// `GET /contacts` working on the segment's members.

export interface SegmentChoice {
  id: number;
  name: string;
  member_count?: number;
}

/** The rule text selecting a saved segment's members (the name as a quoted string literal). */
export function inSegmentRule(name: string): string {
  return `in_segment(${JSON.stringify(name)})`;
}

/** Picks id, name and member count out of a segment list answer (a page or an array). */
export function segmentChoices(result: unknown): SegmentChoice[] {
  const rows: unknown = Array.isArray(result)
    ? result
    : result && typeof result === 'object' && 'data' in result
      ? (result as { data: unknown }).data
      : [];
  if (!Array.isArray(rows)) return [];
  const out: SegmentChoice[] = [];
  for (const r of rows as unknown[]) {
    if (!r || typeof r !== 'object') continue;
    const { id, name, member_count } = r as Record<string, unknown>;
    if (typeof id !== 'number' || typeof name !== 'string') continue;
    out.push({ id, name, member_count: typeof member_count === 'number' ? member_count : undefined });
  }
  return out.sort((a, b) => a.name.localeCompare(b.name));
}
