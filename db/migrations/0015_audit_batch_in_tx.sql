-- A transaction's audit rows are appended in one statement just before its COMMIT (src/access/
-- transaction.ts), by the non-owner role the transaction runs as. SECURITY DEFINER like
-- audit_append, which that role may already call one row at a time.
GRANT EXECUTE ON FUNCTION audit_append_batch(jsonb) TO xinan_app;
