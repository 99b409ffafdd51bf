-- Runs with plans: the run a repeat repeats, the approval strategy, the integrations a run may use (for listing by
-- customerIntegrationIds), and the indexes that keep listing fast with millions of runs (docs/adr/0011).
alter table runs
    add column repeat_run_id     uuid,
    add column approval_strategy text   not null default 'NONE',
    add column integration_keys  text[] not null default '{}';

-- newest first per owner, with optional user or status filter; id breaks ties in created_at
create index runs_owner_user_created on runs (owner_id, user_id, created_at desc, id desc);
create index runs_owner_status_created on runs (owner_id, status, created_at desc, id desc);
-- runs that used any of some integrations
create index runs_integration_keys on runs using gin (integration_keys);
-- the run that holds a repeat key (the first run with it)
create index runs_owner_repeat_key on runs (owner_id, repeat_key, created_at);
