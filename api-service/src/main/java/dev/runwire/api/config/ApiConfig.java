package dev.runwire.api.config;

import java.time.Duration;
import java.util.List;
import java.util.Optional;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;

/** Settings of the api-service; each can be set by environment variable (RUNWIRE_...). */
@ConfigMapping(prefix = "runwire")
public interface ApiConfig {

    /**
     * Token that authorizes the admin endpoints (RUNWIRE_ADMIN_TOKEN). Without one, the admin endpoints answer 401 to
     * everybody.
     */
    Optional<String> adminToken();

    /** Runs. */
    Run run();

    /** Transactional outbox. */
    Outbox outbox();

    /** The MCP endpoint ({@code /mcp/{serverId}}, ADR 0034). */
    Mcp mcp();

    interface Mcp {
        /**
         * Tools per {@code tools/list} page (RUNWIRE_MCP_PAGE_SIZE); a client follows {@code nextCursor} for the rest.
         */
        @WithDefault("100")
        int pageSize();

        /**
         * Most messages in one JSON-RPC batch (RUNWIRE_MCP_MAX_BATCH); batches exist only in protocol version
         * 2025-03-26, and a larger one is refused whole.
         */
        @WithDefault("20")
        int maxBatch();

        /**
         * Above this many tools in a scope, {@code tools/list} offers three tools instead of them all
         * (RUNWIRE_MCP_META_TOOLS_ABOVE): search the scope's tools, describe one, call one. Clients cap the tools they
         * take (40 to 128), so a larger catalog stays reachable whole.
         */
        @WithDefault("100")
        int metaToolsAbove();

        /** Most MCP servers per owner (RUNWIRE_MCP_MAX_SERVERS). */
        @WithDefault("1000")
        int maxServers();

        /**
         * How long a tools/call's request id stays tied to its run (RUNWIRE_MCP_CALL_RETENTION): a
         * {@code notifications/cancelled} later than this changes nothing ({@code DELETE /v1/runs/{id}} still aborts).
         * Also how long an MCP session and an elicitation are kept.
         */
        @WithDefault("24h")
        Duration callRetention();

        /**
         * How long a tools/call answered as a stream (SSE: progress or elicitation) follows its run before answering
         * that it is still going (RUNWIRE_MCP_STREAM_WAIT). A call answered as one JSON object waits the run's sync
         * wait instead.
         */
        @WithDefault("10m")
        Duration streamWait();

        /**
         * How often a replica deletes tools/call records, sessions and elicitations past their retention
         * (RUNWIRE_MCP_CALL_PURGE_INTERVAL).
         */
        @WithDefault("10m")
        Duration callPurgeInterval();
    }

    /** Idempotency keys: how long a request's claim on its key lasts without being renewed. */
    IdempotencyKeys idempotency();

    interface IdempotencyKeys {
        /**
         * How long a claim on a key lasts unless its replica renews it (RUNWIRE_IDEMPOTENCY_LEASE): a repeat of a
         * request whose replica died takes the key over this long after the replica's last renewal at most.
         */
        @WithDefault("10s")
        Duration lease();

        /**
         * How often a replica renews the claims of its requests in flight, in one statement
         * (RUNWIRE_IDEMPOTENCY_RENEW_EVERY); well under the lease, so that a slow renewal does not let a live claim
         * lapse.
         */
        @WithDefault("3s")
        Duration renewEvery();
    }

    /** Live run streams. */
    Sse sse();

    /** Where user-supplied URLs may point (integration base URLs, callback URLs). */
    Egress egress();

    interface Egress {
        /** CIDRs reachable although blocked, comma-separated, e.g. {@code 127.0.0.1/32} (RUNWIRE_EGRESS_ALLOW). */
        Optional<List<String>> allow();

        /** Whether URLs must use https (RUNWIRE_EGRESS_REQUIRE_HTTPS). */
        @WithDefault("true")
        boolean requireHttps();
    }

    /** Request rate limits, counted per API key or JWT subject across all replicas. */
    RateLimit rateLimit();

