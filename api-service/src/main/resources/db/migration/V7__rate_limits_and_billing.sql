-- Rate limits (docs/adr/0018-jwt-and-rate-limits.md) and task billing (docs/adr/0019-billing.md).

-- An owner's rate limit (null override: the configured default) and task balance (null: its API-key requests are
-- not billed; a JWT's billing claim decides for its own requests).
alter table owners
    add column rate_limit_exempt   boolean not null default false,
    add column rate_limit_override integer,
    add column task_balance        bigint check (task_balance >= 0);

-- Requests counted per subject (an API key's hash, or a JWT's issuer and subject) per fixed window; the upsert on
-- the primary key is the one place every replica's count meets.
create table rate_windows (
    subject      text        not null,
    window_start timestamptz not null,
    count        integer     not null,
    primary key (subject, window_start)
);
create index rate_windows_start on rate_windows (window_start);

-- A billable run holds one task from its acceptance (the run and the hold are one statement); a run that does not
-- succeed gets it back. (run_id, kind) unique: a replayed event refunds nothing twice.
alter table runs add column billable boolean not null default false;
create table task_ledger (
    id            bigserial primary key,
    owner_id      uuid        not null references owners (id),
    run_id        uuid,
    kind          text        not null,
    tasks         integer     not null,
    balance_after bigint      not null,
    details       jsonb,
    at            timestamptz not null default now(),
    unique (run_id, kind)
);
create index task_ledger_owner on task_ledger (owner_id, id desc);
