-- MCP servers (docs/adr/0034-mcp-server.md): an owner's scoped endpoint for an AI agent's MCP client, bound to one end
-- user and to a set of actions (by key) and integrations (by key, every action on them). Only the token's SHA-256 is
-- stored, as for API keys (ADR 0003). A deleted server's row is deleted: its URL and token stop working at once.
create table mcp_servers (
    id               uuid primary key,
    owner_id         uuid        not null references owners (id),
    name             text,
    user_id          text        not null,
    action_keys      text[]      not null,
    integration_keys text[]      not null,
    token_hash       text        not null unique,
    created_at       timestamptz not null
);
create index mcp_servers_owner on mcp_servers (owner_id, created_at, id);
