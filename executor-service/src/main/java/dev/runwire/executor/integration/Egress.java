package dev.runwire.executor.integration;

import java.net.InetAddress;
import java.net.URI;
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

    /**
     * A request to the URL that connects to the checked address, whatever the name resolves to by now; Host and SNI
     * keep the name.
     */
    static io.vertx.mutiny.ext.web.client.HttpRequest<io.vertx.mutiny.core.buffer.Buffer> request(
            io.vertx.mutiny.ext.web.client.WebClient client, io.vertx.core.http.HttpMethod method, URI url,
            InetAddress address) {
        boolean tls = "https".equalsIgnoreCase(url.getScheme());
        int port = url.getPort() > 0 ? url.getPort() : tls ? 443 : 80;
        return client.request(method,
                io.vertx.mutiny.core.net.SocketAddress.inetSocketAddress(port, address.getHostAddress()),
                new io.vertx.core.http.RequestOptions().setHost(url.getHost()).setPort(port).setSsl(tls)
                        .setURI(requestUri(url)));
    }

    /** The request line's target: the URL's path (at least "/") and its query, as they are written. */
    static String requestUri(URI url) {
        return (url.getRawPath().isEmpty() ? "/" : url.getRawPath())
                + (url.getRawQuery() == null ? "" : "?" + url.getRawQuery());
    }

    /**
     * Options of a core client request to the URL that connects to the checked address, whatever the name resolves to
     * by now; Host and SNI keep the name.
     */
    static io.vertx.core.http.RequestOptions options(io.vertx.core.http.HttpMethod method, URI url, InetAddress address,
            String requestUri) {
        boolean tls = "https".equalsIgnoreCase(url.getScheme());
        int port = url.getPort() > 0 ? url.getPort() : tls ? 443 : 80;
        return new io.vertx.core.http.RequestOptions()
                .setServer(io.vertx.core.net.SocketAddress.inetSocketAddress(port, address.getHostAddress()))
                .setMethod(method).setHost(url.getHost()).setPort(port).setSsl(tls).setURI(requestUri);
    }

    /** The checked address to connect to, or a failed Uni with {@link EgressPolicy.RefusedException}. */
    Uni<InetAddress> resolve(URI url) {
        return Uni.createFrom().completionStage(() -> policy.resolveAsync(url, Infrastructure.getDefaultWorkerPool()));
    }
}
