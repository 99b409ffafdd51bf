-- How an integration authenticates its calls, and the accounts users connect to it (docs/adr/0020-connected-accounts.md).

-- {"type": "none" | "api_key" | "bearer" | "basic", "in": "header" | "query", "name": "X-Api-Key"}
alter table integrations add column auth text not null default '{"type":"none"}';

-- A user's (or entity's) credentials for one integration of an owner, sealed with AES-GCM under key_id and bound to
-- the account's id; never shown. At most one active account per owner, integration and user or entity.
create table connected_accounts (
    id              uuid primary key,
    owner_id        uuid        not null references owners (id),
    integration_key text        not null,
    user_id         text,
    entity_id       text,
    status          text        not null,
    key_id          text,
    sealed          text,
    created_at      timestamptz not null,
    updated_at      timestamptz not null,
    check (user_id is not null or entity_id is not null)
);
create unique index connected_accounts_active_user on connected_accounts (owner_id, integration_key, user_id)
    where status = 'active' and user_id is not null;
create unique index connected_accounts_active_entity on connected_accounts (owner_id, integration_key, entity_id)
    where status = 'active' and entity_id is not null;
create index connected_accounts_owner_created on connected_accounts (owner_id, created_at desc, id desc);
