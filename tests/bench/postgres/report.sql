-- The participation figures of the national follow-up report as of :d
-- (year start :y, series start :s, proposals expire after 30 days): the
-- same definitions as services/followup/report.cc, one pass.
WITH p AS (
  SELECT p.participant_id, pe.gender, t.kind,
         p.proposed_on, p.start_on,
         CASE WHEN p.end_on <= :'d' THEN p.end_on END AS end_on,
         CASE WHEN p.end_on <= :'d' THEN p.completed END AS completed,
         CASE WHEN p.outcome_90_on <= :'d' THEN p.outcome_90_class
              WHEN p.outcome_end_on <= :'d' THEN p.outcome_end_class
              ELSE 4 END AS outcome
  FROM participations p
  JOIN participants pe ON pe.id = p.participant_id
  JOIN tracks t ON t.id = p.track_id
  WHERE p.proposed_on <= :'d'
)
SELECT
  count(*) AS proposals,
  count(*) FILTER (WHERE start_on IS NULL
                   AND :'d'::date - proposed_on > 30) AS proposals_expired,
  count(*) FILTER (WHERE start_on IS NOT NULL AND gender = 'FEMALE')
    AS proposals_enrolled_female,
  count(DISTINCT participant_id) FILTER (
    WHERE start_on <= :'d' AND end_on IS NULL
      AND kind IN ('PREPARATORY', 'EMPLOYER_DIRECTED')) AS participants_active,
  count(DISTINCT participant_id) FILTER (
    WHERE start_on BETWEEN :'s' AND :'d') AS participants_started_since_series_start,
  count(*) FILTER (WHERE end_on >= :'y') AS participations_ended_this_year,
  count(*) FILTER (WHERE end_on >= :'y' AND completed)
    AS participations_ended_this_year_completed,
  count(*) FILTER (WHERE end_on >= :'y' AND completed AND outcome <= 1)
    AS outcomes_completed_working,
  count(*) FILTER (WHERE end_on >= :'y' AND completed AND outcome <= 1
                   AND gender = 'FEMALE') AS outcomes_completed_working_female,
  count(*) FILTER (WHERE end_on >= :'y' AND kind = 'EMPLOYER_DIRECTED'
                   AND outcome = 0) AS outcomes_ended_employer_directed_unsubsidized,
  count(*) FILTER (WHERE end_on >= :'y' AND kind = 'PREPARATORY'
                   AND outcome = 2) AS outcomes_ended_preparatory_studies
FROM p;
