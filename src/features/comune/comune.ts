// The Comune's fixed facts the public pages show (institution bar, contacts, privacy notice,
// accessibility statement), each overridable by the environment where an operator must set the
// real value. Read at request time; nothing here is secret.

/** The Comune's own site, linked from the institution bar. */
export const COMUNE_URL = 'https://www.comune.milano.it';

/** The Comune's switchboard ("centralino"), as the Comune publishes it. */
export const COMUNE_SWITCHBOARD = '020202';

const env = (name: string, fallback: string) => {
  const value = process.env[name]?.trim();
  return value ? value : fallback;
};

/** The site's accessibility statement on AgID's form.agid.gov.it (ACCESSIBILITY_STATEMENT_URL). */
export function accessibilityStatementUrl(): string {
  return env('ACCESSIBILITY_STATEMENT_URL', 'https://form.agid.gov.it/');
}

/** The last review of the accessibility statement (ACCESSIBILITY_REVIEWED_ON, YYYY-MM-DD). */
export function accessibilityReviewedOn(): string {
  const value = env('ACCESSIBILITY_REVIEWED_ON', '2026-12-05');
  return /^\d{4}-\d{2}-\d{2}$/.test(value) ? value : '2026-12-05';
}

/** The data-protection officer's address (DPO_EMAIL). */
export function dpoEmail(): string {
  return env('DPO_EMAIL', 'dpo@comune.milano.it');
}

/**
 * The projects' dates the About page states (PROJECT_STARTED_ON, PROJECT_ENDS_ON, YYYY-MM-DD): data,
 * not fixed text, so an extension is one setting. The defaults are the funding decree's dates.
 */
export function projectDates(): { startedOn: string; endsOn: string } {
  const day = (name: string, fallback: string) => {
    const value = env(name, fallback);
    return /^\d{4}-\d{2}-\d{2}$/.test(value) ? value : fallback;
  };
  return { startedOn: day('PROJECT_STARTED_ON', '2024-05-08'), endsOn: day('PROJECT_ENDS_ON', '2026-05-01') };
}
