-- The executor's own record of each run it carries out: the plan (as its command, secrets sealed), how far each
-- step got, and the events it emitted. A step's result and its events are written in one statement, so a restarted
-- executor resumes exactly where the last one stopped and re-publishes events with their original sequence numbers.
create table runs (
    run_id     uuid primary key,
    owner_id   uuid        not null,
    command    jsonb,                 -- null for a run aborted before its command arrived
    state      jsonb       not null,  -- each step's status, output and error
    status     text        not null,
    next_seq   bigint      not null,
    created_at timestamptz not null,
    updated_at timestamptz not null
);
-- finished runs are purged after a retention period
create index runs_finished on runs (updated_at) where status in ('SUCCESS', 'PARTIAL_SUCCESS', 'NO_SUCCESS', 'FAILED', 'CANCELED');

create table events (
    run_id  uuid   not null references runs (run_id) on delete cascade,
    seq     bigint not null,
    payload jsonb  not null,
    primary key (run_id, seq)
);
