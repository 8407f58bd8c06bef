-- No secret is stored in the registry: redact those stored before Postgres sources named a
-- connection (the credentials now live in the ingest workers' environment, see
-- docs/connections.md) and before the API refused secrets. Every column a spec, a request or an
-- error message reaches is rewritten with the rules of packages/core/src/secrets.ts, written
-- again in SQL here (test/registry/redact-secrets-migration.test.ts checks that both agree):
--  1. an object field named like a secret (password, token, secretAccessKey, authorization, …;
--     case, "_", "-", "." and spaces ignored) holding a non-empty string, and "salt" inside
--     "pii" (the PII hashing salt), become "***" (the fields of a "columns" object are column
--     names, never secrets: pii.columns.password = "remove" stays);
--  2. in every string: a URL's password (postgresql://user:***@host), an http(s) URL's user
--     info (https://***@host) and secret parameters (?token=***, libpq's password=***).
-- Dataset profiles are statistics of the data itself and stay as they are. A spec whose secret
-- was redacted fails its next ingest with a message saying to name a connection instead. The
-- helper functions exist only while this migration runs; the schema does not change.

CREATE FUNCTION "lathe_redact_secret_text"(t text) RETURNS text LANGUAGE sql IMMUTABLE AS $$
  SELECT CASE WHEN t IS NULL OR (strpos(t, '://') = 0 AND strpos(t, '=') = 0) THEN t ELSE
    regexp_replace(
      regexp_replace(
        regexp_replace(t, '([a-z][a-z0-9+.-]*://[^[:space:]/?#@:]*:)[^[:space:]/?#@]+@', '\1***@', 'gi'),
        '(https?://)[^[:space:]/?#@]+@', '\1***@', 'gi'),
      '(^|[[:space:]?&;])(password|passwd|pwd|sslpassword|secret|client_secret|token|access_token|refresh_token|id_token|auth_token|api_key|apikey|sig|signature|x-amz-signature|x-amz-credential|x-amz-security-token|x-goog-signature|x-goog-credential)=[^[:space:]&#;]+',
      '\1\2=***', 'gi')
  END
$$;

CREATE FUNCTION "lathe_is_secret_field"(k text, parent text) RETURNS boolean LANGUAGE sql IMMUTABLE AS $$
  SELECT (parent IS NOT NULL AND lower(k) = 'salt' AND lower(regexp_replace(parent, '[-_. ]', '', 'g')) = 'pii')
    OR (k ~* '(pass|pwd|secret|token|auth|cred|key)'
      AND (parent IS NULL OR lower(regexp_replace(parent, '[-_. ]', '', 'g')) <> 'columns')
      AND (
      lower(regexp_replace(k, '[-_. ]', '', 'g')) IN (
        'password', 'passwd', 'pwd', 'secret', 'token', 'authorization', 'credential', 'credentials', 'apikey', 'privatekey',
        'accesskey', 'accesskeyid', 'secretaccesskey', 'sessiontoken', 'clientsecret', 'sastoken')
      OR lower(regexp_replace(k, '[-_. ]', '', 'g')) ~ '(password|passwd|secret|secretkey|accesskey|accesskeyid|apikey|privatekey|accesstoken|authtoken|apitoken|sessiontoken|refreshtoken|bearertoken|securitytoken|idtoken|sastoken)$'))
$$;

CREATE FUNCTION "lathe_redact_secrets"(j jsonb, parent text DEFAULT NULL) RETURNS jsonb LANGUAGE plpgsql IMMUTABLE AS $$
DECLARE
  result jsonb;
  k text;
  v jsonb;
BEGIN
  IF j IS NULL THEN
    RETURN NULL;
  END IF;
  CASE jsonb_typeof(j)
    WHEN 'object' THEN
      result := '{}'::jsonb;
      FOR k, v IN SELECT e.key, e.value FROM jsonb_each(j) AS e LOOP
        IF jsonb_typeof(v) = 'string' AND v #>> '{}' <> '' AND "lathe_is_secret_field"(k, parent) THEN
          result := result || jsonb_build_object(k, '***');
        ELSE
          result := result || jsonb_build_object(k, "lathe_redact_secrets"(v, k));
        END IF;
      END LOOP;
      RETURN result;
    WHEN 'array' THEN
      SELECT coalesce(jsonb_agg("lathe_redact_secrets"(a.e, NULL) ORDER BY a.i), '[]'::jsonb) INTO result
        FROM jsonb_array_elements(j) WITH ORDINALITY AS a(e, i);
      RETURN result;
    WHEN 'string' THEN
      RETURN to_jsonb("lathe_redact_secret_text"(j #>> '{}'));
    ELSE
      RETURN j;
  END CASE;
END
$$;

-- Only rows that hold something the rules could touch are rewritten.
UPDATE "Experiment" SET "source" = "lathe_redact_secrets"("source")
  WHERE "source"::text ~* '(://|=|pass|pwd|secret|token|auth|cred|key|salt)' AND "lathe_redact_secrets"("source") IS DISTINCT FROM "source";
UPDATE "Experiment" SET "hyperparameters" = "lathe_redact_secrets"("hyperparameters")
  WHERE "hyperparameters"::text ~* '(://|=|pass|pwd|secret|token|auth|cred|key|salt)' AND "lathe_redact_secrets"("hyperparameters") IS DISTINCT FROM "hyperparameters";
UPDATE "Experiment" SET "description" = "lathe_redact_secret_text"("description")
  WHERE "lathe_redact_secret_text"("description") IS DISTINCT FROM "description";
UPDATE "Dataset" SET "description" = "lathe_redact_secret_text"("description")
  WHERE "lathe_redact_secret_text"("description") IS DISTINCT FROM "description";

UPDATE "DatasetVersion" SET "source" = "lathe_redact_secrets"("source")
  WHERE "source"::text ~* '(://|=|pass|pwd|secret|token|auth|cred|key|salt)' AND "lathe_redact_secrets"("source") IS DISTINCT FROM "source";

UPDATE "Run" SET "params" = "lathe_redact_secrets"("params")
  WHERE "params"::text ~* '(://|=|pass|pwd|secret|token|auth|cred|key|salt)' AND "lathe_redact_secrets"("params") IS DISTINCT FROM "params";
UPDATE "Run" SET "errorMessage" = "lathe_redact_secret_text"("errorMessage")
  WHERE "lathe_redact_secret_text"("errorMessage") IS DISTINCT FROM "errorMessage";

UPDATE "StageExecution" SET "output" = "lathe_redact_secrets"("output")
  WHERE "output"::text ~* '(://|=|pass|pwd|secret|token|auth|cred|key|salt)' AND "lathe_redact_secrets"("output") IS DISTINCT FROM "output";
UPDATE "StageExecution" SET "checkpoint" = "lathe_redact_secrets"("checkpoint")
  WHERE "checkpoint"::text ~* '(://|=|pass|pwd|secret|token|auth|cred|key|salt)' AND "lathe_redact_secrets"("checkpoint") IS DISTINCT FROM "checkpoint";
UPDATE "StageExecution" SET "errorMessage" = "lathe_redact_secret_text"("errorMessage")
  WHERE "lathe_redact_secret_text"("errorMessage") IS DISTINCT FROM "errorMessage";

UPDATE "ModelVersion" SET "signature" = "lathe_redact_secrets"("signature")
  WHERE "signature"::text ~* '(://|=|pass|pwd|secret|token|auth|cred|key|salt)' AND "lathe_redact_secrets"("signature") IS DISTINCT FROM "signature";

UPDATE "AuditLog" SET "before" = "lathe_redact_secrets"("before")
  WHERE "before"::text ~* '(://|=|pass|pwd|secret|token|auth|cred|key|salt)' AND "lathe_redact_secrets"("before") IS DISTINCT FROM "before";
UPDATE "AuditLog" SET "after" = "lathe_redact_secrets"("after")
  WHERE "after"::text ~* '(://|=|pass|pwd|secret|token|auth|cred|key|salt)' AND "lathe_redact_secrets"("after") IS DISTINCT FROM "after";

DROP FUNCTION "lathe_redact_secrets"(jsonb, text);
DROP FUNCTION "lathe_is_secret_field"(text, text);
DROP FUNCTION "lathe_redact_secret_text"(text);
