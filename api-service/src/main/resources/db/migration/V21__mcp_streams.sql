-- The SSE answers of MCP tools/call requests (docs/adr/0034-mcp-server.md, "Resuming a stream"): what a GET with
-- Last-Event-ID, sent to any replica, needs to rebuild the rest of a broken stream. An event id is the stream's id and
-- a position in its run's events; the frames themselves are derived again from the run's stored events, so nothing but
-- this row is kept per stream. request_id and progress_token are the JSON-RPC values as sent, rendered as JSON.
-- Deleted with their server, their session or their run; purged after the MCP call retention.
create table mcp_streams (
    id             uuid primary key,
    server_id      uuid        not null references mcp_servers (id) on delete cascade,
    owner_id       uuid        not null,
    session_id     uuid references mcp_sessions (id) on delete cascade,
    run_id         uuid        not null references runs (id) on delete cascade,
    request_id     text        not null,
    progress_token text,
    tool           text        not null,
    input          jsonb       not null,
    created_at     timestamptz not null
);
create index mcp_streams_created on mcp_streams (created_at);