    interface RateLimit {
        /** Requests per window unless the owner or a JWT's {@code rate_limit} claim says otherwise. */
        @WithDefault("200")
        int defaultLimit();

        /** Largest {@code limit_override} a JWT may set. */
        @WithDefault("1000")
        int maxOverride();

        /** The fixed window the limit counts in. */
        @WithDefault("300s")
        Duration window();

        /**
         * A replica leases a subject's window in slices of the limit divided by this (at least 1), and admits requests
         * from its slice without asking PostgreSQL (RUNWIRE_RATE_LIMIT_SLICE_DIVISOR). The larger, the fewer requests a
         * replica may hold that another could have used, and the more leases a window costs; a limit below it is leased
         * one request at a time.
         */
        @WithDefault("20")
        int sliceDivisor();

        /** Largest slice one lease takes, whatever the limit (RUNWIRE_RATE_LIMIT_MAX_SLICE). */
        @WithDefault("1000")
        int maxSlice();
    }

    /** Service and user JWTs; without issuer and JWKS URL only API keys authenticate. */
    Jwt jwt();

    interface Jwt {
        /** Expected {@code iss} (RUNWIRE_JWT_ISSUER). */
        Optional<String> issuer();

        /** Where the issuer's signing keys are (RUNWIRE_JWT_JWKS_URL). */
        Optional<String> jwksUrl();

        /** Expected {@code aud}, if tokens carry one (RUNWIRE_JWT_AUDIENCE). */
        Optional<String> audience();

        /** The claim that names the Runwire owner (a UUID). */
        @WithDefault("owner_id")
        String ownerClaim();

        /** How long a fetched key set is used before it is fetched again. */
        @WithDefault("10m")
        Duration jwksRefresh();
    }

    /** Callbacks of asynchronous runs (Standard Webhooks). */
    Callbacks callbacks();

    interface Callbacks {
        /**
         * Delay before each attempt, the first included: a delivery gets as many attempts as there are entries
         * (RUNWIRE_CALLBACKS_SCHEDULE).
         */
        @WithDefault("0s,5s,5m,30m,2h,5h,10h,10h")
        List<Duration> schedule();

        /** Share of each delay drawn at random, so that retries of many deliveries spread out. */
        @WithDefault("0.2")
        double jitter();

        /** How long one attempt may take, connecting included; slower counts as a failure. */
        @WithDefault("10s")
        Duration timeout();

        /** Deliveries one replica has in flight at most; a slow receiver holds only its own. */
        @WithDefault("256")
        int maxInFlight();

        /** How often a replica looks for due deliveries (new ones are also sent at once). */
        @WithDefault("1s")
        Duration poll();

        /** How long the previous secret keeps signing after a rotation. */
        @WithDefault("24h")
        Duration secretOverlap();

        /** Longest Retry-After honoured. */
        @WithDefault("24h")
        Duration maxRetryAfter();

        /**
         * How long a finished delivery (succeeded or failed) and its attempts are kept (RUNWIRE_CALLBACKS_RETENTION).
         */
        @WithDefault("30d")
        Duration retention();

        /** How often a replica deletes finished deliveries past their retention. */
        @WithDefault("10m")
        Duration purgeInterval();
    }

    /** The language model that turns an intent into a plan; without a base URL, runs need an explicit plan. */
    Planner planner();

    interface Planner {
        /** Base URL of an OpenAI-compatible API, e.g. {@code https://api.openai.com/v1} (RUNWIRE_PLANNER_BASE_URL). */
        Optional<String> baseUrl();

        /** The model (RUNWIRE_PLANNER_MODEL). */
        @WithDefault("gpt-4o-mini")
        String model();

        /** Bearer key for the endpoint (RUNWIRE_PLANNER_API_KEY). */
        Optional<String> apiKey();

        /** How long a planning call may take. */
        @WithDefault("60s")
        Duration timeout();

        /** Most actions offered to the model in one call. */
        @WithDefault("100")
        int maxActions();
    }

