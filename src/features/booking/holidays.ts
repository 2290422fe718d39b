// The public-holiday calendar lives in src/lib/holidays.ts, so that the seed (server/) can skip
// holidays too (issue #15); the booking feature and its callers keep importing it from here.
export * from '#/lib/holidays.ts';
