package dev.runwire.api.ratelimit;

import static dev.runwire.api.Owners.as;
import static dev.runwire.api.Owners.newOwner;
import static io.restassured.RestAssured.given;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.ServerSocket;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

import jakarta.inject.Inject;

import org.jboss.logging.Logger;
import org.junit.jupiter.api.Test;

import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;
import io.restassured.response.Response;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.SqlConnection;
import io.vertx.mutiny.sqlclient.Tuple;
import io.vertx.pgclient.PgBuilder;
import io.vertx.pgclient.PgConnectOptions;

import dev.runwire.api.Owners.Owner;
import dev.runwire.api.auth.ApiKey;
import dev.runwire.api.config.ApiConfig;
import dev.runwire.api.error.ErrorMappers;

/**
 * Quota leased in slices, against the real PostgreSQL: a low limit counts exactly; two limiters on one database (two
 * replicas) never admit more than the limit between them under concurrent load; requests that find the slice empty wait
 * for one lease; a new window starts a new lease; a lease that cannot reach PostgreSQL fails the request as the
 * counting statement did. The limiters here are built beside the service's own, each with its own clock and store, so
 * each is one replica.
 */
@QuarkusTest
class RateLimiterTest {

    private static final Logger LOG = Logger.getLogger(RateLimiterTest.class);

    /** The rate-limit settings of a test replica. */
    record Settings(Duration window, int sliceDivisor, int maxSlice) implements ApiConfig.RateLimit {

        @Override
        public int defaultLimit() {
            return 200;
        }

        @Override
        public int maxOverride() {
            return 1000;
        }
    }

    static final Settings PRODUCT = new Settings(Duration.ofSeconds(60), 20, 1000);

    @Inject
    Pool pool;

    @Inject
    ApiConfig config;

    @Inject
    io.vertx.core.Vertx vertx;

    final AtomicLong clock = new AtomicLong(Instant.now().getEpochSecond());

    /** A replica: its own store (its own statement count) and its own memory, on the shared database. */
    RateLimiter replica(RateWindows store, Settings settings) {
        return new RateLimiter(store, settings, clock::get);
    }

    RateWindows store() {
        return new RateWindows(pool, config);
    }

    static String subject() {
        return "test:" + UUID.randomUUID();
    }

    /** What the database holds for the subject's window: the quota granted to all replicas. */
    int granted(String subject, long windowStart) {
        var rows = pool.preparedQuery("select count from api.rate_windows where subject = $1 and window_start = $2")
                .execute(
                        Tuple.of(subject, OffsetDateTime.ofInstant(Instant.ofEpochSecond(windowStart), ZoneOffset.UTC)))
                .await().atMost(Duration.ofSeconds(10));
        return rows.size() == 0 ? 0 : rows.iterator().next().getInteger(0);
    }

    long windowStart(Settings settings) {
        long now = clock.get();
        return now - now % settings.window().toSeconds();
    }

    static RateLimiter.Decision decided(io.smallrye.mutiny.Uni<RateLimiter.Decision> decision) {
        return decision.await().atMost(Duration.ofSeconds(20));
    }

    @Test
    void aLimitOfTenAdmitsExactlyTenAndTheEleventhIsRefusedWithTheHeaders() {
        RateWindows store = store();
        RateLimiter limiter = replica(store, PRODUCT);
        String subject = subject();
        long reset = windowStart(PRODUCT) + 60;
        for (int i = 1; i <= 10; i++) {
            RateLimiter.Decision decision = decided(limiter.admit(subject, 10));
            assertEquals(new RateLimiter.Decision(true, 10, 10 - i, reset), decision, "request " + i);
        }
        RateLimiter.Decision refused = decided(limiter.admit(subject, 10));
        assertEquals(new RateLimiter.Decision(false, 10, 0, reset), refused);
        // a limit of 10 is leased one request at a time; the tenth lease returned the window's total, 10, so the
        // replica knows the window is spent and refuses without a statement
        assertEquals(10, store.leases());
        assertEquals(10, granted(subject, windowStart(PRODUCT)));
        assertFalse(decided(limiter.admit(subject, 10)).admitted());
        assertEquals(10, store.leases());
        // another subject has its own window
        assertEquals(new RateLimiter.Decision(true, 10, 9, reset), decided(limiter.admit(subject(), 10)));
        // a limit below 1 admits nothing and asks nothing
        long before = store.leases();
        assertFalse(decided(limiter.admit(subject(), 0)).admitted());
        assertEquals(before, store.leases());
    }

