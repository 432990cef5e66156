-- The PostgreSQL baseline's schema (issue 8): the national dataset as a
-- DBA would hold it for these questions. One row per participation with
-- its dated facts (the life cycle's dates and outcomes), so that "as of
-- day D" is a filter on dates; integer keys; indexes for the proposal
-- query's lookups and the report's date ranges.
CREATE TABLE employers (
  id integer PRIMARY KEY,
  sni_code text NOT NULL,
  sector text NOT NULL,
  municipality text NOT NULL
);
CREATE TABLE tracks (
  id integer PRIMARY KEY,
  name text NOT NULL UNIQUE,
  kind text NOT NULL,
  status text NOT NULL,
  sni_section text NOT NULL,
  ssyk text NOT NULL
);
CREATE TABLE track_municipalities (
  track_id integer NOT NULL REFERENCES tracks,
  municipality text NOT NULL,
  PRIMARY KEY (municipality, track_id)
);
CREATE TABLE participants (
  id integer PRIMARY KEY,
  gender text NOT NULL,
  birth_year integer NOT NULL,
  education text NOT NULL,
  municipality text NOT NULL
);
-- start_on: the first day of the participation (NULL: never enrolled);
-- it was enrolled on proposed_on. end_on and completed (else interrupted):
-- NULL while it runs. Outcomes: OutcomeClass 0 unsubsidized work,
-- 1 subsidized work, 2 studies, 3 other; their effective dates.
CREATE TABLE participations (
  id integer PRIMARY KEY,
  participant_id integer NOT NULL REFERENCES participants,
  track_id integer NOT NULL REFERENCES tracks,
  home_municipality text NOT NULL,
  proposed_on date NOT NULL,
  start_on date,
  end_on date,
  completed boolean,
  outcome_end_class smallint,
  outcome_end_on date,
  outcome_90_class smallint,
  outcome_90_on date
);
