// A submission key makes a form (or API call) sent twice create one booking or pledge. The key is
// chosen by the client (a form's hidden field, an API caller's value), so two clients may send the
// same one, by chance or on purpose: it is stored scoped to the contact it came with (a hash of
// both), so reusing another client's key finds nothing of theirs and just makes a new record.
import { createHash } from 'node:crypto';

export function scopedSubmissionKey(
  key: string | null,
  contact: { phone: string | null; email: string | null },
): string | null {
  if (key === null) return null;
  // 64 hex characters: the column's limit.
  return createHash('sha256')
    .update(`submission\n${key}\n${contact.phone ?? ''}\n${contact.email?.toLowerCase() ?? ''}`)
    .digest('hex');
}
