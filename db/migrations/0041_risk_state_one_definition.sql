-- One definition each of what 0040 spelled out in several places: a record's keyed cell key (also
-- used by the district queries), a risk level's rank (the same), and the statement trigger (one
-- function for insert, update and delete). Both SQL functions are inlined by the planner, so a
-- query using them is planned as if the expression were written out.
CREATE OR REPLACE FUNCTION record_cell_key(p_secret text, p_id uuid) RETURNS bigint
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$ SELECT ('x' || substr(md5(p_secret || p_id::text), 1, 8))::bit(32)::bigint $$;
--> statement-breakpoint
-- 红 高危 = 4 … 绿 一般 = 1; null for anything else.
CREATE OR REPLACE FUNCTION risk_rank(p_level text) RETURNS int
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$ SELECT CASE p_level WHEN 'red' THEN 4 WHEN 'orange' THEN 3 WHEN 'yellow' THEN 2 WHEN 'green' THEN 1 END $$;
--> statement-breakpoint
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
    SELECT x.school_id, x.student_id, max(risk_rank(x.risk_level)) AS r
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
    CROSS JOIN LATERAL (SELECT risk_rank(coalesce(x.confirmed_risk, x.suggested_risk)) AS r) s
    WHERE s.r IS NOT NULL
    GROUP BY 1, 2, 3
  ),
  yj AS (
    SELECT school_id, student_id, jsonb_object_agg(school_year, jsonb_build_array(top, latest)) AS v FROM y GROUP BY 1, 2
  )
  INSERT INTO student_cell_keys (school_id, student_id, cell_key, open_rank, screening_years)
  SELECT a.school_id, a.student_id,
    coalesce((SELECT record_cell_key(k."secret", a.student_id) FROM cell_key_secrets k WHERE k.id = 1),
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
-- The rows a statement touched, from whichever transition tables its operation has (an INSERT
-- trigger has no old rows, a DELETE trigger no new ones), run as the owner: the app role, which
-- writes the records, has no access to student_cell_keys.
CREATE OR REPLACE FUNCTION student_risk_after_write() RETURNS trigger LANGUAGE plpgsql SECURITY DEFINER SET search_path = public AS $$
BEGIN
  IF TG_OP = 'INSERT' THEN
    PERFORM student_risk_refresh(array_agg(school_id), array_agg(student_id)) FROM new_rows;
  ELSIF TG_OP = 'DELETE' THEN
    PERFORM student_risk_refresh(array_agg(school_id), array_agg(student_id)) FROM old_rows;
  ELSE
    PERFORM student_risk_refresh(array_agg(school_id), array_agg(student_id))
    FROM (SELECT school_id, student_id FROM old_rows UNION SELECT school_id, student_id FROM new_rows) t;
  END IF;
  RETURN NULL;
END $$;
--> statement-breakpoint
CREATE OR REPLACE TRIGGER cases_risk_insert AFTER INSERT ON cases REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION student_risk_after_write();
--> statement-breakpoint
CREATE OR REPLACE TRIGGER cases_risk_update AFTER UPDATE ON cases REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION student_risk_after_write();
--> statement-breakpoint
CREATE OR REPLACE TRIGGER cases_risk_delete AFTER DELETE ON cases REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION student_risk_after_write();
--> statement-breakpoint
CREATE OR REPLACE TRIGGER care_list_risk_insert AFTER INSERT ON care_list REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION student_risk_after_write();
--> statement-breakpoint
CREATE OR REPLACE TRIGGER care_list_risk_update AFTER UPDATE ON care_list REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION student_risk_after_write();
--> statement-breakpoint
CREATE OR REPLACE TRIGGER care_list_risk_delete AFTER DELETE ON care_list REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION student_risk_after_write();
--> statement-breakpoint
CREATE OR REPLACE TRIGGER screening_responses_risk_insert AFTER INSERT ON screening_responses REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION student_risk_after_write();
--> statement-breakpoint
CREATE OR REPLACE TRIGGER screening_responses_risk_update AFTER UPDATE ON screening_responses REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION student_risk_after_write();
--> statement-breakpoint
CREATE OR REPLACE TRIGGER screening_responses_risk_delete AFTER DELETE ON screening_responses REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION student_risk_after_write();
--> statement-breakpoint
DROP FUNCTION student_risk_after_insert();
--> statement-breakpoint
DROP FUNCTION student_risk_after_update();
--> statement-breakpoint
DROP FUNCTION student_risk_after_delete();
