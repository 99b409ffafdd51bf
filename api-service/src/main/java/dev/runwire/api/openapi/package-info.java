/**
 * The schemas of answers that resources build as a {@code Response} (the scanner sees no type there): named here so
 * that {@link ApiDescription} can point operations at them. Everything else about the document is in
 * {@code META-INF/openapi.yaml} and the filter. (The scanner reads a definition from a package, not a class.)
 */
@OpenAPIDefinition(info = @Info(title = "Runwire API", version = "0.1.0"), components = @Components(schemas = {
        @Schema(name = "CreatedRun", implementation = PlanRunService.Created.class),
        @Schema(name = "RunActionResponse", implementation = RunResource.RunActionResponse.class),
        @Schema(name = "RunAccepted", implementation = RunResource.RunAccepted.class),
        @Schema(name = "ApprovalDecision", implementation = ApprovalService.Decision.class),
        @Schema(name = "StepResultReported", implementation = StepResults.Reported.class),
        @Schema(name = "RunEvent", implementation = RunEvent.class),
        @Schema(name = "CreatedOwner", implementation = AdminResource.CreatedOwner.class),
        @Schema(name = "AccountView", implementation = ConnectedAccountResource.AccountView.class),
        @Schema(name = "IntegrationView", implementation = IntegrationResource.IntegrationView.class),
        @Schema(name = "Recovered", implementation = CallbackResource.Recovered.class),
        @Schema(name = "AgentView", implementation = AgentResource.AgentView.class),
        @Schema(name = "AgentActionView", implementation = AgentResource.ActionView.class),
        @Schema(name = "AgentActionRunStarted", implementation = AgentRuns.Started.class),
        @Schema(name = "ZapierRunAccepted", implementation = ZapierRequests.RunAccepted.class),
        @Schema(name = "StoredActionView", implementation = StoredActionView.class),
        @Schema(name = "ZapierRun", implementation = ZapierRun.class) }))
package dev.runwire.api.openapi;

import org.eclipse.microprofile.openapi.annotations.Components;
import org.eclipse.microprofile.openapi.annotations.OpenAPIDefinition;
import org.eclipse.microprofile.openapi.annotations.info.Info;
import org.eclipse.microprofile.openapi.annotations.media.Schema;

import dev.runwire.api.admin.AdminResource;
import dev.runwire.api.callback.CallbackResource;
import dev.runwire.api.connection.ConnectedAccountResource;
import dev.runwire.api.integration.IntegrationResource;
import dev.runwire.api.run.ApprovalService;
import dev.runwire.api.run.PlanRunService;
import dev.runwire.api.run.RunResource;
import dev.runwire.api.run.StepResults;
import dev.runwire.api.talkover.AgentResource;
import dev.runwire.api.talkover.AgentRuns;
import dev.runwire.api.zapier.StoredActionView;
import dev.runwire.api.zapier.ZapierRequests;
import dev.runwire.api.zapier.ZapierRun;
import dev.runwire.model.event.RunEvent;
