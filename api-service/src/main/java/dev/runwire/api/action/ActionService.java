package dev.runwire.api.action;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.regex.Pattern;

import jakarta.enterprise.context.ApplicationScoped;

import com.fasterxml.jackson.databind.JsonNode;

import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.SqlConnection;

import dev.runwire.api.error.ErrorObject;
import dev.runwire.api.error.Problem;
import dev.runwire.api.error.RunwireException.Conflict;
import dev.runwire.api.error.RunwireException.Invalid;
import dev.runwire.api.error.RunwireException.NotFound;
import dev.runwire.api.integration.Integrations;
import dev.runwire.model.action.ActionSafety;
import dev.runwire.model.action.SideEffects;
import dev.runwire.model.command.RetryPolicy;
import dev.runwire.model.http.HttpValues;
import dev.runwire.model.json.Json;

/** Registers actions as immutable versions, checks their schemas and templates on write. */
@ApplicationScoped
public class ActionService {

    /** Action keys: short and URL-safe. */
    static final Pattern KEY = Pattern.compile("[A-Za-z0-9][A-Za-z0-9_.-]{0,127}");
    private static final Set<String> METHODS = Set.of("GET", "POST", "PUT", "PATCH", "DELETE");
    private static final int DEFAULT_TIMEOUT_MS = 30_000;
    private static final int MAX_TIMEOUT_MS = 300_000;

    /** How often a new version is tried again when a concurrent change took its number. */
    private static final int VERSION_ATTEMPTS = 3;

    private final Schemas schemas;
    private final Pool pool;
    private final ActionVersions versions;
    private final Integrations integrations;

    ActionService(Schemas schemas, Pool pool, ActionVersions versions, Integrations integrations) {
        this.schemas = schemas;
        this.pool = pool;
        this.versions = versions;
        this.integrations = integrations;
    }

    /** Registers version 1 of a new action; 409 when the owner has an action with its key. */
    public Uni<ActionView> create(UUID ownerId, ActionRequest body) {
        validate(body);
        if (body.key() == null || !KEY.matcher(body.key()).matches()) {
            throw new Invalid("invalid_key", "key must match " + KEY.pattern(), "/key");
        }
        return checkSchemas(body)
                .chain(() -> pool.withTransaction(conn -> versions.latest(conn, ownerId, body.key()).chain(existing -> {
                    if (existing != null) {
                        throw actionExists(body.key());
                    }
                    return requireIntegration(conn, ownerId, body);
                }).chain(() -> versions.insert(conn, version(ownerId, body.key(), body, 1, null))).map(created -> {
                    if (created == null) {
                        // created concurrently: the unique key took the first version
                        throw actionExists(body.key());
                    }
                    return ActionView.of(created);
                })));
    }

    private static Conflict actionExists(String key) {
        return new Conflict("action_exists", "an action with key " + key + " exists; PUT a new version instead",
                ErrorObject.Source.pointer("/key"));
    }

    /** Compiled off the event loop, within the schema-check budget. */
    private Uni<Void> checkSchemas(ActionRequest body) {
        return schemas.check(body.inputSchema(), "/inputSchema")
                .chain(() -> schemas.check(body.outputSchema(), "/outputSchema"));
    }

    /** The newest version of each of the owner's actions. */
    public Uni<List<ActionView>> list(UUID ownerId) {
        return versions.latestOfEach(ownerId).map(all -> all.stream().map(ActionView::of).toList());
    }

    /** The newest version of the owner's action, or the given one; 404 when there is none. */
    public Uni<ActionView> get(UUID ownerId, String key, Integer version) {
        return (version == null ? versions.latest(ownerId, key) : versions.version(ownerId, key, version))
                .map(action -> ActionView.of(require(action, key)));
    }

    /** Registers the next version of the owner's action, keeping when its key was created; 404 when there is none. */
    public Uni<ActionView> update(UUID ownerId, String key, ActionRequest body) {
        validate(body);
        if (body.key() != null && !body.key().equals(key)) {
            throw new Invalid("key_mismatch", "the body's key differs from the path's key", "/key");
        }
        return checkSchemas(body).chain(() -> pool.withTransaction(conn -> versions.latest(conn, ownerId, key)
                .chain(latest -> requireIntegration(conn, ownerId, body).replaceWith(require(latest, key)))
                .chain(latest -> nextVersion(conn, ownerId, key, body, latest, VERSION_ATTEMPTS)).map(ActionView::of)));
    }