    @Test
    void throughTheApiALimitOfTenAnswers429ToTheEleventhRequest() {
        // the service's window is 300 s: keep the eleven requests inside one
        await("15 s left in the window").atMost(Duration.ofSeconds(20))
                .until(() -> 300 - Instant.now().getEpochSecond() % 300 >= 15);
        Owner owner = newOwner();
        given().contentType(ContentType.JSON).header("Authorization", "Bearer test-admin-token")
                .body(Map.of("exempt", false, "limitOverride", 10)).put("/admin/owners/" + owner.id() + "/rate-limit")
                .then().statusCode(200);
        long reset = Instant.now().getEpochSecond() / 300 * 300 + 300;
        for (int i = 1; i <= 10; i++) {
            as(owner.key()).get("/v1/runs").then().statusCode(200).header("X-RateLimit-Limit", "10")
                    .header("X-RateLimit-Remaining", String.valueOf(10 - i))
                    .header("X-RateLimit-Reset", String.valueOf(reset));
        }
        Response refused = as(owner.key()).get("/v1/runs");
        refused.then().statusCode(429).header("X-RateLimit-Limit", "10").header("X-RateLimit-Remaining", "0")
                .header("X-RateLimit-Reset", String.valueOf(reset));
        long retryAfter = Long.parseLong(refused.header("Retry-After"));
        assertTrue(retryAfter >= 1 && retryAfter <= 300, "Retry-After " + retryAfter);
        assertEquals("too_many_requests", refused.jsonPath().getString("errors[0].code"));
        assertEquals(10, granted("key:" + ApiKey.hash(owner.key()), reset - 300));
        // another owner's key is not touched by it
        as(newOwner().key()).get("/v1/runs").then().statusCode(200).header("X-RateLimit-Remaining", "199");
    }

    /**
     * Fires {@code requests} admissions at once from 8 threads, alternating between the replicas; then asks each
     * replica until it refuses, so that no replica keeps a slice unused. Returns how many were admitted.
     */
    int burstThenDrain(List<RateLimiter> replicas, String subject, int limit, int requests) throws Exception {
        ExecutorService threads = Executors.newFixedThreadPool(8);
        try {
            CountDownLatch go = new CountDownLatch(1);
            List<CompletableFuture<RateLimiter.Decision>> answers = new ArrayList<>();
            List<java.util.concurrent.Future<List<CompletableFuture<RateLimiter.Decision>>>> fired = new ArrayList<>();
            for (int t = 0; t < 8; t++) {
                int thread = t;
                fired.add(threads.submit(() -> {
                    go.await();
                    List<CompletableFuture<RateLimiter.Decision>> mine = new ArrayList<>();
                    for (int i = thread; i < requests; i += 8) {
                        mine.add(replicas.get(i % replicas.size()).admit(subject, limit).subscribeAsCompletionStage());
                    }
                    return mine;
                }));
            }
            go.countDown();
            for (var f : fired) {
                answers.addAll(f.get(20, TimeUnit.SECONDS));
            }
            int admitted = 0;
            for (CompletableFuture<RateLimiter.Decision> answer : answers) {
                RateLimiter.Decision decision = answer.get(20, TimeUnit.SECONDS);
                assertTrue(decision.remaining() >= 0 && decision.remaining() < limit, decision.toString());
                admitted += decision.admitted() ? 1 : 0;
            }
            for (RateLimiter replica : replicas) {
                while (decided(replica.admit(subject, limit)).admitted()) {
                    admitted++;
                }
            }
            return admitted;
        } finally {
            threads.shutdownNow();
        }
    }

    @Test
    void twoReplicasOnOneDatabaseNeverAdmitMoreThanTheLimitBetweenThem() throws Exception {
        // 10: leased one at a time; 200: the default, slices of 10; 507: slices of 25 and a last one of 7
        for (int limit : List.of(10, 200, 507)) {
            RateWindows storeA = store();
            RateWindows storeB = store();
            List<RateLimiter> replicas = List.of(replica(storeA, PRODUCT), replica(storeB, PRODUCT));
            String subject = subject();
            int admitted = burstThenDrain(replicas, subject, limit, 2 * limit + 40);
            assertEquals(limit, admitted, "limit " + limit);
            assertEquals(limit, granted(subject, windowStart(PRODUCT)), "never more granted than the limit");
            assertTrue(storeA.leases() > 0 && storeB.leases() > 0, "both replicas leased");
            LOG.infof("limit %d over two replicas: %d lease statements for %d admitted", limit,
                    storeA.leases() + storeB.leases(), admitted);
        }
    }

