package dev.runwire.api.callback;

import java.time.OffsetDateTime;
import java.util.List;
import java.util.UUID;

import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;

import com.fasterxml.jackson.annotation.JsonInclude;

import io.smallrye.mutiny.Uni;

import dev.runwire.api.auth.Caller;
import dev.runwire.api.error.ApiSurface;
import dev.runwire.api.error.ErrorObject;
import dev.runwire.api.error.QueryParams;
import dev.runwire.api.error.RunwireException.Conflict;
import dev.runwire.api.error.RunwireException.Malformed;
import dev.runwire.api.error.RunwireException.NotFound;
import dev.runwire.api.error.Surface;

/** The owner's callback signing secret, and the deliveries of callbacks: their state, attempts and redelivery. */
@ApiSurface(Surface.NATIVE)
@Path("/v1")
@Produces(MediaType.APPLICATION_JSON)
public class CallbackResource {

    private static final int MAX_PAGE = 1000;
    private static final int MAX_PAGE_SIZE = 100;

    private final Deliveries deliveries;
    private final WebhookSecrets secrets;
    private final CallbackDispatcher dispatcher;
    private final Caller caller;

    CallbackResource(Deliveries deliveries, WebhookSecrets secrets, CallbackDispatcher dispatcher, Caller caller) {
        this.deliveries = deliveries;
        this.secrets = secrets;
        this.dispatcher = dispatcher;
        this.caller = caller;
    }

    /** A delivery as the API shows it; attempts only when one delivery is read. */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record DeliveryView(UUID id, UUID runId, long runSeq, String eventType, String url, String state,
            int attempts, OffsetDateTime nextAttemptAt, OffsetDateTime createdAt, OffsetDateTime updatedAt,
            List<Deliveries.Attempt> attemptHistory) {
    }

    /** The current signing secret; made on first read. */
    @GET
    @Path("webhook-secret")
    public Uni<WebhookSecrets.Current> secret() {
        return secrets.current(caller.ownerId());
    }

    /** A new current secret; the previous one keeps signing until {@code previousExpiresAt}. */
    @POST
    @Path("webhook-secret/rotate")
    public Uni<WebhookSecrets.Current> rotate() {
        return secrets.rotate(caller.ownerId());
    }

    @GET
    @Path("callbacks")
    public Uni<List<DeliveryView>> list(@QueryParam("runId") String runId, @QueryParam("page") String page,
            @QueryParam("pageSize") String pageSize) {
        UUID run = null;
        if (runId != null) {
            try {
                run = UUID.fromString(runId);
            } catch (IllegalArgumentException e) {
                throw new Malformed("runId is a run id", ErrorObject.Source.parameter("runId"));
            }
        }
        return deliveries
                .list(caller.ownerId(), run, QueryParams.bounded(page, "page", 1, MAX_PAGE),
                        QueryParams.bounded(pageSize, "pageSize", 10, MAX_PAGE_SIZE))
                .map(found -> found.stream().map(delivery -> view(delivery, null)).toList());
    }

    @GET
    @Path("callbacks/{deliveryId}")
    public Uni<DeliveryView> get(@PathParam("deliveryId") String deliveryId) {
        UUID id = parse(deliveryId);
        return deliveries.find(caller.ownerId(), id).chain(delivery -> {
            if (delivery == null) {
                throw new NotFound("no callback delivery with id " + deliveryId);
            }
            return deliveries.attempts(id).map(attempts -> view(delivery, attempts));
        });
    }

    /** Sends a finished delivery again, with the same webhook-id and a fresh schedule. */
    @POST
    @Path("callbacks/{deliveryId}/redeliver")
    public Uni<Response> redeliver(@PathParam("deliveryId") String deliveryId) {
        UUID id = parse(deliveryId);
        UUID ownerId = caller.ownerId();
        return deliveries.redeliver(ownerId, id).chain(done -> {
            if (done) {
                dispatcher.wake();
                return get(deliveryId).map(view -> Response.accepted(view).build());
            }
            return deliveries.find(ownerId, id).map(delivery -> {
                if (delivery == null) {
                    throw new NotFound("no callback delivery with id " + deliveryId);
                }
                throw new Conflict("delivery_pending",
                        "the delivery is still pending; it can be redelivered once it has ended", null);
            });
        });
    }

    /** Body of a recovery: the failed deliveries created since this time (default: the last 24 hours). */
    public record Recover(OffsetDateTime since) {
    }

    /** How many failed deliveries were made due again. */
    public record Recovered(int redelivered) {
    }

    /**
     * Sends again every failed delivery since a time, e.g. after the receiver was down for longer than the schedule.
     */
    @POST
    @Path("callbacks/recover")
    @jakarta.ws.rs.Consumes(MediaType.APPLICATION_JSON)
    public Uni<Response> recover(Recover body) {
        OffsetDateTime since = body == null || body.since() == null
                ? OffsetDateTime.now(java.time.ZoneOffset.UTC).minusDays(1) : body.since();
        return deliveries.recover(caller.ownerId(), since).map(count -> {
            if (count > 0) {
                dispatcher.wake();
            }
            return Response.accepted(new Recovered(count)).build();
        });
    }

    private static DeliveryView view(Deliveries.Delivery delivery, List<Deliveries.Attempt> attempts) {
        return new DeliveryView(delivery.id(), delivery.runId(), delivery.runSeq(), delivery.eventType(),
                delivery.url(), delivery.state(), delivery.attempts(),
                Deliveries.PENDING.equals(delivery.state()) ? delivery.nextAttemptAt() : null, delivery.createdAt(),
                delivery.updatedAt(), attempts);
    }

    private static UUID parse(String id) {
        return QueryParams.id(id, "callback delivery");
    }
}