    /**
     * Stores the version after {@code latest}. When a concurrent change stored that number first (and committed: the
     * insert waits for it), its version is read again and the next number tried, so each change becomes a version.
     */
    private Uni<ActionVersion> nextVersion(SqlConnection conn, UUID ownerId, String key, ActionRequest body,
            ActionVersion latest, int attempts) {
        return versions.insert(conn, version(ownerId, key, body, latest.version() + 1, latest.keyCreatedAt()))
                .chain(stored -> {
                    if (stored != null) {
                        return Uni.createFrom().item(stored);
                    }
                    if (attempts <= 1) {
                        throw new Conflict("action_changed",
                                "the action " + key + " is being changed concurrently; try again", null);
                    }
                    return versions.latest(conn, ownerId, key)
                            .chain(newer -> nextVersion(conn, ownerId, key, body, newer, attempts - 1));
                });
    }

    /** Switches off every version of the owner's action; 404 when there is none. */
    public Uni<ActionView> deactivate(UUID ownerId, String key) {
        return pool.withTransaction(conn -> versions.latest(conn, ownerId, key).chain(latest -> {
            require(latest, key);
            return versions.deactivate(conn, ownerId, key).map(ignored -> ActionView.of(latest.deactivated()));
        }));
    }

    private static ActionVersion require(ActionVersion action, String key) {
        if (action == null) {
            throw new NotFound("no action with key " + key);
        }
        return action;
    }

    private Uni<Void> requireIntegration(SqlConnection conn, UUID ownerId, ActionRequest body) {
        return integrations.exists(conn, ownerId, body.http().integrationKey()).map(exists -> {
            if (!exists) {
                throw new Invalid("unknown_integration", "no integration with key " + body.http().integrationKey(),
                        "/http/integrationKey");
            }
            return null;
        });
    }

    /** A new version as the request describes it, created now. */
    private static ActionVersion version(UUID ownerId, String key, ActionRequest body, int version,
            Instant keyCreatedAt) {
        boolean useDefaultMapping = body.useDefaultMapping() == null || body.useDefaultMapping();
        String http = Json
                .write(new ActionRequest.HttpTemplate(body.http().integrationKey(), body.http().method().toUpperCase(),
                        body.http().path(), body.http().headers(), body.http().query(), body.http().body()));
        Instant now = Instant.now();
        return new ActionVersion(UUID.randomUUID(), ownerId, key, version, true, body.intent(), body.description(),
                "http", Json.write(body.inputSchema()), Json.write(body.outputSchema()), useDefaultMapping,
                useDefaultMapping ? null : Json.write(body.outputMapping()), http,
                body.timeoutMs() == null ? DEFAULT_TIMEOUT_MS : body.timeoutMs(),
                body.retry() == null ? null : Json.write(body.retry()), safety(body),
                keyCreatedAt == null ? now : keyCreatedAt, now);
    }

    /**
     * The declaration the request makes, the safe default for each part it leaves out (ADR 0035); {@link #validate} has
     * checked the types and values.
     */
    static ActionSafety safety(ActionRequest body) {
        return ActionSafety.of(present(body.sideEffects()) ? SideEffects.fromWire(body.sideEffects().asText()) : null,
                present(body.destructive()) ? body.destructive().booleanValue() : null,
                present(body.acceptsIdempotencyKey()) ? body.acceptsIdempotencyKey().booleanValue() : null);
    }

    private static boolean present(JsonNode value) {
        return value != null && !value.isNull() && !value.isMissingNode();
    }

    /** The declaration's parts: each problem with its pointer, all of them at once. */
    private static void checkSafety(ActionRequest body) {
        List<Problem> errors = new ArrayList<>();
        if (present(body.sideEffects())
                && (!body.sideEffects().isTextual() || SideEffects.fromWire(body.sideEffects().asText()) == null)) {
            errors.add(Problem.at("invalid_side_effects",
                    "sideEffects must be one of \"none\", \"idempotent\", \"non_idempotent\"", "/sideEffects"));
        }
        if (present(body.destructive()) && !body.destructive().isBoolean()) {
            errors.add(Problem.at("invalid_destructive", "destructive must be true or false", "/destructive"));
        }
        if (present(body.acceptsIdempotencyKey()) && !body.acceptsIdempotencyKey().isBoolean()) {
            errors.add(Problem.at("invalid_accepts_idempotency_key", "acceptsIdempotencyKey must be true or false",
                    "/acceptsIdempotencyKey"));
        }
        if (!errors.isEmpty()) {
            throw new Invalid(errors);
        }
    }

