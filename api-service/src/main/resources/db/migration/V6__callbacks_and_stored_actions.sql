-- Asynchronous runs and their callbacks (docs/adr/0016-callbacks.md), and Zapier's stored actions (docs/adr/0017).

-- Where a run's callbacks go, and which surface's shape they (and its reads) take.
alter table runs
    add column callback_url     text,
    add column surface          text not null default 'native',
    add column stored_action_id uuid;
create index runs_stored_action on runs (stored_action_id, id) where stored_action_id is not null;

-- Each owner's signing secrets, sealed with the secrets key: the current one (expires_at null) and, for a rotation's
-- overlap, the previous one, which is signed with as well until it expires.
create table webhook_secrets (
    id         uuid primary key,
    owner_id   uuid        not null references owners (id),
    sealed     text        not null,
    created_at timestamptz not null,
    expires_at timestamptz
);
create index webhook_secrets_owner on webhook_secrets (owner_id, created_at desc);

-- One callback of one run event. id is the webhook-id, the same on every attempt; (run_id, run_seq) makes a replayed
-- event a no-op. A replica claims a due delivery by leasing it; a lease that runs out (its replica died) is claimable.
create table deliveries (
    id              uuid primary key,
    owner_id        uuid        not null references owners (id),
    run_id          uuid        not null references runs (id),
    run_seq         bigint      not null,
    event_type      text        not null,
    url             text        not null,
    body            text        not null,
    state           text        not null,
    attempts        integer     not null default 0,
    next_attempt_at timestamptz not null,
    lease_until     timestamptz,
    lease_token     uuid,
    leased_by       text,
    created_at      timestamptz not null,
    updated_at      timestamptz not null,
    unique (run_id, run_seq)
);
create index deliveries_due on deliveries (next_attempt_at) where state = 'pending';
create index deliveries_owner_created on deliveries (owner_id, created_at desc, id desc);

-- Every attempt of a delivery, with a bounded excerpt of what the receiver answered.
create table delivery_attempts (
    delivery_id      uuid        not null references deliveries (id),
    attempt          integer     not null,
    at               timestamptz not null,
    status_code      integer,
    latency_ms       integer     not null,
    error            text,
    response_excerpt text,
    primary key (delivery_id, attempt)
);

-- Zapier's stored actions: an action with preset inputs (and an optional connection), run again and again by id.
create table stored_actions (
    id            uuid primary key,
    owner_id      uuid        not null references owners (id),
    action_key    text        not null,
    selected_api  text        not null,
    action_type   text        not null,
    title         text,
    inputs        jsonb       not null,
    connection_id text,
    created_at    timestamptz not null,
    updated_at    timestamptz not null
);
create index stored_actions_owner_created on stored_actions (owner_id, created_at desc, id desc);

-- at most one current secret per owner; the attempt a redelivery's schedule starts from
create unique index webhook_secrets_current on webhook_secrets (owner_id) where expires_at is null;
alter table deliveries add column schedule_from integer not null default 0;
