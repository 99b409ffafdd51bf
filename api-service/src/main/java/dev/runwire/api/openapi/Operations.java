package dev.runwire.api.openapi;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * What the code does not say about each operation: its name, words, the success answer of a method that builds a
 * {@code Response}, and the statuses its own logic answers beyond those every operation of its kind answers (those
 * {@link ApiDescription} derives: authentication, rate limit, malformed body or parameters, unknown path ids, 500,
 * 503). An operation missing here still gets all the derived parts and a name made from its resource method.
 */
final class Operations {

    /**
     * One operation.
     *
     * @param success
     *            its success status (0: keep what the scanner found)
     * @param schema
     *            the component of its success body (null: keep the scanner's; "" none)
     * @param errors
     *            statuses its own logic answers
     * @param location
     *            statuses that carry {@code Location}
     * @param example
     *            an example request body (JSON), or null
     * @param also
     *            further success answers: status to component ("" none)
     */
    record Spec(String id, String summary, String description, int success, String schema, List<Integer> errors,
            List<Integer> location, String example, Map<Integer, String> also) {

        Spec answers(int status, String component) {
            return new Spec(id, summary, description, status, component, errors, location, example, also);
        }

        Spec alsoAnswers(int status, String component) {
            Map<Integer, String> more = new LinkedHashMap<>(also);
            more.put(status, component);
            return new Spec(id, summary, description, success, schema, errors, location, example, more);
        }

        Spec errors(Integer... statuses) {
            return new Spec(id, summary, description, success, schema, List.of(statuses), location, example, also);
        }

        Spec location(Integer... statuses) {
            return new Spec(id, summary, description, success, schema, errors, List.of(statuses), example, also);
        }

        Spec example(String json) {
            return new Spec(id, summary, description, success, schema, errors, location, json, also);
        }
    }

    static final Map<String, Spec> BY_ROUTE = new LinkedHashMap<>();

    private static Spec op(String route, String id, String summary, String description) {
        Spec spec = new Spec(id, summary, description, 0, null, List.of(), List.of(), null, Map.of());
        BY_ROUTE.put(route, spec);
        return spec;
    }

    private static void put(String route, Spec spec) {
        BY_ROUTE.put(route, spec);
    }

    private Operations() {
    }

