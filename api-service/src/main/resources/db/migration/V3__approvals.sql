-- One decision per approval a run asked for (step_key '' is the run's start): the primary key makes a second
-- decision, with either token, a no-op that reports the first.
create table approvals (
    run_id       uuid        not null references runs (id),
    step_key     text        not null,
    decision     text        not null,
    input_hash   text,
    edited_input jsonb,
    decided_at   timestamptz not null,
    primary key (run_id, step_key)
);
