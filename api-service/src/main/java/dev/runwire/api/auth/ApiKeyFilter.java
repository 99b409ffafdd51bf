package dev.runwire.api.auth;

import java.time.Duration;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;

import jakarta.ws.rs.container.ContainerRequestContext;
import jakarta.ws.rs.core.Response;

import org.jboss.resteasy.reactive.server.ServerRequestFilter;

import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Row;
import io.vertx.mutiny.sqlclient.RowSet;
import io.vertx.mutiny.sqlclient.Tuple;

import dev.runwire.api.error.ApiException;
import dev.runwire.api.error.ErrorMappers;

/**
 * Authenticates every {@code /v1} request by API key ({@code x-api-key} or {@code Authorization: Bearer}). Known keys
 * are remembered briefly so a hot path costs no query.
 */
public class ApiKeyFilter {

    private static final Duration REMEMBER = Duration.ofSeconds(30);
    private static final int MAX_REMEMBERED = 100_000;

    private final Pool pool;
    private final Caller caller;
    private final Map<String, Known> known = new ConcurrentHashMap<>();

    private record Known(UUID ownerId, long until) {
    }

    ApiKeyFilter(Pool pool, Caller caller) {
        this.pool = pool;
        this.caller = caller;
    }

    @ServerRequestFilter
    public Uni<Response> authenticate(ContainerRequestContext request) {
        String path = request.getUriInfo().getPath();
        if (!path.startsWith("/v1/") && !path.equals("/v1")) {
            return Uni.createFrom().nullItem();
        }
        String key = presentedKey(request);
        if (key == null) {
            return Uni.createFrom().item(unauthorized("a valid API key is required"));
        }
        String hash = ApiKey.hash(key);
        Known hit = known.get(hash);
        long now = System.currentTimeMillis();
        if (hit != null && hit.until() > now) {
            caller.authenticate(hit.ownerId());
            return Uni.createFrom().nullItem();
        }
        return pool.preparedQuery("select owner_id from api.api_keys where key_hash = $1 and revoked_at is null")
                .execute(Tuple.of(hash)).map((RowSet<Row> rows) -> {
                    if (rows.size() == 0) {
                        return unauthorized("the API key is not valid");
                    }
                    UUID ownerId = rows.iterator().next().getUUID(0);
                    if (known.size() > MAX_REMEMBERED) {
                        known.clear();
                    }
                    known.put(hash, new Known(ownerId, now + REMEMBER.toMillis()));
                    caller.authenticate(ownerId);
                    return null;
                });
    }

    private static String presentedKey(ContainerRequestContext request) {
        String header = request.getHeaderString("x-api-key");
        if (header != null && !header.isBlank()) {
            return header.trim();
        }
        String authorization = request.getHeaderString("Authorization");
        if (authorization != null && authorization.regionMatches(true, 0, "Bearer ", 0, 7)) {
            return authorization.substring(7).trim();
        }
        return null;
    }

    private static Response unauthorized(String detail) {
        return ErrorMappers.respond(ApiException.unauthorized(detail).errors().get(0));
    }
}
