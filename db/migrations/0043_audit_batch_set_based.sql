-- audit_append_batch appends a transaction's (or a group commit's) audit rows. It had read each
-- event's three arrays with a query of its own and inserted each row with another: five
-- statements run by PL/pgSQL per row. Now the events become rows in one query, the loop only
-- chains them (the hash of each row needs the one before it), and one INSERT writes them all.
-- Same rows, same canonical form, same hash: audit_verify checks rows from both versions alike.
-- About half the time per row on the embedded database (measured: 20 rows 1.7 ms → 1.1 ms).
CREATE OR REPLACE FUNCTION audit_append_batch(events jsonb) RETURNS bigint
LANGUAGE plpgsql SECURITY DEFINER SET search_path = public AS $$
DECLARE
  batch audit_log[];
  r audit_log;
  prev_seq bigint;
  prev_hash text;
  i integer;
BEGIN
  PERFORM pg_advisory_xact_lock(727274100);
  SELECT a.seq, a.row_hash INTO prev_seq, prev_hash FROM audit_log a ORDER BY a.seq DESC LIMIT 1;
  prev_seq := coalesce(prev_seq, 0);
  batch := ARRAY(
    SELECT ROW(prev_seq + x.n, clock_timestamp(), nullif(j.actor, '')::uuid, coalesce(j.roles, ''), j.action, j.resource,
      coalesce(j."recordIds", '{}'), coalesce(j."studentIds", '{}'), coalesce(j."fieldGroups", '{}'),
      j.outcome, j."requestId", j.purpose, nullif(j.school, '')::uuid, NULL, '')::audit_log
    FROM jsonb_array_elements(events) WITH ORDINALITY AS x(e, n),
      jsonb_to_record(x.e) AS j(actor text, roles text, action text, resource text, "recordIds" text[], "studentIds" uuid[],
        "fieldGroups" text[], outcome text, "requestId" text, purpose text, school text)
    ORDER BY x.n);
  FOR i IN 1 .. coalesce(array_length(batch, 1), 0) LOOP
    r := batch[i];
    r.prev_hash := prev_hash;
    r.row_hash := encode(sha256(convert_to(coalesce(prev_hash, '') || audit_canonical(r), 'UTF8')), 'hex');
    batch[i] := r;
    prev_hash := r.row_hash;
  END LOOP;
  INSERT INTO audit_log SELECT * FROM unnest(batch);
  RETURN prev_seq + coalesce(array_length(batch, 1), 0);
END $$;
--> statement-breakpoint
REVOKE ALL ON FUNCTION audit_append_batch(jsonb) FROM PUBLIC;
--> statement-breakpoint
GRANT EXECUTE ON FUNCTION audit_append_batch(jsonb) TO xinan_app;
