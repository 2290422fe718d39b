// Personal data an entry no longer needs once it is closed (accepted, declined, lapsed, left, past):
// the reference and the party's size stay, for the counts staff see; who they were goes.
export const ERASED = { name: null, phone: null, email: null, client: null, submission_key: null } as const;
