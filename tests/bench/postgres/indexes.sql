-- After the load: the indexes the queries use, then statistics.
CREATE INDEX participations_track ON participations (track_id)
  INCLUDE (completed, outcome_end_class, outcome_90_class);
CREATE INDEX participations_participant ON participations (participant_id);
CREATE INDEX participations_end ON participations (end_on);
CREATE INDEX participations_start ON participations (start_on);
CREATE INDEX participants_municipality ON participants (municipality);
ANALYZE;
