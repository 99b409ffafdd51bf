package dev.runwire.api.mcp;

import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.UUID;

import jakarta.enterprise.context.ApplicationScoped;

import io.smallrye.mutiny.Uni;

import dev.runwire.api.auth.ApiKey;
import dev.runwire.api.config.ApiConfig;
import dev.runwire.api.error.Problem;
import dev.runwire.api.error.RunwireException.Conflict;
import dev.runwire.api.error.RunwireException.Invalid;
import dev.runwire.api.error.RunwireException.NotFound;

/** The owner's MCP servers: create (with a token shown once), list, read, delete. */
@ApplicationScoped
public class McpServers {

    /** What an MCP server's token begins with: told apart from API keys ({@code rw_}) without a query. */
    static final String TOKEN_PREFIX = "rwmcp_";
    static final int MAX_KEYS = 1000;
    static final int MAX_NAME = 200;
    static final int MAX_USER_ID = 256;

    private final McpServerStore store;
    private final ApiConfig config;

    McpServers(McpServerStore store, ApiConfig config) {
        this.store = store;
        this.config = config;
    }

    /** A new server and its token, which exists only in this answer (only its hash is stored). */
    public record Created(McpServer server, String token) {
    }

    /** The body of a new server. */
    public record CreateRequest(String name, String userId, List<String> actionKeys, List<String> integrationKeys,
            String approval) {
    }

    public Uni<Created> create(UUID ownerId, CreateRequest body) {
        if (body == null) {
            throw new Invalid("missing_body", "a JSON body is required", "");
        }
        List<Problem> problems = new ArrayList<>();
        if (body.name() != null && (body.name().isBlank() || body.name().length() > MAX_NAME)) {
            problems.add(Problem.at("invalid_name", "name is 1-" + MAX_NAME + " characters", "/name"));
        }
        if (body.userId() == null || body.userId().isBlank() || body.userId().length() > MAX_USER_ID) {
            problems.add(
                    Problem.at("missing_user_id", "userId is required (1-" + MAX_USER_ID + " characters)", "/userId"));
        }
        if (body.approval() != null && !McpServer.APPROVALS.contains(body.approval())) {
            problems.add(Problem.at("invalid_approval", "approval is one of " + McpServer.APPROVALS, "/approval"));
        }
        Set<String> actionKeys = keys(body.actionKeys(), "/actionKeys", problems);
        Set<String> integrationKeys = keys(body.integrationKeys(), "/integrationKeys", problems);
        if (problems.isEmpty() && actionKeys.isEmpty() && integrationKeys.isEmpty()) {
            problems.add(Problem.at("empty_scope",
                    "actionKeys or integrationKeys must name at least one action or " + "integration", "/actionKeys"));
        }
        if (!problems.isEmpty()) {
            throw new Invalid(problems);
        }
        return store.unknownActionKeys(ownerId, actionKeys).chain(
                unknownActions -> store.unknownIntegrationKeys(ownerId, integrationKeys).chain(unknownIntegrations -> {
                    List<Problem> unknown = new ArrayList<>();
                    unknownAt(body.actionKeys(), unknownActions, "/actionKeys", "unknown_action", "no action", unknown);
                    unknownAt(body.integrationKeys(), unknownIntegrations, "/integrationKeys", "unknown_integration",
                            "no integration", unknown);
                    if (!unknown.isEmpty()) {
                        throw new Invalid(unknown);
                    }
                    String token = ApiKey.generate(TOKEN_PREFIX);
                    McpServer server = new McpServer(UUID.randomUUID(), ownerId, body.name(), body.userId(),
                            List.copyOf(actionKeys), List.copyOf(integrationKeys),
                            body.approval() == null ? McpServer.APPROVAL_OWNER : body.approval(),
                            OffsetDateTime.now(ZoneOffset.UTC));
                    int max = config.mcp().maxServers();
                    return store.insert(server, ApiKey.hash(token), max).map(inserted -> {
                        if (!inserted) {
                            throw new Conflict("too_many_mcp_servers",
                                    "an owner has at most " + max + " MCP servers; delete one first", null);
                        }
                        return new Created(server, token);
                    });
                }));
    }

    public Uni<List<McpServer>> list(UUID ownerId, int page, int pageSize) {
        return store.list(ownerId, page, pageSize);
    }

    public Uni<McpServer> get(UUID ownerId, UUID id) {
        return store.find(ownerId, id).map(server -> found(server, id));
    }

    public Uni<McpServer> delete(UUID ownerId, UUID id) {
        return store.delete(ownerId, id).map(server -> found(server, id));
    }

    private static McpServer found(McpServer server, UUID id) {
        if (server == null) {
            throw new NotFound("no MCP server with id " + id);
        }
        return server;
    }

    /** The distinct keys of a list, in order; each must be a non-blank string of at most 128 characters. */
    private static Set<String> keys(List<String> given, String pointer, List<Problem> problems) {
        Set<String> keys = new LinkedHashSet<>();
        if (given == null) {
            return keys;
        }
        if (given.size() > MAX_KEYS) {
            problems.add(Problem.at("too_many_keys", "at most " + MAX_KEYS + " keys", pointer));
            return keys;
        }
        for (int i = 0; i < given.size(); i++) {
            String key = given.get(i);
            if (key == null || key.isBlank() || key.length() > 128) {
                problems.add(Problem.at("invalid_key", "a key is 1-128 characters", pointer + "/" + i));
            } else {
                keys.add(key);
            }
        }
        return keys;
    }

    private static void unknownAt(List<String> given, Set<String> unknown, String pointer, String code, String what,
            List<Problem> problems) {
        if (given == null || unknown.isEmpty()) {
            return;
        }
        for (int i = 0; i < given.size(); i++) {
            if (unknown.contains(given.get(i))) {
                problems.add(Problem.at(code, what + " with key " + given.get(i), pointer + "/" + i));
            }
        }
    }
}
