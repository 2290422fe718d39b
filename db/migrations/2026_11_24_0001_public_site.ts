// Frozen: never edit a migration that has shipped; add a new one.
// Tables of the public site: municipi and networks, partners, desks, events, the campaign.
import type { Kysely } from 'kysely';
import { runScript } from '../../src/server/db/sql-script.ts';

export async function up(db: Kysely<unknown>): Promise<void> {
  await runScript(
    db,
    `
    CREATE TABLE municipio (
      id smallint PRIMARY KEY CHECK (id BETWEEN 1 AND 9),
      name text NOT NULL,
      quartieri text[] NOT NULL DEFAULT '{}'
    );

    CREATE TABLE network (
      id integer GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
      municipio_id smallint NOT NULL UNIQUE REFERENCES municipio(id),
      slug text NOT NULL UNIQUE CHECK (slug ~ '^[a-z0-9]+(-[a-z0-9]+)*$'),
      name text NOT NULL CHECK (length(name) BETWEEN 1 AND 200),
      email text,
      is_sample boolean NOT NULL DEFAULT false
    );

    CREATE TABLE organisation (
      id integer GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
      slug text NOT NULL UNIQUE CHECK (slug ~ '^[a-z0-9]+(-[a-z0-9]+)*$'),
      name text NOT NULL CHECK (length(name) BETWEEN 1 AND 200),
      kind text NOT NULL CHECK (kind IN ('third_sector', 'public', 'other')),
      municipio_id smallint REFERENCES municipio(id)
    );

    CREATE TABLE desk (
      id integer GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
      slug text NOT NULL UNIQUE CHECK (slug ~ '^[a-z0-9]+(-[a-z0-9]+)*$'),
      municipio_id smallint NOT NULL REFERENCES municipio(id),
      name text NOT NULL CHECK (length(name) BETWEEN 1 AND 200),
      area text NOT NULL,
      address text NOT NULL,
      phone text NOT NULL CHECK (phone ~ '^\\+?[0-9 ]{6,20}$'),
      services text[] NOT NULL DEFAULT '{}' CHECK (services <@ ARRAY['orientation', 'listening', 'support', 'educational-services']::text[]),
      description jsonb CHECK (description IS NULL OR (jsonb_typeof(description) = 'object' AND description ? 'it')),
      slot_minutes smallint NOT NULL CHECK (slot_minutes BETWEEN 5 AND 240),
      capacity_per_slot smallint NOT NULL CHECK (capacity_per_slot BETWEEN 1 AND 50),
      min_notice_minutes integer NOT NULL DEFAULT 120 CHECK (min_notice_minutes >= 0),
      max_days_ahead integer NOT NULL DEFAULT 56 CHECK (max_days_ahead BETWEEN 1 AND 366),
      is_sample_address boolean NOT NULL DEFAULT false,
      created_at timestamptz NOT NULL DEFAULT now()
    );
    CREATE INDEX desk_municipio_idx ON desk (municipio_id);

    CREATE TABLE desk_opening_hours (
      id integer GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
      desk_id integer NOT NULL REFERENCES desk(id) ON DELETE CASCADE,
      weekday smallint NOT NULL CHECK (weekday BETWEEN 1 AND 7),
      opens time NOT NULL,
      closes time NOT NULL,
      CHECK (opens < closes)
    );
    CREATE INDEX desk_opening_hours_desk_idx ON desk_opening_hours (desk_id, weekday);

    CREATE TABLE event (
      id integer GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
      slug text NOT NULL UNIQUE CHECK (slug ~ '^[a-z0-9]+(-[a-z0-9]+)*$'),
      municipio_id smallint REFERENCES municipio(id),
      title jsonb NOT NULL CHECK (jsonb_typeof(title) = 'object' AND coalesce(length(title->>'it'), 0) > 0),
      summary jsonb NOT NULL CHECK (jsonb_typeof(summary) = 'object' AND summary ? 'it'),
      description jsonb NOT NULL CHECK (jsonb_typeof(description) = 'object' AND description ? 'it'),
      venue text NOT NULL,
      address text NOT NULL,
      transit_hint jsonb CHECK (transit_hint IS NULL OR transit_hint ? 'it'),
      price_note jsonb CHECK (price_note IS NULL OR price_note ? 'it'),
      starts_at timestamptz NOT NULL,
      ends_at timestamptz CHECK (ends_at IS NULL OR ends_at > starts_at),
      status text NOT NULL DEFAULT 'draft' CHECK (status IN ('draft', 'submitted', 'published', 'cancelled')),
      created_at timestamptz NOT NULL DEFAULT now(),
      updated_at timestamptz NOT NULL DEFAULT now()
    );
    -- The public list asks for published or cancelled events from a date on.
    CREATE INDEX event_public_start_idx ON event (starts_at) WHERE status IN ('published', 'cancelled');

    CREATE TABLE event_organiser (
      event_id integer NOT NULL REFERENCES event(id) ON DELETE CASCADE,
      organisation_id integer NOT NULL REFERENCES organisation(id),
      PRIMARY KEY (event_id, organisation_id)
    );
    CREATE INDEX event_organiser_org_idx ON event_organiser (organisation_id);

    CREATE TABLE campaign (
      id integer GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
      slug text NOT NULL UNIQUE CHECK (slug ~ '^[a-z0-9]+(-[a-z0-9]+)*$'),
      title jsonb NOT NULL CHECK (title ? 'it'),
      summary jsonb NOT NULL CHECK (summary ? 'it'),
      description jsonb NOT NULL CHECK (description ? 'it'),
      active boolean NOT NULL DEFAULT true
    );

    CREATE TABLE campaign_item (
      id integer GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
      campaign_id integer NOT NULL REFERENCES campaign(id) ON DELETE CASCADE,
      slug text NOT NULL CHECK (slug ~ '^[a-z0-9]+(-[a-z0-9]+)*$'),
      name jsonb NOT NULL CHECK (name ? 'it'),
      target integer NOT NULL CHECK (target > 0),
      pledged integer NOT NULL DEFAULT 0,
      position smallint NOT NULL DEFAULT 0,
      is_sample boolean NOT NULL DEFAULT false,
      UNIQUE (campaign_id, slug),
      -- The pledge invariant lives here, so no code path can over-pledge an item.
      CONSTRAINT campaign_item_pledged_within_target CHECK (pledged BETWEEN 0 AND target)
    );

    CREATE TABLE drop_off_point (
      id integer GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
      campaign_id integer NOT NULL REFERENCES campaign(id) ON DELETE CASCADE,
      slug text NOT NULL CHECK (slug ~ '^[a-z0-9]+(-[a-z0-9]+)*$'),
      name text NOT NULL,
      address text NOT NULL,
      municipio_id smallint NOT NULL REFERENCES municipio(id),
      notes jsonb CHECK (notes IS NULL OR notes ? 'it'),
      is_sample boolean NOT NULL DEFAULT false,
      UNIQUE (campaign_id, slug)
    );

    CREATE TABLE collection_window (
      id integer GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
      drop_off_point_id integer NOT NULL REFERENCES drop_off_point(id) ON DELETE CASCADE,
      starts_at timestamptz NOT NULL,
      ends_at timestamptz NOT NULL,
      CHECK (ends_at > starts_at)
    );
    CREATE INDEX collection_window_point_idx ON collection_window (drop_off_point_id, starts_at);
  `,
  );
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await runScript(
    db,
    `
    DROP TABLE collection_window, drop_off_point, campaign_item, campaign,
      event_organiser, event, desk_opening_hours, desk, organisation, network, municipio;
  `,
  );
}
