ALTER TABLE "student_cell_keys" ADD COLUMN "open_rank" smallint;--> statement-breakpoint
ALTER TABLE "student_cell_keys" ADD COLUMN "screening_years" jsonb DEFAULT '{}'::jsonb NOT NULL;--> statement-breakpoint
-- The touched pupils' risk values recomputed from their records (no increments to drift): open
-- cases and active care-list entries give open_rank; screenings, per school year of their
-- campaign, the highest rank and the latest (day·8 + rank). The ranks are the district tables'
-- (红 4 … 绿 1, anything else none). A pupil without a stored row (written with triggers off)
-- gets one here, with the keyed hash of the id as its cell key — the key releases already used
-- for such a pupil — so the key does not change when the row appears.
CREATE OR REPLACE FUNCTION student_risk_recompute(p_school uuid[], p_student uuid[]) RETURNS void
LANGUAGE plpgsql SECURITY DEFINER SET search_path = public AS $$
BEGIN
  -- Planned on every call, for the number of pupils at hand and under the caller's settings
  -- (a cached plan would keep the join strategy of the first call).
  EXECUTE $q$
  WITH a AS (
    SELECT DISTINCT s.school_id, s.id AS student_id
    FROM unnest($1, $2) AS u(school_id, student_id)
    JOIN students s ON s.school_id = u.school_id AND s.id = u.student_id
  ),
  o AS (
    SELECT x.school_id, x.student_id,
      max(CASE x.risk_level WHEN 'red' THEN 4 WHEN 'orange' THEN 3 WHEN 'yellow' THEN 2 WHEN 'green' THEN 1 END) AS r
    FROM (
      SELECT c.school_id, c.student_id, c.risk_level FROM cases c JOIN a ON a.school_id = c.school_id AND a.student_id = c.student_id
      WHERE c.state <> 'closed' AND c.closed_at IS NULL
      UNION ALL
      SELECT c.school_id, c.student_id, c.risk_level FROM care_list c JOIN a ON a.school_id = c.school_id AND a.student_id = c.student_id
      WHERE c.removed_at IS NULL
    ) x
    GROUP BY 1, 2
  ),
  y AS (
    SELECT x.school_id, x.student_id, k.school_year, max(s.r) AS top, max((x.screened_on - date '1900-01-01') * 8 + s.r) AS latest
    FROM screening_responses x
    JOIN a ON a.school_id = x.school_id AND a.student_id = x.student_id
    JOIN screening_campaigns k ON k.school_id = x.school_id AND k.id = x.campaign_id
    CROSS JOIN LATERAL (SELECT CASE coalesce(x.confirmed_risk, x.suggested_risk) WHEN 'red' THEN 4 WHEN 'orange' THEN 3 WHEN 'yellow' THEN 2 WHEN 'green' THEN 1 END AS r) s
    WHERE s.r IS NOT NULL
    GROUP BY 1, 2, 3
  ),
  yj AS (
    SELECT school_id, student_id, jsonb_object_agg(school_year, jsonb_build_array(top, latest)) AS v FROM y GROUP BY 1, 2
  )
  INSERT INTO student_cell_keys (school_id, student_id, cell_key, open_rank, screening_years)
  SELECT a.school_id, a.student_id,
    coalesce((SELECT (('x' || substr(md5(k."secret" || a.student_id::text), 1, 8))::bit(32)::bigint) FROM cell_key_secrets k WHERE k.id = 1),
      (('x' || substr(gen_random_uuid()::text, 1, 8))::bit(32)::bigint)),
    o.r, coalesce(yj.v, '{}'::jsonb)
  FROM a
  LEFT JOIN o ON o.school_id = a.school_id AND o.student_id = a.student_id
  LEFT JOIN yj ON yj.school_id = a.school_id AND yj.student_id = a.student_id
  ON CONFLICT (school_id, student_id) DO UPDATE SET open_rank = excluded.open_rank, screening_years = excluded.screening_years
  WHERE student_cell_keys.open_rank IS DISTINCT FROM excluded.open_rank OR student_cell_keys.screening_years <> excluded.screening_years
  $q$ USING p_school, p_student;
END $$;
--> statement-breakpoint
-- Many pupils at once (a COPY, an import, the backfill): hash joins. Right after a bulk load the
-- planner's statistics still describe nearly empty tables, and it would scan a whole table once
-- per pupil in a nested loop (measured: past the 10 s statement limit on a 3,000-pupil load).
CREATE OR REPLACE FUNCTION student_risk_recompute_many(p_school uuid[], p_student uuid[]) RETURNS void
LANGUAGE plpgsql SECURITY DEFINER SET search_path = public SET enable_nestloop = off AS $$
BEGIN
  PERFORM student_risk_recompute(p_school, p_student);
