package dev.runwire.executor.config;

import java.time.Duration;
import java.util.List;
import java.util.Optional;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;

/** Settings of the executor-service; each can be set by environment variable (RUNWIRE_...). */
@ConfigMapping(prefix = "runwire")
public interface ExecutorConfig {

    /** How runs are executed. */
    Execution execution();

    /** Keys that open sealed pass-through secrets. */
    Secrets secrets();

    /** Approval links. */
    Approvals approvals();

    /** Where integration calls may go. */
    Egress egress();

    /** Runwire's own AWS identity, used only to assume the roles that pass-through values name. */
    Aws aws();

    interface Aws {
        /** RUNWIRE_AWS_ACCESS_KEY_ID; without it, assume-role pass-through values are refused. */
        Optional<String> accessKeyId();

        /** RUNWIRE_AWS_SECRET_ACCESS_KEY. */
        Optional<String> secretAccessKey();

        /** RUNWIRE_AWS_SESSION_TOKEN, for temporary credentials of Runwire's own. */
        Optional<String> sessionToken();

        /** The STS endpoint AssumeRole is sent to (RUNWIRE_AWS_STS_ENDPOINT). */
        @WithDefault("https://sts.amazonaws.com")
        String stsEndpoint();

        /** The region STS requests are signed for (RUNWIRE_AWS_REGION). */
        @WithDefault("us-east-1")
        String region();
    }

    interface Egress {
        /** CIDRs reachable although blocked, comma-separated, e.g. {@code 127.0.0.1/32} (RUNWIRE_EGRESS_ALLOW). */
        Optional<List<String>> allow();

        /** Whether integrations must use https (RUNWIRE_EGRESS_REQUIRE_HTTPS). */
        @WithDefault("true")
        boolean requireHttps();
    }

    interface Approvals {
        /** How long an approval link works. */
        @WithDefault("24h")
        Duration ttl();
    }

    interface Execution {
        /** Most runs in flight at once in this process; more commands wait (back-pressure). */
        @WithDefault("512")
        int maxInFlight();

        /** Connection timeout of integration calls. */
        @WithDefault("5s")
        Duration connectTimeout();

        /** How long a finished run's state stays in the executor's store (its events are in the read model). */
        @WithDefault("24h")
        Duration retention();

        /** How often finished runs past their retention are purged (RUNWIRE_EXECUTION_PURGE_INTERVAL). */
        @WithDefault("60s")
        Duration purgeInterval();

        /**
         * Upper bound of an integration response body; larger responses fail the step. Events carry outputs and must
         * stay under the broker's message limit (1 MB by default).
         */
        @WithDefault("262144")
        int maxResponseBytes();

        /**
         * A connected account's access token that ends sooner than this is not used: the step asks for a refreshed one
         * first (RUNWIRE_EXECUTION_REFRESH_SKEW).
         */
        @WithDefault("30s")
        Duration refreshSkew();

        /** Upper bound of a run's result (its steps' outputs); a larger one ends the run FAILED. */
        @WithDefault("524288")
        int maxResultBytes();

        /**
         * Upper bound of one run event as JSON: it must fit in one broker message (the broker's default
         * {@code message.max.bytes} is 1 MiB, with room left for the record's headers). A run whose event would be
         * larger ends FAILED ({@code event_too_large}) instead of stalling its partition.
         */
        @WithDefault("1000000")
        int maxEventBytes();

        /**
         * How long this executor's claim on a run lasts without being renewed (docs/adr/0030). Another executor takes a
         * run over, and calls its step again, only once the claim has lapsed or was given up: a process that died stops
         * renewing, and at worst its runs wait this long. Longer than a pause of the process; renewed every third of
         * it.
         */
        @WithDefault("10s")
        Duration lease();
    }

    interface Secrets {
        /** Id of the current key (RUNWIRE_SECRETS_KEY_ID). */
        @WithDefault("local-1")
        String keyId();

        /** Base64 of the current 32-byte key (RUNWIRE_SECRETS_KEY). */
        String key();

        /**
         * Earlier keys still accepted for opening during a rotation, as {@code id=base64,id=base64}
         * (RUNWIRE_SECRETS_PREVIOUS).
         */
        Optional<String> previous();
    }
}
