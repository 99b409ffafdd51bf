package dev.runwire.api.auth;

import java.time.Duration;
import java.util.UUID;

import jakarta.enterprise.context.ApplicationScoped;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;

import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Tuple;

/**
 * An owner's rate limit, billing and approval settings, remembered briefly like API keys (a change takes effect within
 * that time). JWT claims override them per request.
 */
@ApplicationScoped
public class OwnerPolicies {

    private static final Duration REMEMBER = Duration.ofSeconds(30);
    private static final int MAX_REMEMBERED = 100_000;

    private final Pool pool;
    /** Policies by owner, for {@link #REMEMBER} (an admin change reaches other replicas that much later). */
    private final Cache<UUID, Policy> known = Caffeine.newBuilder().maximumSize(MAX_REMEMBERED)
            .expireAfterWrite(REMEMBER).build();

    /**
     * @param limitOverride
     *            requests per window instead of the default, or null
     * @param billed
     *            the owner has a task balance: its runs consume tasks unless a JWT says otherwise
     * @param approveDestructive
     *            every call of a destructive action waits for approval, whatever the request's approval strategy (ADR
     *            0035)
     */
    public record Policy(boolean exempt, Integer limitOverride, boolean billed, boolean approveDestructive) {
    }

    OwnerPolicies(Pool pool) {
        this.pool = pool;
    }

    /** The owner's policy, or null when there is no such owner. */
    public Uni<Policy> of(UUID ownerId) {
        Policy hit = known.getIfPresent(ownerId);
        if (hit != null) {
            return Uni.createFrom().item(hit);
        }
        return pool.preparedQuery("""
                select rate_limit_exempt, rate_limit_override, task_balance is not null,
                       approval_for_destructive = 'always' from api.owners where id = $1""").execute(Tuple.of(ownerId))
                .map(rows -> {
                    if (rows.size() == 0) {
                        return null;
                    }
                    var row = rows.iterator().next();
                    Policy policy = new Policy(row.getBoolean(0), row.getInteger(1), row.getBoolean(2),
                            row.getBoolean(3));
                    known.put(ownerId, policy);
                    return policy;
                });
    }

    /** Forgets an owner's policy on this replica (the admin endpoints change it). */
    public void forget(UUID ownerId) {
        known.invalidate(ownerId);
    }
}
