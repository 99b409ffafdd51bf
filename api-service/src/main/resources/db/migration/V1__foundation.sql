-- Tenants and their API keys (only a SHA-256 of each key is kept).
create table owners (
    id         uuid primary key,
    name       text        not null,
    created_at timestamptz not null
);

create table api_keys (
    id         uuid primary key,
    owner_id   uuid        not null references owners (id),
    key_hash   text        not null unique,
    prefix     text        not null,
    created_at timestamptz not null,
    revoked_at timestamptz
);

-- Third-party APIs an owner calls.
create table integrations (
    id         uuid primary key,
    owner_id   uuid        not null references owners (id),
    key        text        not null,
    name       text        not null,
    base_url   text        not null,
    created_at timestamptz not null,
    updated_at timestamptz not null,
    unique (owner_id, key)
);

-- Every row is one immutable version of an action; runs pin the version they used.
create table actions (
    id                  uuid primary key,
    owner_id            uuid        not null references owners (id),
    key                 text        not null,
    version             integer     not null,
    active              boolean     not null,
    intent              text        not null,
    description         text,
    type                text        not null,
    input_schema        text,
    output_schema       text,
    use_default_mapping boolean     not null,
    output_mapping      text,
    http                text        not null,
    timeout_ms          integer     not null,
    key_created_at      timestamptz not null,
    created_at          timestamptz not null,
    unique (owner_id, key, version)
);

-- The read model of runs, kept from the event stream.
create table runs (
    id                uuid primary key,
    owner_id          uuid        not null references owners (id),
    user_id           text,
    action_id         uuid,
    action_key        text,
    action_version    integer,
    intent            text        not null,
    context           text        not null default '',
    repeat_key        text        not null,
    execution_plan_id uuid        not null,
    plan              jsonb       not null,
    status            text        not null,
    result            jsonb,
    error             jsonb,
    last_seq          bigint      not null default 0,
    created_at        timestamptz not null,
    updated_at        timestamptz not null
);
create index runs_owner_created on runs (owner_id, created_at desc, id desc);

-- Every event of a run, once: (run_id, seq) makes a replayed event a no-op.
create table run_events (
    run_id   uuid        not null references runs (id),
    seq      bigint      not null,
    event_id uuid        not null unique,
    type     text        not null,
    payload  jsonb       not null,
    at       timestamptz not null,
    primary key (run_id, seq)
);

-- Transactional outbox: a command is written with its run and published right after the commit;
-- the relay publishes what a crash left behind.
create table outbox (
    id         bigserial primary key,
    run_id     uuid        not null,
    topic      text        not null,
    msg_type   text        not null,
    payload    jsonb       not null,
    created_at timestamptz not null default now()
);
create index outbox_created on outbox (created_at);
