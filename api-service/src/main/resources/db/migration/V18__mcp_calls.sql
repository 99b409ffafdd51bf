-- tools/call requests of MCP servers whose runs were accepted (docs/adr/0034-mcp-server.md): what a
-- notifications/cancelled sent to any replica needs to find the run its request started. request_id is the JSON-RPC
-- id as sent, rendered as JSON ("7" and 7 are different ids). Not unique: without sessions, two clients of one server
-- may use the same ids; a cancel takes the newest. Deleted with their server; purged after a retention.
create table mcp_calls (
    server_id  uuid        not null references mcp_servers (id) on delete cascade,
    request_id text        not null,
    owner_id   uuid        not null,
    run_id     uuid        not null references runs (id) on delete cascade,
    created_at timestamptz not null
);
create index mcp_calls_request on mcp_calls (server_id, request_id, created_at desc);
create index mcp_calls_created on mcp_calls (created_at);