    /** Key that seals pass-through secrets for the executor. */
    Secrets secrets();

    interface Run {
        /** How long a synchronous run request waits for the run to finish before answering 202. */
        @WithDefault("30s")
        Duration syncWait();

        /**
         * How long a batch of run events may wait to be stored, with no outage of PostgreSQL in that time, before the
         * read model's consumer counts as stuck and liveness fails (RUNWIRE_RUN_STORE_STUCK_AFTER). Waiting for
         * PostgreSQL to come back, however long, is not being stuck.
         */
        @WithDefault("5m")
        Duration storeStuckAfter();

        /**
         * How long a step whose call's outcome is unknown waits to be resolved before it fails {@code outcome_unknown}
         * (RUNWIRE_RUN_OUTCOME_UNKNOWN_TIMEOUT; ADR 0035).
         */
        @WithDefault("24h")
        Duration outcomeUnknownTimeout();

        /** How often a replica looks for unknown outcomes that waited too long (1 s or more). */
        @WithDefault("30s")
        Duration outcomeUnknownSweep();
    }

    interface Sse {
        /** How often an idle stream gets a heartbeat comment. */
        @WithDefault("15s")
        Duration heartbeat();

        /** Bytes a stream may have waiting for a slow reader before it is disconnected (it can resume). */
        @WithDefault("262144")
        int maxBufferedBytes();
    }

    interface Outbox {
        /** How often the relay looks for commands a crash left unpublished. */
        @WithDefault("2s")
        Duration relayInterval();

        /** How old an unpublished command must be before the relay takes it over. */
        @WithDefault("5s")
        Duration relayAfter();
    }

    interface Secrets {
        /** Id of the current key (RUNWIRE_SECRETS_KEY_ID). */
        @WithDefault("local-1")
        String keyId();

        /** Base64 of the current 32-byte AES key (RUNWIRE_SECRETS_KEY). */
        String key();

        /**
         * Earlier keys still accepted for opening during a rotation, as {@code id=base64,id=base64}
         * (RUNWIRE_SECRETS_PREVIOUS). {@code POST /admin/secrets/reseal} moves everything stored to the current key.
         */
        Optional<String> previous();
    }

    /** Connected accounts: OAuth 2 and how long a run waits for a connection. */
    Connections connections();

    interface Connections {
        /**
         * Where this service is reached from a browser (RUNWIRE_CONNECTIONS_PUBLIC_URL); OAuth 2 providers redirect to
         * {@code <public-url>/oauth/callback}.
         */
        @WithDefault("http://localhost:8080")
        String publicUrl();

        /** An access token that ends sooner than this is refreshed before it is used. */
        @WithDefault("60s")
        Duration refreshSkew();

        /** How long a connect link (its state) works. */
        @WithDefault("10m")
        Duration connectTtl();

        /** How long one call to a token endpoint may take. */
        @WithDefault("10s")
        Duration tokenTimeout();

        /** A run left in AUTH_REQUIRED longer than this ends FAILED (RUNWIRE_CONNECTIONS_AUTH_REQUIRED_TIMEOUT). */
        @WithDefault("24h")
        Duration authRequiredTimeout();

        /** How often a replica looks for runs that waited too long. */
        @WithDefault("30s")
        Duration authRequiredSweep();
    }

    /** JSON Schema checks: compiling a schema sent by a client, validating a value against one. */
    SchemaChecks schemaChecks();

    interface SchemaChecks {
        /**
         * Time one compilation or validation may take (RUNWIRE_SCHEMA_CHECKS_BUDGET); past it the check is given up and
         * the request answered 422 {@code schema_too_costly}.
         */
        @WithDefault("1s")
        Duration budget();

        /**
         * Threads of the pool that runs schema checks off the event loops (RUNWIRE_SCHEMA_CHECKS_WORKERS); costly
         * schemas wait for one another there instead of taking every worker of the service.
         */
        @WithDefault("2")
        int workers();
    }
}
