-- MCP sessions and elicitations (docs/adr/0034-mcp-server.md, "In-band approvals and connections").
-- A session is handed out (Mcp-Session-Id) only to a client that declares a capability the server uses (elicitation):
-- the client sends its capabilities once, in initialize, and only the session id afterwards, so any replica answering
-- a later request reads them here. Deleted with their server, by DELETE with the session id, or after a retention.
create table mcp_sessions (
    id               uuid primary key,
    server_id        uuid        not null references mcp_servers (id) on delete cascade,
    owner_id         uuid        not null,
    protocol_version text        not null,
    capabilities     jsonb       not null,
    created_at       timestamptz not null
);
create index mcp_sessions_created on mcp_sessions (created_at);

-- An approval asked of a client through elicitation/create: the JSON-RPC id the server sent is id::text, so the
-- client's response (POSTed to any replica, with the same session) finds the approval it decides. The tokens are those
-- of the run's approval event (already in the event store); state moves once from open.
create table mcp_elicitations (
    id            uuid primary key,
    server_id     uuid        not null references mcp_servers (id) on delete cascade,
    owner_id      uuid        not null,
    session_id    uuid        not null references mcp_sessions (id) on delete cascade,
    run_id        uuid        not null references runs (id) on delete cascade,
    step_id       text,
    approve_token text        not null,
    deny_token    text        not null,
    state         text        not null check (state in ('open', 'approved', 'denied', 'cancelled', 'refused')),
    detail        text,
    created_at    timestamptz not null,
    answered_at   timestamptz
);
create index mcp_elicitations_created on mcp_elicitations (created_at);

-- A server's own approval policy: owner (the owner's policy alone), destructive (every call of a destructive action
-- waits for approval, whatever the owner's policy), always (every call waits for approval).
alter table mcp_servers add column approval text not null default 'owner'
    check (approval in ('owner', 'destructive', 'always'));
