// ARIA attribute values shared by every form.

/** An aria-describedby value: the ids given (hint, error…), or undefined when there is none. */
export function describedBy(...ids: (string | false | undefined | null | '')[]): string | undefined {
  return ids.filter(Boolean).join(' ') || undefined;
}
