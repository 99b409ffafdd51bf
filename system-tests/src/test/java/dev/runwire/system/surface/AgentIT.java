package dev.runwire.system.surface;

import static dev.runwire.system.support.SystemUnderTest.owner;
import static dev.runwire.system.support.Talkover.action;
import static dev.runwire.system.support.Talkover.agent;
import static dev.runwire.system.support.Talkover.field;
import static org.hamcrest.Matchers.equalTo;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;
import java.util.Map;
import java.util.Set;

import org.junit.jupiter.api.Test;

import io.restassured.RestAssured;
import io.restassured.path.json.JsonPath;
import io.restassured.specification.RequestSpecification;

import dev.runwire.system.support.NewOwner;
import dev.runwire.system.support.ServiceProcess;
import dev.runwire.system.support.SharedApi;
import dev.runwire.system.support.SystemUnderTest.Owner;
import dev.runwire.system.support.Talkover;

/**
 * talkover's agents and agent actions with {@code Authorization: Bearer}, request by request as talkover's API shows
 * them: {@code {success, data}} envelopes, the array {@code input_schema} and its draft-7 view, create-or-update by
 * name, delete, and talkover's failures {@code {success: false, message}} with its codes, another owner's agent
 * included.
 */
class AgentIT {

    @SharedApi
    static ServiceProcess api;
    @NewOwner
    static Owner owner;

    static RequestSpecification talkover(Owner who) {
        return Talkover.talkover(api, who);
    }

    @Test
    void talkoversFlowRequestByRequest() {
        String agentId = agent(api, owner);
        JsonPath read = talkover(owner).get("/api/v1/agents/" + agentId).then().statusCode(200).extract().jsonPath();
        assertEquals(Set.of("success", "data"), read.getMap("").keySet());
        assertEquals("Front desk", read.getString("data.name"));
        assertEquals(true, talkover(owner).get("/api/v1/agents").then().statusCode(200).extract().jsonPath()
                .getList("data.id").contains(agentId));
        talkover(owner).get("/api/v1/agents/" + agentId + "/actions").then().statusCode(200)
                .body("success", equalTo(true)).body("data", equalTo(List.of()));

        String base = "http://127.0.0.1:9/schedule";
        JsonPath webhook = talkover(owner)
                .body(action("Schedule Meeting", "webhook",
                        List.of(field("date", "string", null), field("time", "string", null)), base, "active"))
                .post("/api/v1/agents/" + agentId + "/actions").then().statusCode(201).extract().jsonPath();
        assertEquals(
                Set.of("id", "name", "label", "description", "type", "input_schema", "input_json_schema", "config",
                        "action_trigger", "url", "authorization_url", "current_status", "created_at", "updated_at"),
                webhook.getMap("data").keySet());
        assertEquals(List.of(field("date", "string", null), field("time", "string", null)),
                webhook.getList("data.input_schema"));
        assertEquals(
                Map.of("type", "object", "properties",
                        Map.of("date", Map.of("type", "string", "description", "date"), "time",
                                Map.of("type", "string", "description", "time")),
                        "required", List.of("date", "time")),
                webhook.getMap("data.input_json_schema"));
        talkover(owner)
                .body(action("Transfer Call", "transfer", List.of(field("transfer_to", "string", "+1234567890")), null,
                        "active"))
                .post("/api/v1/agents/" + agentId + "/actions").then().statusCode(201)
                .body("data.input_json_schema.properties.transfer_to.default", equalTo("+1234567890"));
        talkover(owner)
                .body(action("Put Call on Hold", "hold", List.of(field("hold_duration", "integer", 30)), null,
                        "inactive"))
                .post("/api/v1/agents/" + agentId + "/actions").then().statusCode(201)
                .body("data.current_status", equalTo("inactive")).body("data.input_schema[0].value", equalTo(30));

        JsonPath listed = talkover(owner).get("/api/v1/agents/" + agentId + "/actions").then().statusCode(200).extract()
                .jsonPath();
        assertEquals(List.of("Schedule Meeting", "Transfer Call", "Put Call on Hold"), listed.getList("data.name"));
        assertEquals(List.of("webhook", "transfer", "hold"), listed.getList("data.type"));
        assertEquals(List.of("active", "active", "inactive"), listed.getList("data.current_status"));

        // the same name updates; a draft-7 input_schema is stored in its array form
        JsonPath updated = talkover(owner)
                .body(Map.of("name", "Transfer Call", "label", "Transfer to a human", "description",
                        "Transfer the call", "type", "transfer", "input_schema",
                        Map.of("type", "object", "properties", Map.of("transfer_to", Map.of("type", "string")),
                                "required", List.of("transfer_to"))))
                .post("/api/v1/agents/" + agentId + "/actions").then().statusCode(200).extract().jsonPath();
        assertEquals("Transfer to a human", updated.getString("data.label"));
        assertEquals(List.of(Map.of("name", "transfer_to", "type", "string", "required", true)),
                updated.getList("data.input_schema"));
        String actionId = updated.getString("data.id");

        talkover(owner).delete("/api/v1/agents/" + agentId + "/actions/" + actionId).then().statusCode(200)
                .body("success", equalTo(true));
        talkover(owner).delete("/api/v1/agents/" + agentId + "/actions/" + actionId).then().statusCode(404)
                .body("success", equalTo(false)).body("code", equalTo("ACTION_NOT_FOUND"));
        assertEquals(2, talkover(owner).get("/api/v1/agents/" + agentId + "/actions").then().extract().jsonPath()
                .getList("data").size());
    }

