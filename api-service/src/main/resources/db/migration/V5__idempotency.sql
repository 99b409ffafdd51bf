-- Idempotency-Key: one row per owner and key. The primary key decides between concurrent requests with one key;
-- status is null while the first is in flight; the stored answer is replayed for 72 hours.
create table idempotency_keys (
    owner_id     uuid        not null references owners (id),
    key          text        not null,
    request_hash text        not null,
    status       integer,
    location     text,
    body         text,
    created_at   timestamptz not null,
    completed_at timestamptz,
    primary key (owner_id, key)
);
create index idempotency_keys_created on idempotency_keys (created_at);
