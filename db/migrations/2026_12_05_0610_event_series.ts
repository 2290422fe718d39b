// Frozen: never edit a migration that has shipped; add a new one.
// Issue #13, recurring activities, itineraries and the facts families filter on.
// A series holds the rule (weekly, every other week, monthly by weekday), the local start and end
// time and the last day; each date is materialised as its own event row (series_id, occurrence_date)
// so seats, sign-ups and the door list keep working per date, unchanged. occurrence_date is the
// rule's date: a moved date keeps it (so it is never generated again) and a cancelled one stays as
// a cancelled row. Stops are an ordered list on the event (time of day, place, address, transit
// hint); facts (age bands, price, step-free access, LIS, childcare, languages) are plain columns
// the public list filters on.
import type { Kysely } from 'kysely';
import { runScript } from '../../src/server/db/sql-script.ts';

export async function up(db: Kysely<unknown>): Promise<void> {
  await runScript(
    db,
    `
    CREATE TABLE event_series (
      id serial PRIMARY KEY,
      slug text NOT NULL UNIQUE CHECK (slug ~ '^[a-z0-9]+(-[a-z0-9]+)*$' AND length(slug) <= 80),
      frequency text NOT NULL CHECK (frequency IN ('weekly', 'fortnightly', 'monthly')),
      weekday smallint NOT NULL CHECK (weekday BETWEEN 1 AND 7),
      -- Monthly only: the weekday's place in the month (1..4, or -1 for the last).
      week_of_month smallint CHECK (week_of_month IN (-1, 1, 2, 3, 4)),
      first_day date NOT NULL,
      until_day date NOT NULL,
      starts_time time NOT NULL,
      ends_time time,
      -- The desk whose closures the series skips (Italian public holidays are skipped always).
      desk_id integer REFERENCES desk (id) ON DELETE SET NULL,
      times_are_sample boolean NOT NULL DEFAULT false,
      created_at timestamptz NOT NULL DEFAULT now(),
      CONSTRAINT event_series_monthly_has_week CHECK ((frequency = 'monthly') = (week_of_month IS NOT NULL)),
      -- At most a year of dates: every date is a row, written when the series is saved.
      CONSTRAINT event_series_span CHECK (until_day >= first_day AND until_day <= first_day + 366),
      CONSTRAINT event_series_times CHECK (ends_time IS NULL OR ends_time > starts_time)
    );

    ALTER TABLE event ADD COLUMN series_id integer REFERENCES event_series (id) ON DELETE CASCADE;
    ALTER TABLE event ADD COLUMN occurrence_date date;
    ALTER TABLE event ADD CONSTRAINT event_occurrence_of_series
      CHECK ((series_id IS NULL) = (occurrence_date IS NULL));
    CREATE UNIQUE INDEX event_series_occurrence_key ON event (series_id, occurrence_date);
    CREATE INDEX event_series_next_idx ON event (series_id, starts_at) WHERE status = 'published';

    ALTER TABLE event ADD COLUMN stops jsonb NOT NULL DEFAULT '[]'
      CHECK (jsonb_typeof(stops) = 'array' AND jsonb_array_length(stops) <= 10);
    ALTER TABLE event ADD COLUMN age_bands text[] NOT NULL DEFAULT '{}'
      CHECK (age_bands <@ ARRAY['0-3', '3-6', '6-11', '11-14']::text[]);
    ALTER TABLE event ADD COLUMN price_kind text NOT NULL DEFAULT 'free'
      CHECK (price_kind IN ('free', 'free_offer', 'price'));
    ALTER TABLE event ADD COLUMN price_cents integer CHECK (price_cents BETWEEN 1 AND 100000);
    ALTER TABLE event ADD CONSTRAINT event_price_has_amount CHECK ((price_kind = 'price') = (price_cents IS NOT NULL));
    ALTER TABLE event ADD COLUMN step_free boolean;
    ALTER TABLE event ADD COLUMN lis boolean NOT NULL DEFAULT false;
    ALTER TABLE event ADD COLUMN childcare boolean NOT NULL DEFAULT false;
    ALTER TABLE event ADD COLUMN languages text[] NOT NULL DEFAULT '{}'
      CHECK (cardinality(languages) <= 12 AND array_to_string(languages, ',') ~ '^([a-z]{2,3}(,|$))*$');
  `,
  );
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await runScript(
    db,
    `
    ALTER TABLE event DROP COLUMN languages;
    ALTER TABLE event DROP COLUMN childcare;
    ALTER TABLE event DROP COLUMN lis;
    ALTER TABLE event DROP COLUMN step_free;
    ALTER TABLE event DROP CONSTRAINT event_price_has_amount;
    ALTER TABLE event DROP COLUMN price_cents;
    ALTER TABLE event DROP COLUMN price_kind;
    ALTER TABLE event DROP COLUMN age_bands;
    ALTER TABLE event DROP COLUMN stops;
    DROP INDEX event_series_next_idx;
    DROP INDEX event_series_occurrence_key;
    ALTER TABLE event DROP CONSTRAINT event_occurrence_of_series;
    ALTER TABLE event DROP COLUMN occurrence_date;
    ALTER TABLE event DROP COLUMN series_id;
    DROP TABLE event_series;
  `,
  );
}
