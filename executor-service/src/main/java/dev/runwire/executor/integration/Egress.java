package dev.runwire.executor.integration;

import java.net.InetAddress;
import java.net.URI;
import java.net.UnknownHostException;
import java.util.List;

import jakarta.enterprise.context.ApplicationScoped;

import io.smallrye.mutiny.Uni;
import io.smallrye.mutiny.infrastructure.Infrastructure;

import dev.runwire.executor.config.ExecutorConfig;
import dev.runwire.model.egress.EgressPolicy;

/**
 * The address an integration call may connect to: the URL checked, its host resolved (off the event loop) and every
 * address it has checked against the egress policy, right before the call. See docs/adr/0015-egress-guard.md.
 */
@ApplicationScoped
public class Egress {

    private final EgressPolicy policy;

    Egress(ExecutorConfig config) {
        this.policy = new EgressPolicy(config.egress().allow().orElse(List.of()), config.egress().requireHttps());
    }

    /** The checked address to connect to, or a failed Uni with {@link EgressPolicy.RefusedException}. */
    Uni<InetAddress> resolve(URI url) {
        try {
            policy.checkUrl(url.toString());
        } catch (EgressPolicy.RefusedException e) {
            return Uni.createFrom().failure(e);
        }
        InetAddress literal = EgressPolicy.literal(url.getHost());
        if (literal != null) {
            return Uni.createFrom().item(literal);
        }
        return Uni.createFrom().item(() -> {
            try {
                return policy.choose(InetAddress.getAllByName(url.getHost()));
            } catch (UnknownHostException e) {
                throw new java.io.UncheckedIOException(e);
            } catch (EgressPolicy.RefusedException e) {
                throw new RefusedAtResolution(e);
            }
        }).runSubscriptionOn(Infrastructure.getDefaultWorkerPool()).onFailure(RefusedAtResolution.class)
                .transform(Throwable::getCause);
    }

    /** Carries a refusal out of the resolver's lambda. */
    private static final class RefusedAtResolution extends RuntimeException {
        private static final long serialVersionUID = 1L;

        RefusedAtResolution(EgressPolicy.RefusedException cause) {
            super(cause);
        }
    }
}