END $$;
--> statement-breakpoint
-- A few pupils (one request's writes) go through the indexes on (school_id, student_id).
CREATE OR REPLACE FUNCTION student_risk_refresh(p_school uuid[], p_student uuid[]) RETURNS void
LANGUAGE plpgsql SECURITY DEFINER SET search_path = public AS $$
BEGIN
  IF coalesce(cardinality(p_student), 0) > 100 THEN
    PERFORM student_risk_recompute_many(p_school, p_student);
  ELSIF coalesce(cardinality(p_student), 0) > 0 THEN
    PERFORM student_risk_recompute(p_school, p_student);
  END IF;
END $$;
--> statement-breakpoint
-- Called by the triggers below as the owner; nobody else needs them.
REVOKE EXECUTE ON FUNCTION student_risk_recompute(uuid[], uuid[]) FROM PUBLIC;
--> statement-breakpoint
REVOKE EXECUTE ON FUNCTION student_risk_recompute_many(uuid[], uuid[]) FROM PUBLIC;
--> statement-breakpoint
REVOKE EXECUTE ON FUNCTION student_risk_refresh(uuid[], uuid[]) FROM PUBLIC;
--> statement-breakpoint
-- One statement trigger per table and operation (transition tables), run as the owner: the app
-- role, which writes the records, has no access to student_cell_keys.
CREATE OR REPLACE FUNCTION student_risk_after_insert() RETURNS trigger LANGUAGE plpgsql SECURITY DEFINER SET search_path = public AS $$
BEGIN
  PERFORM student_risk_refresh(array_agg(school_id), array_agg(student_id)) FROM new_rows;
  RETURN NULL;
END $$;
--> statement-breakpoint
CREATE OR REPLACE FUNCTION student_risk_after_update() RETURNS trigger LANGUAGE plpgsql SECURITY DEFINER SET search_path = public AS $$
BEGIN
  PERFORM student_risk_refresh(array_agg(school_id), array_agg(student_id))
  FROM (SELECT school_id, student_id FROM old_rows UNION SELECT school_id, student_id FROM new_rows) t;
  RETURN NULL;
END $$;
--> statement-breakpoint
CREATE OR REPLACE FUNCTION student_risk_after_delete() RETURNS trigger LANGUAGE plpgsql SECURITY DEFINER SET search_path = public AS $$
BEGIN
  PERFORM student_risk_refresh(array_agg(school_id), array_agg(student_id)) FROM old_rows;
  RETURN NULL;
END $$;
--> statement-breakpoint
-- A campaign moved to another school year moves its screenings with it: its pupils again.
CREATE OR REPLACE FUNCTION student_risk_campaign_update() RETURNS trigger LANGUAGE plpgsql SECURITY DEFINER SET search_path = public AS $$
BEGIN
  PERFORM student_risk_refresh(array_agg(x.school_id), array_agg(x.student_id))
  FROM screening_responses x
  WHERE (x.school_id, x.campaign_id) IN (
    SELECT n.school_id, n.id FROM new_rows n JOIN old_rows o ON o.school_id = n.school_id AND o.id = n.id
    WHERE o.school_year IS DISTINCT FROM n.school_year);
  RETURN NULL;
END $$;
--> statement-breakpoint
CREATE TRIGGER cases_risk_insert AFTER INSERT ON cases REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION student_risk_after_insert();
--> statement-breakpoint
CREATE TRIGGER cases_risk_update AFTER UPDATE ON cases REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION student_risk_after_update();
--> statement-breakpoint
CREATE TRIGGER cases_risk_delete AFTER DELETE ON cases REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION student_risk_after_delete();
--> statement-breakpoint
CREATE TRIGGER care_list_risk_insert AFTER INSERT ON care_list REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION student_risk_after_insert();
--> statement-breakpoint
CREATE TRIGGER care_list_risk_update AFTER UPDATE ON care_list REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION student_risk_after_update();
--> statement-breakpoint
CREATE TRIGGER care_list_risk_delete AFTER DELETE ON care_list REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION student_risk_after_delete();
--> statement-breakpoint
CREATE TRIGGER screening_responses_risk_insert AFTER INSERT ON screening_responses REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION student_risk_after_insert();
--> statement-breakpoint
CREATE TRIGGER screening_responses_risk_update AFTER UPDATE ON screening_responses REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION student_risk_after_update();
--> statement-breakpoint
CREATE TRIGGER screening_responses_risk_delete AFTER DELETE ON screening_responses REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION student_risk_after_delete();
--> statement-breakpoint
CREATE TRIGGER screening_campaigns_risk_update AFTER UPDATE ON screening_campaigns REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION student_risk_campaign_update();
--> statement-breakpoint
-- Existing pupils: their values from the records they already have.
SELECT student_risk_refresh(array_agg(school_id), array_agg(id)) FROM students;