    static {
        // ---- native: runs
        put("POST /v1/runs", op("POST /v1/runs", "createRun", "Start a run of a plan",
                "Accepts a plan (steps with `dependsOnSteps`; a step input may take a value from an earlier step's "
                        + "output with `{\"$fromStep\": \"a\", \"$pointer\": \"/city\"}`), or plans one from `intent` "
                        + "when a planner is configured. Answers 201 with the run's id and `Location` once the run "
                        + "and its command are stored; follow it with `GET /v1/runs/{runId}/sse`. Every problem of "
                        + "the body is a 400 with a pointer (the runs API's status). With `Idempotency-Key`, a "
                        + "repeat within 72 h replays the first answer.").answers(201, "CreatedRun")
                                .errors(402, 502, 503).location(201).example(
                                        "{\"intent\":\"weather in two cities\",\"selectedCustomerIntegrationIds\":[\"*\"],"
                                                + "\"context\":\"\",\"userId\":\"demo-user\",\"plan\":{\"description\":\"Lisbon, then the "
                                                + "city it names\",\"steps\":[{\"id\":\"a\",\"description\":\"Lisbon\",\"dependsOnSteps\":[],"
                                                + "\"action\":{\"key\":\"get_weather\"},\"input\":{\"city\":\"Lisbon\"}},{\"id\":\"b\","
                                                + "\"description\":\"the city Lisbon's answer names\",\"dependsOnSteps\":[\"a\"],\"action\":"
                                                + "{\"key\":\"get_weather\"},\"input\":{\"city\":{\"$fromStep\":\"a\",\"$pointer\":\"/city\"}}}]}}"));
        put("GET /v1/runs/{runId}/sse", op("GET /v1/runs/{runId}/sse", "streamRunEvents",
                "Stream a run's events (server-sent events)",
                "Every event of the run in order, as server-sent events: `id:` is the event's per-run sequence, "
                        + "`event:` its type (a `RunEvent` type such as `STEP_STARTED` or `RUN_SUCCEEDED`), `data:` "
                        + "the event as JSON (a `RunEvent`; without the step's input and output unless "
                        + "`includeToolCalls=true`). The stream ends after the terminal event (`RUN_SUCCEEDED`, "
                        + "`RUN_PARTIAL_SUCCESS`, `RUN_NO_SUCCESS`, `RUN_FAILED`, `RUN_CANCELED`). Resume with the "
                        + "`Last-Event-ID` header (or the `lastEventId` query parameter): only the events after it "
                        + "are sent. Heartbeat comments (`: heartbeat`) keep idle streams open; a reader too slow "
                        + "for its buffer is disconnected and can resume.").answers(200, null));
        op("GET /v1/runs", "listRuns", "List runs",
                "The owner's runs, newest first, filtered by user, status and integrations; `includeEvents=true` "
                        + "adds each run's events. Parameters out of range are a 400 naming the parameter.");
        op("GET /v1/runs/{runId}", "getRun", "Read a run",
                "A run, its plan (its steps with their `dependsOnSteps`, actions and inputs, as stored), its status, "
                        + "result or error, and with `includeEvents=true` its ordered events. Another owner's run, "
                        + "and an id that is no UUID, are 404.");
        op("DELETE /v1/runs/{runId}", "abortRun", "Abort a run",
                "Cancels the run and its calls in flight. A run that already finished stays as it is: the answer "
                        + "says how it ended.");
        put("GET /v1/runs/approval", op("GET /v1/runs/approval", "decideApproval", "Approve or deny with a token",
                "Decides what a run waits for, with the approve or deny token of its approval-request event. 201 "
                        + "also for a repeated decision (it reports the first one, `alreadyDecided: true`); 400 for "
                        + "a token that cannot decide anything (`invalid_token`, `token_expired`, `run_finished`).")
                                .answers(201, "ApprovalDecision"));
        put("POST /v1/runs/approval",
                op("POST /v1/runs/approval", "approveWithInput", "Approve a step with a changed input",
                        "Approves the step an approve token names, with an input that replaces the planned one "
                                + "(checked against the action's input schema: 422 with pointers under `/input`).")
                                        .answers(201, "ApprovalDecision").errors(422)
                                        .example("{\"token\":\"<approveToken of the STEP_APPROVAL_REQUESTED event>\","
                                                + "\"input\":{\"city\":\"Porto\"}}"));
        put("POST /v1/runs/{runId}/steps/{stepId}/result", op("POST /v1/runs/{runId}/steps/{stepId}/result",
                "reportStepResult", "Report the result of a waiting step",
                "For a step that waits for its caller (talkover's transfer, hold, external actions): the body is "
                        + "the step's output and must match the schema its `STEP_AWAITING_RESULT` event announced. "
                        + "202 once accepted; 409 when the step does not wait.").answers(202, "StepResultReported")
                                .errors(409, 422).example("{\"status\":\"transferred\"}"));
        put("POST /v1/actions/run", op("POST /v1/actions/run", "runAction", "Run an action",
                "Runs one action synchronously: 200 `{runId, output}` when it succeeds within the wait, 202 with "
                        + "`Location` when it goes on (or `async: true`), 502 with the run's error code when it "
                        + "failed, 409 `run_canceled` when it was aborted; `callbackUrl` gets the end as a signed "
                        + "callback. With `Idempotency-Key`, a repeat within 72 h replays the first answer.")
                                .answers(200, "RunActionResponse").alsoAnswers(202, "RunAccepted")
                                .errors(402, 404, 409, 422, 502, 503).location(202, 409, 502).example(
                                        "{\"key\":\"get_weather\",\"userId\":\"demo-user\",\"input\":{\"city\":\"Lisbon\"}}"));

        // ---- native: actions
        put("POST /v1/actions", op("POST /v1/actions", "createAction", "Register an action",
                "A new action: its input and output JSON Schemas (draft 7) and, for an `http` action, the request "
                        + "template. 422 with pointers for anything that cannot work; 409 for a key in use.")
                                .answers(201, "ActionView").errors(409, 422));
        op("GET /v1/actions", "listActions", "List actions", "The owner's actions, each in its current version.");
        op("GET /v1/actions/{key}", "getAction", "Read an action", "An action, in its current or a given version.");
        put("PUT /v1/actions/{key}", op("PUT /v1/actions/{key}", "updateAction", "Make a new version of an action",
                "Versions are immutable: the new one is used by runs accepted from now on.").errors(422));
        op("DELETE /v1/actions/{key}", "deactivateAction", "Deactivate an action",
                "The action stays readable; runs of it are refused (409 `action_inactive`).");

        // ---- native: integrations
        put("POST /v1/integrations",
                op("POST /v1/integrations", "createIntegration", "Configure an integration",
                        "Base URL, authentication (`none`, `api_key`, `bearer`, `basic`, OAuth 2 client credentials or "
                                + "authorization code, its client secret sealed at rest), what answers mean refused "
                                + "credentials.").answers(201, "IntegrationView").errors(409, 422));
        op("GET /v1/integrations", "listIntegrations", "List integrations", "The owner's integrations.");
        op("GET /v1/integrations/{key}", "getIntegration", "Read an integration", "An integration, never its secrets.");
        put("PATCH /v1/integrations/{key}", op("PATCH /v1/integrations/{key}", "updateIntegration",
                "Change an integration", "Absent fields stay as they are; the auth scheme never changes.").errors(422));
        put("DELETE /v1/integrations/{key}",
                op("DELETE /v1/integrations/{key}", "deleteIntegration", "Delete an integration",
                        "Deletes it and revokes its connected accounts; its actions can no longer run.").answers(204,
                                ""));

        // ---- native: connected accounts
        put("POST /v1/connected-accounts", op("POST /v1/connected-accounts", "connectAccount",
                "Connect a user's account",
                "Stores a user's (or entity's) credentials for an integration, sealed and never shown; for an "
                        + "OAuth 2 authorization-code integration without credentials, answers the connect link "
                        + "(`redirectUrl`) the user opens to consent.").answers(201, "AccountView").errors(404, 409,
                                422, 502));
        op("GET /v1/connected-accounts", "listConnectedAccounts", "List connected accounts",
                "The owner's connected accounts, without credentials.");
        op("GET /v1/connected-accounts/{id}", "getConnectedAccount", "Read a connected account",
                "A connected account and its status, without credentials.");
        op("DELETE /v1/connected-accounts/{id}", "revokeConnectedAccount", "Revoke a connected account",
                "Its credentials are no longer used.");
        put("GET /oauth/callback", op("GET /oauth/callback", "oauthCallback", "OAuth 2 redirect target",
                "Where an OAuth 2 provider sends the user's browser after consent: exchanges the code (state used "
                        + "once, within 10 minutes), then redirects to the connection's `returnUrl` (302) or "
                        + "answers the account. Public: the state is the credential.").answers(200, "AccountView")
                                .alsoAnswers(302, "").errors(422, 502).location(302));

        // ---- native: callbacks, billing
        op("GET /v1/webhook-secret", "getWebhookSecret", "Read the webhook signing secret",
                "The owner's `whsec_` secret that signs callbacks (Standard Webhooks).");
        op("POST /v1/webhook-secret/rotate", "rotateWebhookSecret", "Rotate the webhook signing secret",
                "A new secret signs from now on; the previous one also signs until `previousExpiresAt`.");
        op("GET /v1/callbacks", "listCallbacks", "List callback deliveries",
                "Deliveries of callbacks, optionally of one run, with their state.");
        op("GET /v1/callbacks/{deliveryId}", "getCallback", "Read a callback delivery",
                "A delivery and every attempt (time, status, latency, error, excerpt).");
        put("POST /v1/callbacks/{deliveryId}/redeliver",
                op("POST /v1/callbacks/{deliveryId}/redeliver", "redeliverCallback", "Send a callback again",
                        "Sends a finished delivery again with the same `webhook-id`; 409 while it is still pending.")
                                .answers(202, "DeliveryView").errors(409));
        put("POST /v1/callbacks/recover", op("POST /v1/callbacks/recover", "recoverCallbacks",
                "Send failed callbacks again",
                "Makes every failed delivery created since a time (default: the last 24 h) due again, e.g. after "
                        + "the receiver's outage.").answers(202, "Recovered"));
        op("GET /v1/billing", "getBilling", "Read the task balance", "The task balance and its ledger.");

        // ---- native: MCP servers and tool definitions
        put("POST /v1/mcp-servers", op("POST /v1/mcp-servers", "createMcpServer", "Create an MCP server",
                "A URL and a token for one agent's MCP client, scoped to one end user (`userId`) and to actions "
                        + "(`actionKeys`) or every action of integrations (`integrationKeys`), with its own approval "
                        + "policy (`approval`: `owner`, the owner's policy alone, the default; `destructive`, every "
                        + "call of a destructive action waits for approval; `always`, every call does). The token is "
                        + "in this "
                        + "answer only. 422 with pointers for an unknown key or an empty scope; 409 past the number "
                        + "of servers an owner may have.").errors(409, 422));
        op("GET /v1/mcp-servers", "listMcpServers", "List MCP servers", "The owner's MCP servers, oldest first.");
        op("GET /v1/mcp-servers/{id}", "getMcpServer", "Read an MCP server",
                "An MCP server, its URL and scope (never its token). Another owner's server is 404.");
        op("DELETE /v1/mcp-servers/{id}", "deleteMcpServer", "Delete an MCP server",
                "Its URL and token stop working at once, on every replica.");
        op("GET /v1/mcp-servers/{id}/tools", "listMcpServerTools", "An MCP server's tools as definitions",
                "Every runnable action of the server's scope as tool definitions, in the order `tools/list` gives "
                        + "them: `format=openai` (the default; Chat Completions `tools`), `anthropic` (Messages "
                        + "`tools`) or `mcp` (the MCP `Tool` objects). OpenAI and Anthropic names match "
                        + "`^[a-zA-Z0-9_-]{1,64}$` (a dot becomes `_` plus 8 hex digits of the key's hash) and their "
                        + "schemas are top-level object schemas (a non-object input is wrapped as `input`). Another "
                        + "owner's server is 404; an unknown format 400.");
        put("GET /mcp/{serverId}", op("GET /mcp/{serverId}", "resumeMcpStream",
                "Resume an MCP tool call's stream (server-sent events)",
                "The MCP endpoint itself takes JSON-RPC messages by POST (described by the MCP specification, not "
                        + "here). A `tools/call` answered as server-sent events carries event ids "
                        + "(`<stream>_<sequence>`); a client whose stream broke sends `GET` with `Last-Event-ID` (and "
                        + "its `Mcp-Session-Id` when the call had one) to any replica and gets what followed that "
                        + "event — progress, the approval or connection the run still waits for, the call's response "
                        + "once the run ended — then the run live, with heartbeat comments, up to "
                        + "`RUNWIRE_MCP_STREAM_WAIT`. Authenticated as the POST: the server's token, or its owner's API "
                        + "key or JWT. Without `Last-Event-ID` 405 (the server offers no stream of its own); a "
                        + "`Last-Event-ID` that is none of this server's ids 400; another server's, owner's or "
                        + "session's stream, or an unknown session, 404.").answers(200, null).errors(400, 404, 405));
        op("GET /v1/tools", "listTools", "The owner's actions as tool definitions",
                "Every runnable action of the owner (active, on an active integration) as tool definitions, by "
                        + "key: `format=openai` (the default; Chat Completions `tools`), `anthropic` (Messages "
                        + "`tools`) or `mcp` (the MCP `Tool` objects `tools/list` gives). OpenAI and Anthropic names "
                        + "match `^[a-zA-Z0-9_-]{1,64}$` (a dot becomes `_` plus 8 hex digits of the key's hash) and "
                        + "their schemas are top-level object schemas (a non-object input is wrapped as `input`). An "
                        + "unknown format is a 400 naming the parameter.");

        // ---- admin
        put("POST /admin/owners",
                op("POST /admin/owners", "createOwner", "Create an owner",
                        "An owner (tenant) and its first API key, shown once.").answers(201, "CreatedOwner").errors(422)
                                .example("{\"name\":\"acme\"}"));
        put("POST /admin/owners/{ownerId}/tasks",
                op("POST /admin/owners/{ownerId}/tasks", "creditTasks", "Credit tasks to an owner",
                        "An owner with a balance is billed one task per successful run.").errors(422));
        put("PUT /admin/owners/{ownerId}/rate-limit", op("PUT /admin/owners/{ownerId}/rate-limit", "setRateLimit",
                "Set an owner's rate limit", "Exempt the owner, or override its limit.").errors(422));
        op("POST /admin/secrets/reseal", "resealSecrets", "Re-encrypt stored secrets",
                "Re-encrypts every stored secret under the current key after a key rotation.");

        // ---- talkover
        put("GET /api/v1/agents",
                op("GET /api/v1/agents", "listAgents", "List agents", "The owner's agents, in talkover's envelope.")
                        .answers(200, "TalkoverAgents"));
        put("POST /api/v1/agents", op("POST /api/v1/agents", "createAgent", "Create an agent", "A new agent.")
                .answers(201, "TalkoverAgent").errors(422));
        put("GET /api/v1/agents/{agentId}",
                op("GET /api/v1/agents/{agentId}", "getAgent", "Read an agent", "An agent (404 `AGENT_NOT_FOUND`).")
                        .answers(200, "TalkoverAgent"));
        put("GET /api/v1/agents/{agentId}/actions", op("GET /api/v1/agents/{agentId}/actions", "listAgentActions",
                "List an agent's actions",
                "`input_schema` in the array form, `input_json_schema` its draft-7 view; an empty list is no error.")
                        .answers(200, "TalkoverActions"));
        put("POST /api/v1/agents/{agentId}/actions",
                op("POST /api/v1/agents/{agentId}/actions", "upsertAgentAction", "Create or change an agent action",
                        "A `webhook`, `transfer`, `hold` or `external` action; 201 when created, 200 when changed.")
                                .answers(201, "TalkoverAction").alsoAnswers(200, "TalkoverAction").errors(422));
        put("DELETE /api/v1/agents/{agentId}/actions/{actionId}",
                op("DELETE /api/v1/agents/{agentId}/actions/{actionId}", "deleteAgentAction", "Delete an agent action",
                        "404 `ACTION_NOT_FOUND` for an unknown one.").answers(200, "TalkoverAction"));
        put("POST /api/v1/agents/{agentId}/actions/{actionId}/run",
                op("POST /api/v1/agents/{agentId}/actions/{actionId}/run", "runAgentAction", "Run an agent action",
                        "A webhook action POSTs the input to its URL and answers the run with its output; `transfer`, "
                                + "`hold` and `external` answer `QUEUED` and wait for "
                                + "`POST /v1/runs/{run_id}/steps/{step_id}/result`.").answers(200, "TalkoverActionRun")
                                        .errors(402, 409, 422, 503)
                                        .example("{\"input\":{\"order_id\":\"A-1001\"},\"user_id\":\"caller-42\"}"));

        // ---- Composio
        put("POST /api/v2/actions/{actionId}/execute", op("POST /api/v2/actions/{actionId}/execute", "composioExecute",
                "Execute an action (Composio)",
                "Runs the action for a connected account, an entity or a given auth config; `text` is turned into "
                        + "the input by the configured language model. 200 whatever the action's outcome "
                        + "(`successful: false` with its error).").errors(402, 409, 422, 503).example(
                                "{\"entityId\":\"demo-user\",\"appName\":\"weather\",\"input\":{\"city\":\"Lisbon\"}}"));
        op("GET /api/v2/actions/{actionName}", "composioGetAction", "Read an action (Composio)",
                "The action's `parameters` (input schema) and `response` (output schema).");
        op("GET /api/v1/connectedAccounts", "composioListConnectedAccounts", "List connected accounts (Composio)",
                "Connected accounts, without credentials.");

        // ---- Zapier
        put("POST /actions/v1/stored-actions",
                op("POST /actions/v1/stored-actions", "zapierCreateStoredAction", "Create a stored action",
                        "An action with its integration and stored inputs.").answers(201, "StoredActionDocument"));
        op("GET /actions/v1/stored-actions", "zapierListStoredActions", "List stored actions",
                "The owner's stored actions.");
        op("GET /actions/v1/stored-actions/{id}", "zapierGetStoredAction", "Read a stored action", "A stored action.");
        op("PATCH /actions/v1/stored-actions/{id}", "zapierUpdateStoredAction", "Change a stored action",
                "Absent attributes stay as they are.");
        put("DELETE /actions/v1/stored-actions/{id}", op("DELETE /actions/v1/stored-actions/{id}",
                "zapierDeleteStoredAction", "Delete a stored action", "Its runs stay readable.").answers(204, ""));
        put("POST /actions/v1/stored-actions/{id}/run", op("POST /actions/v1/stored-actions/{id}/run",
                "zapierRunStoredAction", "Run a stored action",
                "Inputs are merged over the stored ones; 202 with the run's id. With `idempotency_id`, a repeat "
                        + "within 72 h returns the original answer whatever its body.")
                                .answers(202, "ZapierRunAcceptedDocument").errors(402, 409, 503).example(
                                        "{\"data\":{\"inputs\":{\"city\":\"Lisbon\"},\"callback_url\":\"https://example.com/hook\","
                                                + "\"idempotency_id\":\"order-1001\"}}"));
        op("GET /actions/v1/stored-actions/{id}/runs/{runId}", "zapierGetStoredActionRun", "Read a stored action's run",
                "`status` is `waiting`, `success` or `error`; 200 whatever the run's outcome.");
        put("POST /actions/v1/runs",
                op("POST /actions/v1/runs", "zapierRunAction", "Run an action once",
                        "A one-off run of an action named by its key; 202 with the run's id.")
                                .answers(202, "ZapierRunAcceptedDocument").errors(402, 404, 409, 503)
                                .example("{\"data\":{\"action\":\"get_weather\",\"inputs\":{\"city\":\"Lisbon\"}}}"));
        op("GET /actions/v1/runs/{runId}", "zapierGetRun", "Read a one-off run",
                "`status` is `waiting`, `success` or `error`; 200 whatever the run's outcome.");
    }
}
