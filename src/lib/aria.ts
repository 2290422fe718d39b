// ARIA attribute values shared by every form.

/** An aria-describedby value: the ids given (hint, error…), or undefined when there is none. */
export function describedBy(...ids: (string | false | undefined | null | '')[]): string | undefined {
  return ids.filter(Boolean).join(' ') || undefined;
}

/**
 * The aria attributes of a labelled field (FormGroup) whose control's id is `id`: described by
 * `<id>-hint` when it has a hint and by `<id>-error` when it has an error, which also marks it invalid.
 */
export function fieldAria(
  id: string,
  hint: string | undefined,
  error: string | undefined,
): { 'aria-describedby': string | undefined; 'aria-invalid': 'true' | undefined } {
  return {
    'aria-describedby': describedBy(hint && `${id}-hint`, error && `${id}-error`),
    'aria-invalid': error ? 'true' : undefined,
  };
}
