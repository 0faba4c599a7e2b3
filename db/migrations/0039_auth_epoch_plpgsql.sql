-- auth_epoch_of runs in the first statement of every request's transaction. As a SQL function
-- with SECURITY DEFINER and its own search_path it cannot be inlined, and PostgreSQL 15 plans the
-- query of such a function again on every call (about 45 µs of server CPU a request, measured
-- with pgbench). In PL/pgSQL its plan is kept for the connection's life. Same answer: the
-- user's epoch when this login is live and the account active, else null.
CREATE OR REPLACE FUNCTION auth_epoch_of(p_session uuid, p_user uuid) RETURNS bigint
LANGUAGE plpgsql STABLE SECURITY DEFINER SET search_path = public AS $$
BEGIN
  RETURN (SELECT u.auth_epoch FROM auth_sessions s JOIN users u ON u.id = s.user_id
          WHERE s.id = p_session AND s.user_id = p_user AND s.revoked_at IS NULL AND u.status = 'active');
END
$$;