    @Test
    void requestsThatFindTheSliceEmptyWaitForOneLease() throws Exception {
        RateWindows store = store();
        RateLimiter limiter = replica(store, PRODUCT);
        String subject = subject();
        long start = windowStart(PRODUCT);
        // the window's row is held by another transaction, so the lease waits in PostgreSQL until it commits
        pool.preparedQuery("insert into api.rate_windows (subject, window_start, count) values ($1, $2, 0)")
                .execute(Tuple.of(subject, OffsetDateTime.ofInstant(Instant.ofEpochSecond(start), ZoneOffset.UTC)))
                .await().atMost(Duration.ofSeconds(10));
        List<CompletableFuture<RateLimiter.Decision>> answers = new java.util.concurrent.CopyOnWriteArrayList<>();
        SqlConnection holder = pool.getConnection().await().atMost(Duration.ofSeconds(10));
        try {
            holder.query("begin").execute().await().atMost(Duration.ofSeconds(10));
            holder.preparedQuery("select count from api.rate_windows where subject = $1 for update")
                    .execute(Tuple.of(subject)).await().atMost(Duration.ofSeconds(10));
            ExecutorService threads = Executors.newFixedThreadPool(8);
            CountDownLatch fired = new CountDownLatch(8);
            for (int t = 0; t < 8; t++) {
                threads.submit(() -> {
                    for (int i = 0; i < 50; i++) {
                        answers.add(limiter.admit(subject, 100_000).subscribeAsCompletionStage());
                    }
                    fired.countDown();
                });
            }
            assertTrue(fired.await(20, TimeUnit.SECONDS));
            threads.shutdown();
            assertEquals(400, answers.size());
            assertTrue(answers.stream().noneMatch(CompletableFuture::isDone), "all wait for the lease");
            assertEquals(1, store.leases(), "400 requests that found the slice empty share one lease");
            holder.query("commit").execute().await().atMost(Duration.ofSeconds(10));
        } finally {
            holder.close().await().atMost(Duration.ofSeconds(10));
        }
        Set<Integer> remaining = new HashSet<>();
        for (CompletableFuture<RateLimiter.Decision> answer : answers) {
            RateLimiter.Decision decision = answer.get(20, TimeUnit.SECONDS);
            assertTrue(decision.admitted());
            remaining.add(decision.remaining());
        }
        // one replica alone knows the exact count: each of the 400 saw its own, 99,999 down to 99,600
        assertEquals(400, remaining.size());
        assertEquals(99_600, remaining.stream().mapToInt(Integer::intValue).min().orElseThrow());
        assertEquals(99_999, remaining.stream().mapToInt(Integer::intValue).max().orElseThrow());
        assertEquals(1, store.leases());
        assertEquals(1000, granted(subject, start), "one slice of 100,000 / 20, capped at 1,000");
        assertEquals(600, limiter.left(subject));
    }

    @Test
    void aWindowSpentByAnotherReplicaIsRefusedWithoutAskingAgainUntilTheLimitRises() {
        RateWindows storeA = store();
        RateWindows storeB = store();
        RateLimiter a = replica(storeA, PRODUCT);
        RateLimiter b = replica(storeB, PRODUCT);
        String subject = subject();
        for (int i = 0; i < 10; i++) {
            assertTrue(decided(a.admit(subject, 10)).admitted());
        }
        long reset = windowStart(PRODUCT) + 60;
        assertEquals(new RateLimiter.Decision(false, 10, 0, reset), decided(b.admit(subject, 10)));
        assertEquals(1, storeB.leases(), "one lease found the window spent");
        assertFalse(decided(b.admit(subject, 10)).admitted());
        assertEquals(1, storeB.leases(), "and the next refusal asks nothing");
        // the owner's limit went up to 12: there is quota again, one request at a time
        assertEquals(new RateLimiter.Decision(true, 12, 1, reset), decided(b.admit(subject, 12)));
        assertEquals(new RateLimiter.Decision(true, 12, 0, reset), decided(b.admit(subject, 12)));
        assertFalse(decided(a.admit(subject, 12)).admitted());
        assertEquals(12, granted(subject, windowStart(PRODUCT)));

        // a slice leased under a high limit is not spent under a lower one the window is already past
        String lowered = subject();
        assertEquals(new RateLimiter.Decision(true, 1000, 999, reset), decided(a.admit(lowered, 1000)));
        assertEquals(49, a.left(lowered));
        assertEquals(new RateLimiter.Decision(false, 40, 0, reset), decided(a.admit(lowered, 40)));
        assertEquals(49, a.left(lowered));
    }

