-- talkover's agents and their actions (docs/adr/0022-talkover-surface.md).
create table agents (
    id          uuid primary key,
    owner_id    uuid        not null references owners (id),
    name        text        not null,
    description text,
    created_at  timestamptz not null,
    updated_at  timestamptz not null
);
create index agents_owner_created on agents (owner_id, created_at desc, id desc);

-- input_schema is the seed's array form; the draft-7 view is derived from it.
create table agent_actions (
    id                uuid primary key,
    owner_id          uuid        not null references owners (id),
    agent_id          uuid        not null references agents (id),
    name              text        not null,
    label             text        not null,
    description       text        not null,
    type              text        not null,
    input_schema      text        not null,
    config            text,
    action_trigger    text,
    url               text,
    authorization_url text,
    current_status    text        not null,
    created_at        timestamptz not null,
    updated_at        timestamptz not null,
    unique (agent_id, name)
);
