-- Whether an account's current credentials come from a refresh made because the integration refused the previous
-- ones: a refusal of those is one a refresh cannot fix (docs/adr/0023-oauth2-and-refused-credentials.md).
alter table connected_accounts add column refreshed_for_refusal boolean not null default false;
