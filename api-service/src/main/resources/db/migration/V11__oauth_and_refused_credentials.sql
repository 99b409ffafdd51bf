-- OAuth 2, refused credentials, inactive integrations and the AUTH_REQUIRED time limit (docs/adr/0023-oauth2-and-refused-credentials.md).

-- An integration may be switched off (never used while inactive); which answers mean its credentials no longer work
-- ({"statuses": [401], "bodyPattern": "..."}); an OAuth 2 client secret, sealed and bound to the integration's id.
alter table integrations add column active boolean not null default true;
alter table integrations add column credentials_invalid text;
alter table integrations add column key_id text;
alter table integrations add column sealed_client_secret text;

-- Each change of an account's credentials (a refresh, a reconnection) makes a new version; a refusal names the version
-- it refused, so one refusal causes at most one refresh. expires_at: the access token's end (from expires_in).
-- An authorization-code connection waits in status 'initiated' for its redirect: the state is kept as a hash.
alter table connected_accounts add column credentials_version bigint not null default 1;
alter table connected_accounts add column expires_at timestamptz;
alter table connected_accounts add column refreshed_at timestamptz;
alter table connected_accounts add column state_hash text;
alter table connected_accounts add column state_expires_at timestamptz;
alter table connected_accounts add column return_url text;
alter table connected_accounts add column status_reason text;
create unique index connected_accounts_state on connected_accounts (state_hash) where state_hash is not null;

-- A run left in AUTH_REQUIRED past the limit is told so once.
alter table runs add column auth_expiry_sent boolean not null default false;
create index runs_auth_required on runs (updated_at) where status = 'AUTH_REQUIRED' and not auth_expiry_sent;
