-- What each action version declares about its safety (docs/adr/0035). Versions stored before get the safe defaults:
-- a call may repeat an effect, may destroy something, and its provider ignores the Idempotency-Key.
alter table actions add column side_effects text not null default 'non_idempotent';
alter table actions add column destructive boolean not null default true;
alter table actions add column accepts_idempotency_key boolean not null default false;

-- One resolution per step whose call's outcome is unknown: the caller's, or the expiry's, whichever comes first; the
-- primary key refuses the second, and the resolution's command is written in the same statement.
create table outcome_resolutions (
    run_id      uuid        not null references runs (id),
    step_id     text        not null,
    outcome     text        not null,
    resolved_at timestamptz not null,
    primary key (run_id, step_id)
);

-- The expiry sweep looks for steps that wait for a resolution; they are few among the events.
create index run_events_outcome_unknown on run_events (at) where type = 'STEP_OUTCOME_UNKNOWN';

-- An owner's approval policy: "always" makes every destructive action wait for approval, whatever the request asks.
alter table owners add column approval_for_destructive text not null default 'default';