    @Test
    void talkoversFailures() {
        String agentId = agent(api, owner);
        JsonPath missing = talkover(owner).get("/api/v1/agents/00000000-0000-0000-0000-000000000000/actions").then()
                .statusCode(404).extract().jsonPath();
        assertEquals(Map.of("success", false, "message", "Agent not found", "code", "AGENT_NOT_FOUND"),
                missing.getMap(""));
        JsonPath unauthenticated = RestAssured.given().baseUri(api.url()).get("/api/v1/agents/" + agentId + "/actions")
                .then().statusCode(401).extract().jsonPath();
        assertEquals(Map.of("success", false, "message", "Unauthenticated.", "code", "INVALID_TOKEN"),
                unauthenticated.getMap(""));
        RestAssured.given().baseUri(api.url()).header("Authorization", "Bearer rw_wrong").get("/api/v1/agents").then()
                .statusCode(401).body("code", equalTo("INVALID_TOKEN"));
        talkover(owner).body(action("X", "teleport", List.of(), null, "active"))
                .post("/api/v1/agents/" + agentId + "/actions").then().statusCode(422).body("success", equalTo(false))
                .body("code", equalTo("VALIDATION_ERROR"));
        talkover(owner).body(action("Meta", "webhook", List.of(), "http://169.254.169.254/latest", "active"))
                .post("/api/v1/agents/" + agentId + "/actions").then().statusCode(422)
                .body("code", equalTo("VALIDATION_ERROR"));
        talkover(owner).body(action("NoUrl", "webhook", List.of(), null, "active"))
                .post("/api/v1/agents/" + agentId + "/actions").then().statusCode(422);
        talkover(owner).body(action("BadField", "hold", List.of(Map.of("name", "x", "type", "date")), null, "active"))
                .post("/api/v1/agents/" + agentId + "/actions").then().statusCode(422);
        talkover(owner).body("{\"name\": ").post("/api/v1/agents/" + agentId + "/actions").then().statusCode(400)
                .body("success", equalTo(false));
        talkover(owner).body(Map.of()).post("/api/v1/agents").then().statusCode(422);
        assertEquals(0, talkover(owner).get("/api/v1/agents/" + agentId + "/actions").then().extract().jsonPath()
                .getList("data").size(), "nothing refused was written");
    }

    @Test
    void anotherOwnersAgentIsNotFoundOnEveryPath() {
        String agentId = agent(api, owner);
        String actionId = talkover(owner)
                .body(action("Hold", "hold", List.of(field("hold_duration", "integer", 30)), null, "active"))
                .post("/api/v1/agents/" + agentId + "/actions").then().statusCode(201).extract().path("data.id");
        Owner other = owner(api);
        talkover(other).get("/api/v1/agents/" + agentId).then().statusCode(404).body("code",
                equalTo("AGENT_NOT_FOUND"));
        talkover(other).get("/api/v1/agents/" + agentId + "/actions").then().statusCode(404);
        talkover(other).body(action("Hold", "hold", List.of(), null, "active"))
                .post("/api/v1/agents/" + agentId + "/actions").then().statusCode(404);
        talkover(other).delete("/api/v1/agents/" + agentId + "/actions/" + actionId).then().statusCode(404);
        assertEquals(List.of(),
                talkover(other).get("/api/v1/agents").then().statusCode(200).extract().jsonPath().getList("data"));
        talkover(owner).get("/api/v1/agents/" + agentId + "/actions").then().statusCode(200).body("data.size()",
                equalTo(1));
    }
}
