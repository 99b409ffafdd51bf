package dev.runwire.api.billing;

import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.MediaType;

import io.smallrye.mutiny.Uni;

import dev.runwire.api.auth.Caller;
import dev.runwire.api.error.ApiSurface;
import dev.runwire.api.error.QueryParams;
import dev.runwire.api.error.Surface;

/** The caller's task balance and ledger. */
@ApiSurface(Surface.NATIVE)
@Path("/v1/billing")
@Produces(MediaType.APPLICATION_JSON)
public class BillingResource {

    private final Billing billing;
    private final Caller caller;

    BillingResource(Billing billing, Caller caller) {
        this.billing = billing;
        this.caller = caller;
    }

    @GET
    public Uni<Billing.Account> account(@QueryParam("limit") String limit) {
        return billing.account(caller.ownerId(), QueryParams.bounded(limit, "limit", 50, 1000));
    }
}