    /** Everything about a request that can be checked without the database. */
    private void validate(ActionRequest body) {
        if (body == null) {
            throw new Invalid("missing_body", "a JSON body is required", "");
        }
        checkSafety(body);
        if (body.intent() == null || body.intent().isBlank() || body.intent().length() > 2000) {
            throw new Invalid("invalid_intent", "intent is required (1-2000 characters)", "/intent");
        }
        if (body.type() != null && !"http".equals(body.type())) {
            throw new Invalid("unsupported_type", "type must be http", "/type");
        }
        ActionRequest.HttpTemplate http = body.http();
        if (http == null) {
            throw new Invalid("missing_http", "http (the request template) is required", "/http");
        }
        if (http.integrationKey() == null || http.integrationKey().isBlank()) {
            throw new Invalid("missing_integration", "http.integrationKey is required", "/http/integrationKey");
        }
        if (http.method() == null || !METHODS.contains(http.method().toUpperCase())) {
            throw new Invalid("invalid_method", "http.method must be one of " + METHODS, "/http/method");
        }
        String pathProblem = HttpValues.pathTemplateProblem(http.path());
        if (pathProblem != null) {
            throw new Invalid("invalid_path", "http.path: " + pathProblem, "/http/path");
        }
        checkTemplates(http.headers(), "/http/headers", true);
        checkTemplates(http.query(), "/http/query", false);
        checkPointers(http.body(), "/http/body");
        if (Boolean.FALSE.equals(body.useDefaultMapping())) {
            if (body.outputMapping() == null || body.outputMapping().isEmpty()) {
                throw new Invalid("missing_output_mapping", "outputMapping is required when useDefaultMapping is false",
                        "/outputMapping");
            }
            checkPointers(body.outputMapping(), "/outputMapping");
        }
        if (body.timeoutMs() != null && (body.timeoutMs() < 1 || body.timeoutMs() > MAX_TIMEOUT_MS)) {
            throw new Invalid("invalid_timeout", "timeoutMs must be between 1 and " + MAX_TIMEOUT_MS, "/timeoutMs");
        }
        if (body.retry() != null
                && (body.retry().maxAttempts() < 1 || body.retry().maxAttempts() > RetryPolicy.MAX_ATTEMPTS)) {
            throw new Invalid("invalid_retry", "retry.maxAttempts must be between 1 and " + RetryPolicy.MAX_ATTEMPTS,
                    "/retry/maxAttempts");
        }
        if (body.retry() != null
                && (body.retry().backoffMs() < 0 || body.retry().backoffMs() > RetryPolicy.MAX_BACKOFF_MS)) {
            throw new Invalid("invalid_retry", "retry.backoffMs must be between 0 and " + RetryPolicy.MAX_BACKOFF_MS,
                    "/retry/backoffMs");
        }
    }

    /**
     * Header and query templates become header names and values, query names and values: checked now so that no run of
     * the action can carry a CR, LF or NUL into a request. Input values the templates render are checked when a run is
     * accepted.
     */
    private static void checkTemplates(Map<String, String> templates, String pointer, boolean headers) {
        if (templates == null) {
            return;
        }
        List<Problem> errors = new ArrayList<>();
        templates.forEach((name, template) -> {
            String at = pointer + "/" + name.replace("~", "~0").replace("/", "~1");
            String problem = headers ? HttpValues.settableHeaderNameProblem(name) : HttpValues.queryNameProblem(name);
            if (problem == null) {
                problem = headers ? HttpValues.headerValueProblem(template) : HttpValues.queryValueProblem(template);
            }
            if (problem != null) {
                errors.add(Problem.at(headers ? "invalid_header" : "invalid_query", problem, at));
            }
        });
        if (!errors.isEmpty()) {
            throw new Invalid(errors);
        }
    }

    private static void checkPointers(Map<String, String> mapping, String pointer) {
        if (mapping == null) {
            return;
        }
        mapping.forEach((property, value) -> {
            if (value == null || !(value.isEmpty() || value.startsWith("/"))) {
                throw new Invalid("invalid_pointer", "each value must be a JSON pointer such as /a/b",
                        pointer + "/" + property.replace("~", "~0").replace("/", "~1"));
            }
        });
    }
}
