package dev.runwire.system.support;

import static org.hamcrest.Matchers.equalTo;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import io.restassured.RestAssured;
import io.restassured.specification.RequestSpecification;

import dev.runwire.system.support.SystemUnderTest.Owner;

/** Requests to talkover's agents API ({@code /api/v1/agents}), which takes the API key as a bearer token. */
public final class Talkover {

    private Talkover() {
    }

    /** A request of {@code who} to talkover's API on {@code api}. */
    public static RequestSpecification talkover(ServiceProcess api, Owner who) {
        return RestAssured.given().baseUri(api.url()).contentType("application/json").header("Authorization",
                "Bearer " + who.apiKey());
    }

    /** Creates an agent of {@code who} and returns its id. */
    public static String agent(ServiceProcess api, Owner who) {
        return talkover(api, who).body(Map.of("name", "Front desk", "description", "Answers calls"))
                .post("/api/v1/agents").then().statusCode(201).body("success", equalTo(true)).extract().path("data.id");
    }

    /** A required field of an agent action's {@code input_schema}, with a fixed value when {@code value} is set. */
    public static Map<String, Object> field(String name, String type, Object value) {
        Map<String, Object> field = new LinkedHashMap<>();
        field.put("name", name);
        field.put("type", type);
        field.put("required", true);
        field.put("description", name.replace('_', ' '));
        if (value != null) {
            field.put("value", value);
        }
        return field;
    }

    /** An agent action as talkover's API takes it. */
    public static Map<String, Object> action(String name, String type, List<Map<String, Object>> inputs, String url,
            String status) {
        Map<String, Object> action = new LinkedHashMap<>();
        action.put("name", name);
        action.put("label", name);
        action.put("description", "What " + name + " does");
        action.put("type", type);
        action.put("input_schema", inputs);
        action.put("url", url);
        action.put("authorization_url", url == null ? null : url + "/auth");
        action.put("current_status", status);
        return action;
    }
}
