-- ProposeTracks' question for one jobseeker (:participant): the ten best
-- tracks usable where they live, open, not needing what they lack, ranked
-- by the track's record (who completed it got work, with the prior that
-- ProposeTracks uses: (working + 5) / (completed + 10)). A simplified
-- ranking: jobtrack also scores occupation, industry, geography, seats
-- and plan length; this query is the lower bound of what SQL must do.
SELECT t.id, t.name,
       (count(*) FILTER (WHERE p.completed AND coalesce(p.outcome_90_class,
                                   p.outcome_end_class) <= 1) + 5.0)
       / (count(*) FILTER (WHERE p.completed) + 10.0) AS record
FROM participants me
JOIN track_municipalities tm ON tm.municipality = me.municipality
JOIN tracks t ON t.id = tm.track_id AND t.status = 'OPEN'
LEFT JOIN participations p ON p.track_id = t.id
WHERE me.id = :participant
  AND NOT EXISTS (SELECT 1 FROM participations q
                  WHERE q.participant_id = me.id AND q.start_on IS NOT NULL
                    AND q.end_on IS NULL)
GROUP BY t.id, t.name
ORDER BY record DESC, t.name
LIMIT 10;