    @Test
    void aNewWindowStartsANewLeaseAndDropsTheOldSlice() {
        RateWindows store = store();
        RateLimiter limiter = replica(store, PRODUCT);
        String wide = subject();
        String narrow = subject();
        long first = windowStart(PRODUCT);
        assertTrue(decided(limiter.admit(wide, 1000)).admitted());
        assertEquals(49, limiter.left(wide), "a slice of 1000 / 20 = 50");
        for (int i = 0; i < 10; i++) {
            assertTrue(decided(limiter.admit(narrow, 10)).admitted());
        }
        assertFalse(decided(limiter.admit(narrow, 10)).admitted());
        long leases = store.leases();

        clock.addAndGet(60);
        long second = first + 60;
        RateLimiter.Decision fresh = decided(limiter.admit(narrow, 10));
        assertEquals(new RateLimiter.Decision(true, 10, 9, second + 60), fresh);
        assertEquals(second, limiter.windowStart(narrow));
        assertEquals(new RateLimiter.Decision(true, 1000, 999, second + 60), decided(limiter.admit(wide, 1000)));
        assertEquals(second, limiter.windowStart(wide));
        assertEquals(49, limiter.left(wide), "the old window's 49 are gone with it");
        assertEquals(leases + 2, store.leases(), "each subject leased again in the new window");
        assertEquals(50, granted(wide, first));
        assertEquals(50, granted(wide, second));
        assertEquals(10, granted(narrow, first));
        assertEquals(1, granted(narrow, second));
    }

    @Test
    void aLeaseThatCannotReachPostgresqlFailsTheRequestsAsTheCountingStatementDid() throws Exception {
        int port;
        try (ServerSocket socket = new ServerSocket(0)) {
            port = socket.getLocalPort();
        }
        Pool unreachable = Pool.newInstance(PgBuilder.pool().connectingTo(new PgConnectOptions().setHost("127.0.0.1")
                .setPort(port).setDatabase("none").setUser("none").setPassword("none")).using(vertx).build());
        try {
            RateWindows store = new RateWindows(unreachable, config);
            RateLimiter limiter = replica(store, PRODUCT);
            String subject = subject();
            List<CompletableFuture<RateLimiter.Decision>> waiting = new ArrayList<>();
            for (int i = 0; i < 5; i++) {
                waiting.add(limiter.admit(subject, 200).subscribeAsCompletionStage());
            }
            for (CompletableFuture<RateLimiter.Decision> request : waiting) {
                Throwable failure = org.junit.jupiter.api.Assertions
                        .assertThrows(java.util.concurrent.ExecutionException.class,
                                () -> request.get(20, TimeUnit.SECONDS))
                        .getCause();
                assertNotNull(failure);
                // the error seam answers it 503, as it answered the counting statement's failure
                assertTrue(ErrorMappers.storeUnavailable(failure), failure.toString());
            }
            long leases = store.leases();
            assertTrue(leases >= 1 && leases <= 5, "at most one lease per request: " + leases);
            // a failed lease is not remembered: the next request tries again
            org.junit.jupiter.api.Assertions.assertThrows(RuntimeException.class,
                    () -> decided(limiter.admit(subject, 200)));
            assertEquals(leases + 1, store.leases());
        } finally {
            unreachable.close().await().atMost(Duration.ofSeconds(10));
        }
    }

    @Test
    void aHotSubjectCostsOneStatementPerSlice() {
        // before: one upsert, one commit per admitted request; after: one lease per slice
        RateWindows store = store();
        RateLimiter limiter = replica(store, PRODUCT);
        String hot = subject();
        for (int i = 0; i < 10_000; i++) {
            assertTrue(decided(limiter.admit(hot, 100_000_000)).admitted());
        }
        assertEquals(10, store.leases(), "10,000 requests under 100,000,000 per window: slices of 1,000");
        assertEquals(10_000, granted(hot, windowStart(PRODUCT)));
        RateWindows defaults = store();
        RateLimiter byDefault = replica(defaults, PRODUCT);
        String plain = subject();
        for (int i = 0; i < 200; i++) {
            assertTrue(decided(byDefault.admit(plain, 200)).admitted());
        }
        assertFalse(decided(byDefault.admit(plain, 200)).admitted());
        assertEquals(20, defaults.leases(), "the default 200: 20 slices of 10, and the refusal asks nothing");
        LOG.infof("lease statements: %d for 10,000 requests at 100,000,000; %d for 201 requests at 200", store.leases(),
                defaults.leases());
    }
}
